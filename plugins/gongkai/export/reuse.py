"""The previous build's downloads, reused where their inputs did not change.

A department-year folder is a pure function of the record file (its SHA-256
and display path, which the caller folds into the record's ``key``), the
code that validates and exports it, the Python and zlib that serialise it,
the package metadata and the folder's formats. Writing one costs about
10 ms of CPU; linking its 40-odd files from a cache costs a tenth of that.
So a build with a cache directory keeps, per record, a copy of the folder
(hard links to the files it wrote, a copy where links are impossible) and a
small manifest, and the next build links an unchanged record's files back
instead of rendering them. The whole-dataset files are kept the same way,
under a key over every record, for the common rebuild where no record
changed at all.

Safety, since a cached file and a published file may be one inode:

* nothing in the export ever writes through an existing path: every writer
  removes the old file first (:func:`detach`), so a later build, ``--dirty``
  or not, never changes a cached file;
* the manifest records each cached file's size and modification time, and
  an entry whose files do not match (a tool edited a published file in
  place) is ignored and rebuilt;
* an entry's manifest is written last (and atomically), so an interrupted
  entry is never used, and any error while reading or linking one only
  means the folder is rendered again: the cache can make a build faster,
  never different.

The cache stays bounded: after a build, entries of records that were not
part of it, the whole-dataset entries of other record sets and the
generations of other code or settings are removed.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import pickle
import re
import shutil
import sqlite3
import sys
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import gongkai

#: Bumped when the cache layout or manifests change.
CACHE_VERSION = 1
#: Names of generation folders: only these are ever removed from the cache root.
_GENERATION = re.compile(r"g\d+-[0-9a-f]{16}")
#: Entry files sit flat in their bucket as ``<entry>~<path with / as ~>`` (download
#: paths are ``[0-9A-Za-z._/-]``): no folder to create per entry.
_SEP = "~"
_MANIFEST = ".manifest"
#: A manifest being written (``<entry>~.manifest.<pid>``), left behind if a build was killed.
_UNFINISHED = re.compile(r"\.manifest\.\d+$")
#: ``os.link`` errors that say links will not work here at all (copy from then on).
_NO_LINKS = {errno.EXDEV, errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EACCES}


@cache
def export_fingerprint() -> str:
    """Changes whenever the bytes the export writes may change without the records changing.

    The package's own code (loading, normalising, tables, the rule
    catalogue, the code lists, the exporters) and the versions of Python,
    zlib (deflate output) and SQLite (database pages).
    """
    digest = hashlib.sha256(
        f"{CACHE_VERSION}\0{gongkai.__version__}\0{sys.version}\0{zlib.ZLIB_RUNTIME_VERSION}\0"
        f"{sqlite3.sqlite_version}".encode()
    )
    package = Path(gongkai.__file__).resolve().parent
    patterns = ("*.py", "export/*.py", "rules/*.py", "data/**/*")
    files = sorted({path for pattern in patterns for path in package.glob(pattern) if path.is_file()})
    for path in files:
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def detach(path: str | Path) -> None:
    """Remove ``path`` before writing it anew: it may be a hard link into the cache."""
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


#: One cached file: its path inside the folder, size and modification time (ns).
FileStat = tuple[str, int, int]


@dataclass
class Manifest:
    """What an entry holds besides its files: checked on every use."""

    key: str  # the full key, compared on load (the file names hold only its hash)
    files: tuple[FileStat, ...]
    payload: Any  # the caller's (picklable) description of the entry


#: Which file a path is: its device and inode numbers.
Identity = tuple[int, int]

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


@dataclass
class Hit:
    """A usable cache entry."""

    prefix: str  # path of the entry's files, less their names
    manifest: Manifest
    identities: tuple[Identity, ...] = ()  # of ``manifest.files``, in order, as :meth:`DownloadsCache.get` found them

    @property
    def payload(self) -> Any:
        return self.manifest.payload

    def path(self, name: str) -> str:
        """Where the entry keeps the folder's file ``name``."""
        return self.prefix + name.replace("/", _SEP)

    def read(self, name: str, size: int = 0) -> bytes:
        """The content of the folder's file ``name`` (``size``: its length, when known).

        Plain system calls, no file object: the export reads back some
        twenty files per record.
        """
        fd = os.open(self.path(name), _READ_FLAGS)
        try:
            chunks = []
            want = size + 1 if size > 0 else 1 << 16
            while chunk := os.read(fd, want):
                chunks.append(chunk)
                want = 1 << 16
            return chunks[0] if len(chunks) == 1 else b"".join(chunks)
        finally:
            os.close(fd)


class DownloadsCache:
    """Per-record folders and whole-dataset files of earlier builds, under ``root``.

    ``settings`` is everything besides the records that the files depend on
    (package metadata, formats); with :func:`export_fingerprint` it names a
    *generation* folder, so a change of code or settings starts afresh.
    An entry is a manifest and the entry's files, flat in a bucket folder
    named after the first two hex digits of the key's hash.
    """

    def __init__(self, root: Path, settings: str) -> None:
        self.root = root
        fingerprint = hashlib.sha256(f"{export_fingerprint()}\0{settings}".encode()).hexdigest()[:16]
        self.generation = root / f"g{CACHE_VERSION}-{fingerprint}"
        self.linking = True  # False once links proved impossible here: copies from then on
        self._used: dict[str, set[str]] = {"budgets": set(), "dataset": set()}
        self._buckets: set[str] = set()
        self.hits = 0
        self.stores = 0

    # ------------------------------------------------------------------ #
    # Entries
    # ------------------------------------------------------------------ #

    def _entry(self, kind: str, key: str) -> tuple[str, str]:
        """The entry's name (a hash of ``key``) and the path prefix of its files."""
        name = hashlib.sha256(key.encode()).hexdigest()[:32]
        return name, f"{self.generation}/{kind}/{name[:2]}/{name}{_SEP}"

    def get(self, kind: str, key: str) -> Hit | None:
        """The entry stored under ``key``, if it is intact."""
        name, prefix = self._entry(kind, key)
        try:
            with open(prefix + _MANIFEST, "rb") as handle:
                manifest = pickle.load(handle)
            if not isinstance(manifest, Manifest) or manifest.key != key:
                return None
            identities = []
            for file_name, size, mtime in manifest.files:
                stat = os.stat(prefix + file_name.replace("/", _SEP))
                if stat.st_size != size or stat.st_mtime_ns != mtime:
                    return None  # edited in place since it was stored
                identities.append((stat.st_dev, stat.st_ino))
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
            return None
        self._used[kind].add(name)
        self.hits += 1
        return Hit(prefix, manifest, tuple(identities))

    def put(self, kind: str, key: str, source: Path, files: Sequence[tuple[str, int, int | None]], payload: Any) -> None:
        """Keep ``files`` (paths under ``source``) as the entry ``key``.

        Each file comes with the size and, when the writer knows it, the
        modification time it was written with (``None``: read it back).
        The manifest goes last, so an entry interrupted half-way is never
        used; a failure is only a missed chance to reuse.
        """
        if any(_SEP in file for file, _, _ in files):
            return  # a name the flat layout cannot hold (a package named with "~"): not kept
        name, prefix = self._entry(kind, key)
        base = os.fspath(source)
        try:
            bucket = prefix.rpartition("/")[0]
            if bucket not in self._buckets:
                os.makedirs(bucket, exist_ok=True)
                self._buckets.add(bucket)
            detach(prefix + _MANIFEST)
            stats = tuple(
                (file, *self._keep(f"{base}/{file}", prefix + file.replace("/", _SEP), size, mtime))
                for file, size, mtime in files
            )
            manifest = pickle.dumps(Manifest(key, stats, payload), protocol=pickle.HIGHEST_PROTOCOL)
            temporary = f"{prefix}{_MANIFEST}.{os.getpid()}"
            with open(temporary, "wb") as handle:
                handle.write(manifest)
            os.replace(temporary, prefix + _MANIFEST)
        except OSError:
            return
        self._used[kind].add(name)
        self.stores += 1

    def _keep(self, source: str, target: str, size: int, mtime: int | None) -> tuple[int, int]:
        """Link (or copy) one file into an entry; its size and mtime as stored."""
        if self.place(source, target) and mtime is not None:
            return size, mtime  # the same inode: what the writer saw
        stat = os.stat(target)
        return stat.st_size, stat.st_mtime_ns

    def restore(self, hit: Hit, target: Path) -> bool:
        """Put the entry's files under ``target``; ``False`` if any could not be (the caller rebuilds)."""
        base = os.fspath(target)
        made: set[str] = set()
        try:
            for name, _size, _mtime in hit.manifest.files:
                path = f"{base}/{name}"
                parent = path.rpartition("/")[0]
                if parent not in made:
                    os.makedirs(parent, exist_ok=True)
                    made.add(parent)
                self.place(hit.path(name), path)
        except OSError:
            return False
        return True

    def adopt(self, hit: Hit, staged: str, target: str) -> bool:
        """Move the folder ``staged`` to ``target`` if it holds exactly the entry's files.

        A validation worker that wrote a record's folder and kept it as an
        entry leaves the folder itself in a staging area of the site
        (:class:`~gongkai.export.site_data.BudgetPrimer`): one rename then
        puts it in place, instead of a directory and a hard link per file.
        "Exactly" is checked, not assumed: every file of the folder must be
        one of the entry's (the same inode, so the same bytes, which
        :meth:`get` has just checked), with nothing missing and nothing more
        (the folder may be another file's claiming the same budget id, or a
        leftover of an interrupted build). ``False``: nothing was moved; the
        caller uses :meth:`restore`.
        """
        if len(hit.identities) != len(hit.manifest.files):
            return False
        expected = {name: identity for (name, _, _), identity in zip(hit.manifest.files, hit.identities, strict=True)}
        for name in list(expected):
            while "/" in name:  # its folders too: an empty folder more is a difference as well
                name = name.rpartition("/")[0]
                expected[f"{name}/"] = _FOLDER
        try:
            if _identities(staged, "") != expected:
                return False
            try:
                os.rename(staged, target)
            except FileNotFoundError:  # the first folder placed: its parent is still missing
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.rename(staged, target)
        except OSError:  # not staged, not one filesystem, or ``target`` is taken: link the files instead
            return False
        return True

    def place(self, source: str, target: str) -> bool:
        """``target`` becomes ``source``'s content: a hard link (``True``) or a copy.

        An existing ``target`` is removed first, never written through.
        """
        if self.linking:
            try:
                os.link(source, target)
                return True
            except FileExistsError:
                detach(target)
                try:
                    os.link(source, target)
                    return True
                except OSError as error:
                    self._link_failed(error)
            except OSError as error:
                self._link_failed(error)
        detach(target)
        shutil.copyfile(source, target)
        return False

    def _link_failed(self, error: OSError) -> None:
        if error.errno in _NO_LINKS:
            self.linking = False

    # ------------------------------------------------------------------ #
    # Bounds
    # ------------------------------------------------------------------ #

    def keep(self, kind: str, key: str) -> None:
        """Mark the entry ``key`` as part of this build (kept by :meth:`prune`).

        Entries found or stored in this process are marked already; worker
        processes are not, so the caller marks every record's key.
        """
        self._used[kind].add(self._entry(kind, key)[0])

    def prune(self) -> None:
        """Remove what this build did not use: other generations, other entries."""
        try:
            children = list(os.scandir(self.root))
        except OSError:
            return
        current = os.fspath(self.generation)
        for child in children:
            if child.path != current and _GENERATION.fullmatch(child.name) and child.is_dir(follow_symlinks=False):
                shutil.rmtree(child.path, ignore_errors=True)
        for kind, used in self._used.items():
            _prune_entries(self.generation / kind, used)


#: What :func:`_identities` gives a folder.
_FOLDER: Identity = (-1, -1)


def _identities(folder: str, prefix: str) -> dict[str, Identity]:
    """Everything under ``folder``, by its path inside it (a folder's ends with ``/``).

    A file (or symbolic link) maps to its identity, a folder to :data:`_FOLDER`.
    """
    found: dict[str, Identity] = {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                found[f"{prefix}{entry.name}/"] = _FOLDER
                found.update(_identities(entry.path, f"{prefix}{entry.name}/"))
            else:
                stat = entry.stat(follow_symlinks=False)
                found[prefix + entry.name] = (stat.st_dev, stat.st_ino)
    return found


def _prune_entries(folder: Path, used: set[str]) -> None:
    """Remove the files of entries not in ``used`` (and leftovers of interrupted writes)."""
    try:
        buckets = list(os.scandir(folder))
    except OSError:
        return
    for bucket in buckets:
        try:
            files = list(os.scandir(bucket.path))
        except OSError:
            continue
        for file in files:
            if file.name.partition(_SEP)[0] not in used or _UNFINISHED.search(file.name):
                with contextlib.suppress(OSError):
                    os.unlink(file.path)


def settings_key(*parts: Sequence[str] | str) -> str:
    """A stable text of the settings that shape every file (metadata repr, format tuples)."""
    return "\0".join(repr(part) for part in parts)
