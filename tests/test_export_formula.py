"""Text that a spreadsheet would run as a formula never runs, and data stays exact.

A record whose project and category names start with ``=``, ``@``, ``+`` and
``-`` is exported; the policy (docs/open-data.md) is checked in every format:
the data CSV and JSON keep the text exactly, the Excel CSV prefixes ``'``,
the XLSX stores an inline string (never a formula) with ``quotePrefix``, and
numbers — a negative amount included — stay numbers everywhere.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from export_support import REPO, load_records
from gongkai.export.csv_package import defuse_formula, is_formula_like
from gongkai.export.site_data import write_site_data
from gongkai.package import PackageMeta

SOURCE = REPO / "content" / "130532" / "130532-203-2023-budget.yaml"
NEGATIVE = REPO / "content" / "130208" / "130208-203002-2020-budget.yaml"  # change_vehicle: -4.2 万元
BUDGET = "130532-203-2023-budget"
HYPERLINK = '=HYPERLINK("http://example.com/x","点我")'
NAMES = {
    "name: “老党员驿站”维护运行经费": f"name: '{HYPERLINK}'",
    "name: 基层党建制度推行及规范化运行工作": "name: '@SUM(1)'",
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("formula")
    content = root / "content"
    (content / "130532").mkdir(parents=True)
    text = SOURCE.read_text("utf-8")
    for old, new in NAMES.items():
        assert old in text
        text = text.replace(old, new, 1)
    (content / "130532" / SOURCE.name).write_text(text, "utf-8")
    (content / "130208").mkdir()
    shutil.copy(NEGATIVE, content / "130208" / NEGATIVE.name)
    data = root / "data"
    write_site_data(load_records([content], base=root), data, PackageMeta())
    return data


def _rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding))))


def test_policy_helpers():
    for text in ("=1+1", "+86", "-5%", "@SUM(1)", "\t=1", "\r=1"):
        assert is_formula_like(text) and defuse_formula(text) == "'" + text
    for text in ("1+1", "老党员", "'=quoted", ""):
        assert not is_formula_like(text) and defuse_formula(text) == text


def test_data_csv_and_json_keep_the_text_exactly(exported):
    folder = exported / "budgets" / BUDGET
    names = [r["name"] for r in _rows(folder / "projects.csv")]
    assert HYPERLINK in names
    categories = [r["name"] for r in _rows(folder / "performance_categories.csv")]
    assert "@SUM(1)" in categories
    document = json.loads((folder / f"{BUDGET}.json").read_text("utf-8"))
    assert HYPERLINK in [p["name"] for p in document["projects"]]


def test_excel_csv_defuses_text_but_not_numbers(exported):
    for folder in (exported / "budgets" / BUDGET / "excel", exported / "all" / "excel"):
        names = [r["name"] for r in _rows(folder / "projects.csv", "utf-8-sig")]
        assert "'" + HYPERLINK in names and HYPERLINK not in names
        categories = [r["name"] for r in _rows(folder / "performance_categories.csv", "utf-8-sig")]
        assert "'@SUM(1)" in categories
    figures = _rows(exported / "all" / "excel" / "three_public.csv", "utf-8-sig")
    negative = [r["amount_yuan"] for r in figures if r["amount_yuan"].startswith("-")]
    assert negative, "the 130208 record has negative changes"
    assert all(not v.startswith("'") for r in figures for v in r.values() if v.lstrip("-").replace(".", "").isdigit())


def test_excel_csv_never_starts_a_text_cell_with_a_trigger(exported):
    for path in (exported / "all" / "excel").glob("*.csv"):
        for row in _rows(path, "utf-8-sig"):
            for value in row.values():
                if is_formula_like(value):
                    assert value.lstrip("-").replace(".", "", 1).isdigit(), (path.name, value)


@pytest.mark.parametrize("where", ["budget", "all"])
def test_xlsx_stores_formula_like_text_as_text(exported, where):
    path = (
        exported / "budgets" / BUDGET / f"{BUDGET}.xlsx" if where == "budget" else exported / "all" / "gongkai-budgets.xlsx"
    )
    with zipfile.ZipFile(path) as zf:
        xml = b"".join(zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
        assert b"<f>" not in xml and b"<f " not in xml  # no formula anywhere
        assert b'quotePrefix="1"' in zf.read("xl/styles.xml")
    book = openpyxl.load_workbook(path)
    cells = {c.value: c for row in book["项目"].iter_rows(min_row=2) for c in row}
    cell = cells[HYPERLINK]
    assert cell.data_type == "s" and cell.value == HYPERLINK  # exact, no added quote
    assert cell.quotePrefix
    category = {c.value: c for row in book["分项绩效目标"].iter_rows(min_row=2) for c in row}["@SUM(1)"]
    assert category.data_type == "s" and category.quotePrefix
    money = [c for row in book["“三公”经费"].iter_rows(min_row=2) for c in row
             if isinstance(c.value, (int, float)) and c.value < 0]
    assert money and all(c.data_type == "n" for c in money)
