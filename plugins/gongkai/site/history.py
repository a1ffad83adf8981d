"""When each record last changed, for the home page's "recently changed" list.

One ``git log`` over the content directory gives the last commit time of
every file in a single subprocess (one call per file would cost seconds on a
thousand records); outside a Git checkout, or for uncommitted files, the
file's modification time stands in. Failure to run Git is not an error.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path


def git_times(root: Path, directory: Path) -> dict[Path, datetime]:
    """Last commit time of each file under ``directory`` (empty if Git is unavailable)."""
    try:
        result = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "log",
                "--format=@%ct",
                "--name-only",
                "--no-renames",
                "--",
                str(directory),
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if result.returncode != 0:
        return {}
    toplevel = _toplevel(root)
    if toplevel is None:
        return {}
    times: dict[Path, datetime] = {}
    current: datetime | None = None
    for line in result.stdout.splitlines():
        if line.startswith("@"):
            current = datetime.fromtimestamp(int(line[1:]), UTC)
        elif line and current is not None:
            times.setdefault((toplevel / line).resolve(), current)
    return times


def _toplevel(root: Path) -> Path | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out.stdout.strip()) if out.returncode == 0 and out.stdout.strip() else None


def changed_times(root: Path, directory: Path, files: Iterable[Path]) -> dict[Path, datetime]:
    """Last change of each of ``files``: Git commit time, else modification time."""
    committed = git_times(root, directory)
    out: dict[Path, datetime] = {}
    for path in files:
        resolved = path.resolve()
        when = committed.get(resolved)
        if when is None:
            try:
                when = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            except OSError:
                continue
        out[resolved] = when
    return out
