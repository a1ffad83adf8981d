"""The on-disk caches' file handling: one pickle per key, written atomically, read leniently.

Both caches of a build (validated records, :class:`~gongkai.site.source.DiskCache`;
rendered pages, :class:`~gongkai.site.build.PageCache`) are the site's own
build state, like ``__pycache__``: never shared between users. A file that
cannot be read — missing, truncated, from another version — is a miss, and a
file that cannot be written is simply not cached.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
import shutil
import tempfile
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

_UNREADABLE = (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, TypeError)


def scratch_dir(prefix: str) -> Path:
    """A temporary directory for a cache that must not outlive this process (``cache: false``)."""
    folder = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, folder, True)
    return Path(folder)


def pickle_path(root: Path, *parts: str) -> Path:
    """Where the value keyed by ``parts`` lives under ``root`` (hashed, two-level)."""
    name = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return root / name[:2] / f"{name}.pickle"


def read_pickle(path: Path, kind: type[T]) -> T | None:
    """The value at ``path`` if it is a ``kind``; ``None`` for anything else."""
    try:
        with path.open("rb") as handle:
            value = pickle.load(handle)
    except _UNREADABLE:
        return None
    return value if isinstance(value, kind) else None


def write_pickle(path: Path, value: object) -> None:
    """Write ``value`` to ``path`` atomically (a reader never sees half a file)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
    except OSError:
        pass
