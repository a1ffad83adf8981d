"""Exporters: the normalised package written as files.

``export_content`` is what ``gongkai export`` runs: load, validate, and
write the data package of the records that pass. A record that does not pass
is reported and the export fails, rather than publishing a package that is
silently missing a department.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path

from gongkai.errors import Lang
from gongkai.export.csv_package import write_csv_package
from gongkai.loader import load_paths
from gongkai.package import PackageMeta, RecordData
from gongkai.report import render_text
from gongkai.validate import validate_records


def export_content(paths: Iterable[str], out: Path, lang: Lang = "zh", meta: PackageMeta | None = None) -> int:
    """Validate ``paths`` and write the package to ``out``; 0 on success, 1 if invalid."""
    records = load_paths(paths, base=Path.cwd())
    reports = validate_records(records)
    if not reports:
        print("没有找到 .yaml 文件。" if lang == "zh" else "no .yaml files found.", file=sys.stderr)
        return 2
    if not all(r.valid for r in reports):
        print(render_text([r for r in reports if not r.valid], lang, quiet=True), file=sys.stderr)
        return 1
    data = [RecordData(r.record.budget, r.record.display, r.findings) for r in reports if r.record.budget]
    descriptor_path = write_csv_package(data, out, meta or PackageMeta())
    print(f"{descriptor_path}" if lang == "en" else f"已写入 {descriptor_path}")
    return 0
