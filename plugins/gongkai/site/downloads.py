"""The downloads box of a department-year page: which files, with which labels.

The export (:mod:`gongkai.export.site_data`) writes each department-year's
files under ``data/budgets/<budget_id>/`` with fixed names, so the links are
known before anything is written (:func:`~gongkai.export.site_data.planned_primary_files`):
a page can be rendered, and cached, before the export runs. Sizes are not
known then; a :class:`~gongkai.site.budget_view.Download` built later from the
written files may carry them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from gongkai.export.site_data import planned_primary_files
from gongkai.site.budget_view import OPEN_DATA_PAGE, Download

__all__ = ["LABELS", "OPEN_DATA_PAGE", "planned_downloads"]

#: Export key → (label on the page, format shown next to it), in the order shown:
#: the workbook first (what most readers open). Short: every page carries them;
#: docs/reference/open-data.md (linked from the box) says what each file holds.
LABELS: dict[str, tuple[str, str]] = {
    "xlsx": ("Excel 工作簿", "XLSX"),
    "datapackage": ("CSV 数据包（datapackage.json）", "CSV"),
    "json": ("整条记录", "JSON"),
    "yaml": ("记录原文", "YAML"),
    "zip": ("打包下载", "ZIP"),
}


def _order(key: str) -> int:
    keys = list(LABELS)
    return keys.index(key) if key in keys else len(keys)


def planned_downloads(
    budget_ids: Iterable[str],
    formats: Sequence[str] | None = None,
    url_base: str = "data/",
    *,
    about: str | None = None,
    index: str | None = None,
) -> dict[str, list[Download]]:
    """The files each department-year will offer, by budget id (sizes unknown).

    Args:
        budget_ids: the department-years of the site.
        formats: export formats (keys of ``gongkai.export.formats.EXPORTERS``); default all.
        url_base: URL path of the site's ``data/`` folder from the site root.
        about: source path of the page that explains the files (``reference/open-data.md``)
            when the site has it; the box links to it.
        index: source path of the page that lists every download of the site
            (the plugin's ``downloads/index.md``); the box links to it.

    Returns:
        ``{budget_id: [Download, …]}`` with ``href`` relative to the site root;
        the page makes it relative to itself.
    """
    out: dict[str, list[Download]] = {}
    extra = [Download("开放数据文件说明", about, role="about")] if about else []
    extra += [Download("数据下载", index, role="index")] if index else []
    for budget_id in budget_ids:
        files = sorted(
            planned_primary_files(budget_id, formats, url_base), key=lambda f: _order(f[0])
        )
        out[budget_id] = [_download(key, path, title) for key, path, title in files] + extra
    return out


def _download(key: str, path: str, title: str) -> Download:
    label, shown = LABELS.get(key, (title, key.upper()))
    return Download(label, path, format=shown)
