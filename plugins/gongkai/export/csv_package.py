"""Writing the data package as CSV files plus ``datapackage.json``.

Files are written deterministically: rows in a stable order, ``\\n`` line
endings, JSON keys in a fixed order, so that rebuilding unchanged content
gives byte-identical output (a reviewer's diff shows only real changes).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gongkai.package import PackageMeta, RecordData, build_tables, cell_text, descriptor
from gongkai.tables import TABLES_BY_NAME

DATA_DIR = "data"


def csv_bytes(name: str, rows: Sequence[dict[str, Any]]) -> bytes:
    """The CSV text of one resource, UTF-8, header row first."""
    columns = TABLES_BY_NAME[name].column_names
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell_text(row.get(c)) for c in columns])
    return buffer.getvalue().encode("utf-8")


def file_info(data: bytes) -> dict[str, Any]:
    """Byte size and hash, as Data Package v2 records them."""
    return {"bytes": len(data), "hash": "sha256:" + hashlib.sha256(data).hexdigest()}


def write_csv_package(records: Sequence[RecordData], out: Path, meta: PackageMeta) -> Path:
    """Write one CSV per non-empty resource and the descriptor; return its path."""
    tables = build_tables(records)
    out.mkdir(parents=True, exist_ok=True)
    (out / DATA_DIR).mkdir(exist_ok=True)
    paths: dict[str, str] = {}
    files: dict[str, dict[str, Any]] = {}
    for name, rows in tables.items():
        if not rows:
            continue
        data = csv_bytes(name, rows)
        relative = f"{DATA_DIR}/{name}.csv"
        (out / relative).write_bytes(data)
        paths[name] = relative
        files[name] = file_info(data)
    package = descriptor(tables, meta, records, paths, files)
    target = out / "datapackage.json"
    target.write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return target
