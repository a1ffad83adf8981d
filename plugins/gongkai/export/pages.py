"""The data dictionary and downloads pages, as Markdown (no MkDocs import).

:func:`data_dictionary_markdown` is generated from the Table Schemas of
:mod:`gongkai.tables`, so the page cannot drift from the published
descriptors. :func:`downloads_markdown` lists every file of a
:class:`~gongkai.export.site_data.DownloadsIndex` with format, size and
description, followed by the file-format policies (BOM, formulas, decimals).
Tables of links are raw HTML: Python-Markdown passes them through untouched
(fast for 10,000 rows) and MkDocs does not try to resolve their links as
documentation pages.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from gongkai.export.formats import EXPORTERS
from gongkai.export.site_data import BudgetDownloads, DownloadFile, DownloadsIndex
from gongkai.model import STAGE_LABELS
from gongkai.tables import TABLES, Column, Table

TYPE_LABELS = {"string": "文本", "integer": "整数", "number": "数值", "date": "日期", "boolean": "布尔"}

#: Units of the fields that are not money (money is always 元).
FIELD_UNITS = {
    "fiscal_year": "年",
    "staff_establishment": "人",
    "staff_actual": "人",
    "staff_retired": "人",
    "project_count": "个",
    "indicator_count": "个",
    "error_count": "条",
    "warning_count": "条",
    "percent": "%",
    "month": "月",
    "quantity": "见“计量单位”列",
    "value": "见“计量单位”列",
    "value_max": "见“计量单位”列",
    "printed": "原文单位（见“单位”列）",
    "computed": "原文单位（见“单位”列）",
    "difference": "原文单位（见“单位”列）",
}


def human_size(size: int) -> str:
    """``1234567`` → ``1.2 MB`` (decimal units, as download sizes are usually shown)."""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"


# --------------------------------------------------------------------------- #
# Data dictionary
# --------------------------------------------------------------------------- #


def field_unit(column: Column) -> str:
    """The unit of a field: 元 for money, else from :data:`FIELD_UNITS`."""
    if column.is_money:
        return "元"
    return FIELD_UNITS.get(column.name, "")


def _constraints(column: Column) -> str:
    parts = []
    constraints = column.constraints
    if "enum" in constraints:
        parts.append("取值：" + "、".join(f"`{v}`" for v in constraints["enum"]))
    if "pattern" in constraints:
        parts.append(f"格式：`{constraints['pattern']}`")
    if "minimum" in constraints and "maximum" in constraints:
        parts.append(f"范围：{constraints['minimum']}–{constraints['maximum']}")
    elif "minimum" in constraints:
        parts.append(f"最小值：{constraints['minimum']}")
    return "；".join(parts)


def _cell(text: str) -> str:
    """Plain text safe inside a Markdown table cell (code spans may hold ``|`` as is)."""
    return text.replace("|", "\\|").replace("\n", " ")


def _keys(table: Table) -> list[str]:
    lines = [f"主键：{'、'.join(f'`{f}`' for f in table.primary_key)}"]
    for fk in table.foreign_keys:
        target = fk.resource or table.name
        refs = "、".join(f"`{target}.{f}`" for f in fk.reference_fields)
        lines.append(f"外键：{'、'.join(f'`{f}`' for f in fk.fields)} → {refs}")
    return lines


def table_dictionary(table: Table) -> str:
    """The section of one resource: description, keys, and every field."""
    lines = [f'<a id="{table.name}"></a>', "", f"## {table.title} `{table.name}`", "", table.description, ""]
    lines += [f"- {line}" for line in _keys(table)]
    lines += ["", "| 字段 | 中文名 | 类型 | 单位 | 必填 | 说明 |", "|---|---|---|---|---|---|"]
    for column in table.columns:
        note = "；".join(p for p in (_cell(column.description.rstrip("。")), _constraints(column)) if p)
        lines.append(
            f"| `{column.name}` | {_cell(column.title)} | {TYPE_LABELS.get(column.type, column.type)} "
            f"| {field_unit(column)} | {'是' if column.required else ''} | {note} |"
        )
    return "\n".join(lines) + "\n"


def data_dictionary_markdown(tables: Sequence[Table] = TABLES) -> str:
    """The data dictionary page: every resource and field of the package."""
    head = [
        "# 数据字典",
        "",
        "下载文件中每个数据表、每个字段的含义、类型和单位，由数据包的表结构（Table Schema）生成，"
        "与 `datapackage.json` 一致。金额字段（名称以 `_yuan` 结尾）的单位均为元，由原文单位精确换算，"
        "原文所印的单位见同一行的 `unit_printed`（原文单位）。空单元格表示没有该项数值。",
        "",
        "数据表：" + "、".join(f"[{t.title}](#{t.name})" for t in tables),
        "",
    ]
    return "\n".join(head) + "\n" + "\n".join(table_dictionary(t) for t in tables)


# --------------------------------------------------------------------------- #
# Downloads page
# --------------------------------------------------------------------------- #

POLICIES = """\
## 文件格式说明

- **CSV**：每个数据表一个文件，UTF-8 编码、无 BOM、第一行为字段名（见[数据字典]({dictionary})），\
供 pandas、R、Frictionless 等程序读取；`datapackage.json` 记录了每个文件的字段类型、主键外键、大小和 SHA-256。\
这些文件直接用 Excel 双击打开时中文会乱码，请用下面的“Excel 用 CSV”或 XLSX。
- **Excel 用 CSV**（`excel/` 文件夹）：相同的数据，带 UTF-8 BOM、CRLF 换行，可直接用中文版 Excel 打开。\
以 `=`、`+`、`-`、`@`（以及制表符、回车）开头的文字单元格前加了一个单引号 `'`，\
使 Excel 不会把它当作公式执行（防止“CSV 注入”）；数字列（包括负数金额）不加。\
程序读取请用不带 BOM 的 CSV，其中的文字与原文完全一致。
- **XLSX**：每个数据表一个工作表，中文列名，首个工作表“说明”列出来源、许可和各工作表。\
金额为数值单元格（格式 `#,##0.00`，单位元），日期为日期单元格；文字一律按文本保存，不会作为公式执行。\
单个工作表超过 Excel 的 1,048,576 行上限时，自动分成“表名 (2)”等多个工作表。
- **金额**：所有文件中的金额都是精确的十进制数（如 2184.44 万元 → `21844400.00` 元），不经过浮点数，\
不会出现 0.30000000000000004。JSON 中金额写作 JSON 数字，文字与 CSV 完全相同；\
需要精确计算时请按十进制读取（Python：`json.loads(text, parse_float=decimal.Decimal)`）。
- **SQLite**：每个数据表一张表，带主键、外键和索引，可用 [Datasette](https://datasette.io/) 或任何 SQL 客户端打开。\
SQLite 没有十进制类型：金额列为 NUMERIC，整元金额存为精确整数，带角分的金额存为最接近的双精度数\
（读出后与原文小数相同）；对带角分的金额求和时请四舍五入到分，或使用 CSV 中的精确数值。
- **JSON**：一条部门年度记录的全部数据，各数据表为对象数组；没有数值的字段省略，`budget_id` 只在最外层出现一次。
- **ZIP**：部门年度的 ZIP 包含数据包（`datapackage.json` 和 CSV）、JSON、XLSX 和 YAML 原始记录；\
全部数据的 ZIP 包含数据包（`datapackage.json` 和 CSV）。
- 内容不变时重新生成的文件逐字节相同（行按 `budget_id` 排序，压缩包内的时间戳固定为数据包的创建时间）。
"""


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href)}">{escape(text)}</a>'


def _file_rows(files: Iterable[DownloadFile], prefix: str) -> list[str]:
    return [
        "<tr>"
        f"<td>{_link(prefix + f.path, f.path.rsplit('/', 1)[-1])}</td>"
        f"<td>{escape(EXPORTERS[f.format].label if f.format in EXPORTERS else f.title)}</td>"
        f"<td>{human_size(f.bytes)}</td>"
        f"<td>{escape(f.description)}</td>"
        "</tr>"
        for f in files
    ]


def _html_table(header: Sequence[str], rows: list[str]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody>\n</table>\n"


def _budget_row(budget: BudgetDownloads, prefix: str) -> str:
    links = " · ".join(
        _link(prefix + f.path, _SHORT.get(f.format, f.format)) for f in budget.primary_files()
    )
    return (
        "<tr>"
        f"<td>{escape(budget.department_name)}</td><td>{budget.fiscal_year}</td>"
        f"<td>{STAGE_LABELS.get(budget.stage, budget.stage)}</td>"
        f"<td>{links}</td><td>{human_size(budget.total_bytes)}</td>"
        "</tr>"
    )


_SHORT = {"datapackage": "数据包", "json": "JSON", "xlsx": "XLSX", "yaml": "YAML", "zip": "ZIP", "sqlite": "SQLite"}


def downloads_markdown(index: DownloadsIndex, *, link_prefix: str = "", dictionary: str = "data-dictionary.md") -> str:
    """The downloads page.

    Args:
        index: what :func:`~gongkai.export.site_data.write_site_data` returned.
        link_prefix: prepended to every file's URL path (relative to the site
            root) so that it resolves from the page, e.g. ``"../"`` for a page
            at ``downloads/`` with directory URLs.
        dictionary: link to the data dictionary page.
    """
    meta = index.meta
    lines = [
        "# 数据下载",
        "",
        f"{meta.description} 版本 {meta.version}，生成于 {index.created[:10]}，"
        f"许可：[{meta.license_title}]({meta.license_path})。字段含义见[数据字典]({dictionary})。",
        "",
    ]
    whole = [f for f in index.dataset if f.format not in ("csv", "csv-excel")]
    tables = [f for f in index.dataset if f.format == "csv"]
    excel = {f.resource: f for f in index.dataset if f.format == "csv-excel"}
    if index.dataset:
        lines += ["## 全部数据", "", "所有部门、所有年度合并在一起的数据（每个数据表按 `budget_id` 关联）。", ""]
        lines.append(_html_table(["文件", "格式", "大小", "说明"], _file_rows(whole, link_prefix)))
        rows = [
            "<tr>"
            f"<td>{escape(f.title.split('（')[0])}（<code>{escape(f.resource or '')}</code>）</td>"
            f"<td>{_link(link_prefix + f.path, 'CSV')} {human_size(f.bytes)}</td>"
            f"<td>{_excel_link(excel.get(f.resource), link_prefix)}</td>"
            f"<td>{escape(f.description)}</td>"
            "</tr>"
            for f in tables
        ]
        lines += ["### 各数据表", "", _html_table(["数据表", "CSV", "Excel 用 CSV", "说明"], rows)]
    if index.budgets:
        lines += [
            "## 各部门年度",
            "",
            f"共 {len(index.budgets)} 条部门年度记录。每条记录的文件夹中还有每个数据表的 CSV。",
            "",
            _html_table(
                ["部门", "年度", "阶段", "下载", "合计大小"],
                [_budget_row(b, link_prefix) for b in index.budgets.values()],
            ),
        ]
    lines.append(POLICIES.format(dictionary=dictionary))
    return "\n".join(lines)


def _excel_link(f: DownloadFile | None, prefix: str) -> str:
    return f"{_link(prefix + f.path, 'CSV')} {human_size(f.bytes)}" if f else ""
