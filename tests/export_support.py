"""Helpers for the export tests: load records the way ``gongkai export`` does."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from gongkai.loader import load_paths
from gongkai.package import RecordData
from gongkai.validate import validate_records

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"
#: ``GONGKAI_UPDATE_GOLDEN=1 pytest tests/test_export_golden.py`` rewrites the golden files.
UPDATE_GOLDEN = os.environ.get("GONGKAI_UPDATE_GOLDEN") == "1"


def load_records(paths: Iterable[str | Path], base: Path = REPO) -> list[RecordData]:
    """Valid records of ``paths``, with findings and source paths, as the CLI builds them."""
    reports = validate_records(load_paths(paths, base=base))
    invalid = [r.record.display for r in reports if not r.valid]
    assert not invalid, f"invalid records: {invalid}"
    return [
        RecordData(r.record.budget, r.record.display, r.findings, r.record.path)
        for r in reports
        if r.record.budget is not None
    ]


def tree_digest(root: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file under ``root``."""
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }
