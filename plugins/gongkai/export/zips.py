"""Deterministic zip archives (downloads and the XLSX container).

``zipfile`` stamps every entry with the file's modification time and the
creating platform, so two builds of the same content differ. Here every entry
gets the same timestamp (the package's ``created`` date), fixed permissions,
the Unix platform byte and a fixed compression level, and entries are written
in the order given (callers pass a sorted or schema-defined order).
"""

from __future__ import annotations

import shutil
import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
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


#: One member of :func:`small_zip`: name, content, whether to deflate it.
Member = tuple[str, bytes, bool]
#: Members at least this large go through :class:`DeterministicZip` (ZIP64).
_SMALL_LIMIT = 1 << 30


def small_zip(members: Sequence[Member], when: ZipTime, level: int = COMPRESS_LEVEL) -> bytes:
    """An archive of in-memory ``members``, byte for byte what :class:`DeterministicZip` writes.

    The department-year workbooks and archives are written by the
    thousand, each of a few dozen small members; :mod:`zipfile`'s
    per-member machinery (a write handle, a header written twice, a seek)
    cost more than deflating them. Headers are packed here directly, with
    the same fields as ``zipfile`` writes to a seekable file (a test
    compares the two).
    """
    if any(len(data) >= _SMALL_LIMIT for _, data, _ in members):
        import io

        buffer = io.BytesIO()
        with DeterministicZip(buffer, when, level) as zf:
            for name, data, compress in members:
                zf.add_bytes(name, data, compress=compress)
        return buffer.getvalue()
    dosdate = (when[0] - 1980) << 9 | when[1] << 5 | when[2]
    dostime = when[3] << 11 | when[4] << 5 | (when[5] // 2)
    pieces: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name, data, compress in members:
        try:
            filename, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            filename, flags = name.encode("utf-8"), 0x800
        if compress:
            crc, body = _deflated(data, level)
            method = zipfile.ZIP_DEFLATED
        else:
            crc, body, method = zlib.crc32(data), data, zipfile.ZIP_STORED
        fields = (flags, method, dostime, dosdate, crc, len(body), len(data), len(filename))
        header = _LOCAL.pack(b"PK\x03\x04", 20, 0, *fields, 0)
        central.append(_CENTRAL.pack(b"PK\x01\x02", 20, 3, 20, 0, *fields, 0, 0, 0, 0, _ATTRIBUTES, offset))
        central.append(filename)
        pieces += (header, filename, body)
        offset += len(header) + len(filename) + len(body)
    directory = b"".join(central)
    end = _END.pack(b"PK\x05\x06", 0, 0, len(members), len(members), len(directory), offset, 0)
    return b"".join(pieces) + directory + end


def _deflated(data: bytes, level: int) -> tuple[int, bytes]:
    """CRC-32 and raw deflate stream of ``data`` (what ``zipfile`` writes for it).

    Small members are remembered: every department-year workbook carries
    the same styles, relationships and properties, and starting a deflate
    stream costs more than compressing a kilobyte.
    """
    if len(data) > _MEMO_BYTES:
        return zlib.crc32(data), zlib.compress(data, level, -15)
    key = (level, data)
    found = _MEMO.get(key)
    if found is None:
        if len(_MEMO) >= _MEMO_ENTRIES:
            _MEMO.clear()
        found = _MEMO[key] = (zlib.crc32(data), zlib.compress(data, level, -15))
    return found


_MEMO: dict[tuple[int, bytes], tuple[int, bytes]] = {}
_MEMO_BYTES = 2048
_MEMO_ENTRIES = 256

_LOCAL = struct.Struct(zipfile.structFileHeader)  # type: ignore[attr-defined]
_CENTRAL = struct.Struct(zipfile.structCentralDir)  # type: ignore[attr-defined]
_END = struct.Struct(zipfile.structEndArchive)  # type: ignore[attr-defined]
_ATTRIBUTES = 0o644 << 16
