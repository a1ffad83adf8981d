"""Exporters: the normalised package written as files.

``export_content`` is what ``gongkai export`` runs: load, validate, and
write the downloads of the records that pass. A record that does not pass
is reported and the export fails, rather than publishing a package that is
silently missing a department. The site calls
:func:`gongkai.export.site_data.write_site_data` directly.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from gongkai.errors import Lang
from gongkai.export.formats import check_formats
from gongkai.export.site_data import DownloadsIndex, export_records, write_site_data
from gongkai.loader import load_paths
from gongkai.package import PackageMeta, RecordData
from gongkai.report import render_text
from gongkai.validate import validate_records

__all__ = ["DownloadsIndex", "export_content", "write_site_data"]


def export_content(
    paths: Iterable[str],
    out: Path,
    lang: Lang = "zh",
    meta: PackageMeta | None = None,
    *,
    formats: Sequence[str] | None = None,
    per_budget: bool = False,
    jobs: int | None = None,
) -> int:
    """Validate ``paths`` and write the downloads to ``out``; 0 on success, 1 if invalid.

    Without ``per_budget`` the whole dataset is written straight into ``out``
    (``datapackage.json`` and one CSV per resource, plus the other
    ``formats``); with it, ``out`` gets the site's ``data/`` layout.
    """
    check_formats(formats)  # a typo is reported before minutes of loading
    records = load_paths(paths, base=Path.cwd())
    reports = validate_records(records)
    if not reports:
        print("没有找到 .yaml 文件。" if lang == "zh" else "no .yaml files found.", file=sys.stderr)
        return 2
    if not all(r.valid for r in reports):
        print(render_text([r for r in reports if not r.valid], lang, quiet=True), file=sys.stderr)
        return 1
    data = [
        RecordData(r.record.budget, r.record.display, r.findings, r.record.path)
        for r in reports
        if r.record.budget
    ]
    if per_budget:
        index = write_site_data(data, out, meta, formats, jobs=jobs, url_base="")
    else:
        index = export_records(data, dataset_dir=out, budgets_dir=None, meta=meta, formats=formats, jobs=jobs)
    if lang == "zh":
        print(f"已写入 {out}（{len(index.dataset)} 个全部数据文件，{len(index.budgets)} 个部门年度文件夹）")
    else:
        print(f"wrote {out} ({len(index.dataset)} dataset files, {len(index.budgets)} department-year folders)")
    return 0
