"""Fast rebuilds in ``mkdocs serve``: keep the pages whose output cannot have changed.

MkDocs rebuilds the whole site after every edit (it empties the site
directory first), and writing a thousand department-year pages through the
theme takes longer than the three seconds a contributor should wait after
saving a YAML file. So, between two builds of one ``mkdocs serve``:

* before MkDocs empties the site directory, its content is moved aside
  (one rename per top-level entry: :meth:`PageReuse.stash`);
* a generated page that is not in the navigation is *reused* when its key —
  the record's digest or the rendered body's hash, the page options, and the
  fingerprint of everything around the body (``mkdocs.yml``, the hand-written
  pages, the templates: :func:`frame_fingerprint`) — equals the key of the
  previous build: the plugin leaves it out of MkDocs' files, and
  :meth:`PageReuse.restore` moves the written file back;
* outputs the plugin writes after the pages (the search index, the
  downloads) are moved back as they were; the log says they are refreshed by
  ``mkdocs build``.

Anything else (a changed template, a new page in ``docs/``) changes the
fingerprint, and the next build is a full one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sysconfig
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

#: Where installed packages live: theme folders there (Material's 14,000
#: files, most of them icons) do not change while ``mkdocs serve`` runs.
INSTALLED = tuple(
    dict.fromkeys(Path(sysconfig.get_paths()[key]).resolve() for key in ("purelib", "platlib"))
)


def frame_fingerprint(
    config_file: Path | None, folders: Iterable[Path], installed: Sequence[Path] = INSTALLED
) -> str:
    """Changes whenever anything that surrounds a page's body may have changed.

    That is the ``mkdocs.yml`` text and the name, size and modification time
    of every file in ``folders`` (the docs directory and the theme
    directories): a hand-written page renamed in the navigation, an edited
    template or stylesheet. A folder of an installed package (under
    ``installed``) counts by its own identity and time only: walking
    Material's templates took 0.17 s of every rebuild, for files that only
    an upgrade of the package changes (which replaces the folder).
    """
    digest = hashlib.sha256()
    if config_file is not None and config_file.is_file():
        digest.update(config_file.read_bytes())
    for folder in folders:
        if not folder.is_dir():
            continue
        if _inside(folder, installed):
            stat = folder.stat()
            digest.update(f"{folder}\0{stat.st_ino}\0{stat.st_mtime_ns}\n".encode())
            continue
        for base, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(names):
                path = Path(base, name)
                try:
                    stat = path.stat()
                except OSError:
                    continue
                digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _inside(folder: Path, roots: Sequence[Path]) -> bool:
    resolved = folder.resolve()
    return any(resolved.is_relative_to(root) for root in roots)


class PageReuse:
    """What the previous build of this ``mkdocs serve`` wrote, and what may be kept."""

    def __init__(self) -> None:
        self.frame = ""
        #: src → (key, destination path relative to the site directory)
        self.written: dict[str, tuple[str, str]] = {}
        self.stashed: Path | None = None
        self.reused: dict[str, str] = {}

    def stash(self, site_dir: Path) -> None:
        """Move the previous output aside before MkDocs empties the site directory."""
        self.discard()
        if not site_dir.is_dir() or not self.written:
            return
        aside = Path(tempfile.mkdtemp(prefix="gongkai-previous-", dir=site_dir.parent))
        for child in site_dir.iterdir():
            child.rename(aside / child.name)
        self.stashed = aside

    def plan(self, frame: str, keys: dict[str, str]) -> set[str]:
        """The pages (by src) whose previous output can be kept as it is."""
        self.reused = {}
        if self.stashed is None or frame != self.frame:
            self.frame = frame
            self.written = {}
            return set()
        for src, key in keys.items():
            previous = self.written.get(src)
            if previous is not None and previous[0] == key and (self.stashed / previous[1]).is_file():
                self.reused[src] = previous[1]
        self.written = {src: item for src, item in self.written.items() if src in self.reused}
        return set(self.reused)

    def remember(self, src: str, key: str, dest: str) -> None:
        """A page written by this build (so the next build may keep it)."""
        self.written[src] = (key, dest)

    def restore(self, site_dir: Path, folders: Iterable[str] = ()) -> int:
        """Move the kept pages (and ``folders``, e.g. the search index) back; count the pages."""
        if self.stashed is None:
            return 0
        moved = 0
        for _src, dest in self.reused.items():
            target = site_dir / dest
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            (self.stashed / dest).rename(target)
            moved += 1
        for name in folders:
            source = self.stashed / name
            if source.exists() and not (site_dir / name).exists():
                source.rename(site_dir / name)
        self.discard()
        return moved

    def discard(self) -> None:
        """Remove what was moved aside and not restored."""
        if self.stashed is not None:
            shutil.rmtree(self.stashed, ignore_errors=True)
            self.stashed = None
