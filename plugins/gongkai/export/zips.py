"""Deterministic zip archives (downloads and the XLSX container).

``zipfile`` stamps every entry with the file's modification time and the
creating platform, so two builds of the same content differ. Here every entry
gets the same timestamp (the package's ``created`` date), fixed permissions,
the Unix platform byte and a fixed compression level, and entries are written
in the order given (callers pass a sorted or schema-defined order).
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

#: ZIP dates cannot precede 1980.
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
#: zlib levels: the whole-dataset files are compressed once and downloaded
#: often; the thousands of department-year archives use a level that is
#: about twice as fast for about 15 % more bytes.
COMPRESS_LEVEL = 6
FAST_LEVEL = 3
#: Stream entries at least this large with ZIP64 headers up front.
_ZIP64_THRESHOLD = (1 << 31) - 1

ZipTime = tuple[int, int, int, int, int, int]


def zip_time(created: str | None) -> ZipTime:
    """The entry timestamp for an RFC 3339 ``created`` value (or the ZIP epoch)."""
    if not created:
        return ZIP_EPOCH
    moment = datetime.fromisoformat(created.replace("Z", "+00:00"))
    stamp = (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)
    return max(stamp, ZIP_EPOCH)


def entry(name: str, when: ZipTime, *, compress: bool = True, level: int = COMPRESS_LEVEL) -> zipfile.ZipInfo:
    """A ``ZipInfo`` that does not depend on the machine or the clock."""
    info = zipfile.ZipInfo(name, date_time=when)
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info._compresslevel = level  # type: ignore[attr-defined]  # read by ZipFile.open(…, "w")
    info.create_system = 3  # Unix, whatever builds it
    info.external_attr = 0o644 << 16
    return info


class DeterministicZip:
    """A zip being written; ``add_bytes``/``add_file`` in the wanted order."""

    def __init__(self, target: Path | BinaryIO, when: ZipTime, level: int = COMPRESS_LEVEL) -> None:
        self.when = when
        self.level = level
        self._zip = zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=level)

    def add_bytes(self, name: str, data: bytes, *, compress: bool = True) -> None:
        """Add an entry; ``compress=False`` stores it (an XLSX is already deflated)."""
        self._zip.writestr(entry(name, self.when, compress=compress), data, compresslevel=self.level)

    def add_file(self, name: str, path: Path) -> None:
        """Stream a file from disk (whole-dataset CSVs can be gigabytes)."""
        size = path.stat().st_size
        with path.open("rb") as src, self._zip.open(
            entry(name, self.when, level=self.level), "w", force_zip64=size >= _ZIP64_THRESHOLD
        ) as dst:
            shutil.copyfileobj(src, dst, 1 << 20)

    def add_chunks(self, name: str, chunks: Iterable[bytes], *, large: bool = False) -> None:
        """Write an entry from pieces (the XLSX sheet header, body file, footer)."""
        with self._zip.open(entry(name, self.when, level=self.level), "w", force_zip64=large) as dst:
            for chunk in chunks:
                dst.write(chunk)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> DeterministicZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
