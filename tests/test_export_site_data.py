"""The site's downloads of the five seed records, checked with the tools users use.

One export (all formats, department-year folders) is shared by the module:
the real ``frictionless validate`` command, pandas, openpyxl and sqlite3
read it back; a second export must give the same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
import subprocess
import sys
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from export_support import load_records, tree_digest
from gongkai.export import site_data
from gongkai.export.formats import ALL_FORMATS
from gongkai.export.pages import data_dictionary_markdown, downloads_markdown
from gongkai.export.site_data import DownloadsIndex, planned_primary_files, write_site_data
from gongkai.package import PackageMeta
from gongkai.tables import CODE_LISTS, TABLES, TABLES_BY_NAME

BUDGET = "130532-203-2023-budget"  # 001 平乡县, printed in 万元
FRICTIONLESS = Path(sys.executable).with_name("frictionless")


@pytest.fixture(scope="module")
def records():
    return load_records(["content"])


@pytest.fixture(scope="module")
def site(records, tmp_path_factory) -> tuple[Path, DownloadsIndex]:
    data = tmp_path_factory.mktemp("site") / "data"
    return data, write_site_data(records, data, PackageMeta())


def _frictionless(descriptor: Path) -> dict:
    run = subprocess.run(
        [str(FRICTIONLESS), "validate", "--json", str(descriptor)],
        capture_output=True, text=True, timeout=600,
    )
    report = json.loads(run.stdout)
    assert run.returncode == 0 and report["valid"], run.stdout[:3000]
    return report


# --------------------------------------------------------------------------- #
# Layout and index
# --------------------------------------------------------------------------- #


def test_layout_has_every_format_at_stable_paths(site):
    data, index = site
    assert index.formats == ALL_FORMATS
    folder = data / "budgets" / BUDGET
    for name in ("datapackage.json", "projects.csv", "excel/projects.csv", f"{BUDGET}.json",
                 f"{BUDGET}.xlsx", f"{BUDGET}.yaml", f"{BUDGET}.zip"):
        assert (folder / name).is_file(), name
    for name in ("datapackage.json", "budgets.csv", "excel/budgets.csv", "gongkai-budgets.xlsx",
                 "gongkai-budgets.zip", "gongkai-budgets.sqlite"):
        assert (data / "all" / name).is_file(), name
    assert (data / "index.json").is_file()


def test_index_lists_every_file_with_size_hash_and_url(site):
    data, index = site
    assert sorted(index.budgets) == sorted(p.name for p in (data / "budgets").iterdir())
    entry = index.for_budget(BUDGET)
    assert entry is not None and entry.folder == f"data/budgets/{BUDGET}/"
    assert entry.department_name == "中共平乡县委组织部" and entry.fiscal_year == 2023
    written = {p.relative_to(data.parent).as_posix() for p in (data / "budgets" / BUDGET).rglob("*") if p.is_file()}
    assert {f.path for f in entry.files} == written
    for f in [*entry.files, *index.dataset]:
        path = data.parent / f.path
        assert f.bytes == path.stat().st_size
        assert f.hash.startswith("sha256:") and f.title and f.description
    assert [f.format for f in entry.primary_files()] == ["datapackage", "json", "xlsx", "yaml", "zip"]
    document = json.loads((data / "index.json").read_text("utf-8"))
    assert {f["path"] for f in document["dataset"]} == {f.path for f in index.dataset}
    assert {b["budget_id"] for b in document["budgets"]} == set(index.budgets)


def test_planned_files_match_what_is_written(site):
    """Pages rendered before the export can link to the same paths."""
    _, index = site
    entry = index.for_budget(BUDGET)
    assert entry is not None
    planned = planned_primary_files(BUDGET)
    assert [(f.format, f.path, f.title) for f in entry.primary_files()] == planned


def test_department_year_package_is_self_contained(site):
    """Its code lists hold exactly the codes it uses (plus ancestors), so keys resolve."""
    data, _ = site
    folder = data / "budgets" / BUDGET
    codes = {r["code"]: r for r in csv.DictReader(io.StringIO((folder / "function_codes.csv").read_text("utf-8")))}
    used = set()
    for name in ("summary_lines", "income_by_function", "expenditure_by_function"):
        with (folder / f"{name}.csv").open(encoding="utf-8") as handle:
            used |= {r["func_code"] for r in csv.DictReader(handle) if r["func_code"]}
    assert used <= set(codes)
    assert all(c["parent_code"] in codes for c in codes.values() if c["parent_code"])
    assert len(codes) < 104  # a subset of the full list
    departments = list(csv.DictReader((folder / "departments.csv").open(encoding="utf-8")))
    assert [d["department_id"] for d in departments] == ["130532-203"]


# --------------------------------------------------------------------------- #
# Frictionless, for real
# --------------------------------------------------------------------------- #


@pytest.mark.slow
def test_frictionless_cli_accepts_whole_dataset_and_a_department_year(site):
    data, _ = site
    _frictionless(data / "all" / "datapackage.json")
    _frictionless(data / "budgets" / BUDGET / "datapackage.json")


@pytest.mark.slow
def test_frictionless_cli_accepts_every_department_year(site):
    data, index = site
    for budget_id in index.budgets:
        _frictionless(data / "budgets" / budget_id / "datapackage.json")


@pytest.mark.slow
def test_frictionless_cli_catches_a_tampered_csv(site, tmp_path):
    """The recorded bytes and hash are checked, so they are worth publishing."""
    data, _ = site
    copy = tmp_path / "pkg"
    for path in (data / "budgets" / BUDGET).glob("*"):
        if path.is_file() and path.suffix in (".json", ".csv"):
            (copy / path.name).parent.mkdir(parents=True, exist_ok=True)
            (copy / path.name).write_bytes(path.read_bytes())
    text = (copy / "projects.csv").read_text("utf-8")
    (copy / "projects.csv").write_text(text.replace("老党员", "老同志", 1), "utf-8")
    run = subprocess.run([str(FRICTIONLESS), "validate", "--json", str(copy / "datapackage.json")],
                         capture_output=True, text=True, timeout=600)
    assert run.returncode != 0
    assert "hash-count" in run.stdout


# --------------------------------------------------------------------------- #
# Reproducibility
# --------------------------------------------------------------------------- #


@pytest.mark.slow
def test_rebuilding_unchanged_content_gives_identical_bytes(site, records, tmp_path):
    data, _ = site
    again = tmp_path / "data"
    write_site_data(list(reversed(records)), again, PackageMeta())
    assert tree_digest(again) == tree_digest(data)


@pytest.mark.slow
def test_worker_processes_give_identical_bytes(site, records, tmp_path, monkeypatch):
    data, _ = site
    monkeypatch.setattr(site_data, "MIN_PARALLEL", 0)
    again = tmp_path / "data"
    write_site_data(records, again, PackageMeta(), jobs=2)
    assert tree_digest(again) == tree_digest(data)


def test_zip_entries_have_fixed_timestamps_and_order(site):
    data, _ = site
    with zipfile.ZipFile(data / "budgets" / BUDGET / f"{BUDGET}.zip") as zf:
        names = zf.namelist()
        assert names[0] == f"{BUDGET}/datapackage.json"
        assert f"{BUDGET}/{BUDGET}.yaml" in names and f"{BUDGET}/{BUDGET}.xlsx" in names
        assert not any("/excel/" in n for n in names)
        assert {i.date_time for i in zf.infolist()} == {(2023, 1, 1, 0, 0, 0)}
    with zipfile.ZipFile(data / "all" / "gongkai-budgets.zip") as zf:
        assert zf.namelist()[0] == "gongkai-budgets/datapackage.json"
        assert zf.read("gongkai-budgets/projects.csv") == (data / "all" / "projects.csv").read_bytes()


def test_stale_files_are_pruned_but_foreign_files_kept(records, tmp_path):
    data = tmp_path / "data"
    stale = data / "budgets" / "110101-1-2000-budget" / "projects.csv"
    stale.parent.mkdir(parents=True)
    stale.write_text("old", "utf-8")
    (data / "all").mkdir()
    (data / "all" / "README.md").write_text("mine", "utf-8")
    write_site_data(records[:1], data, PackageMeta(), ["csv"])
    assert not stale.parent.exists()
    assert (data / "all" / "README.md").exists()


# --------------------------------------------------------------------------- #
# CSV: pandas, frictionless and Excel
# --------------------------------------------------------------------------- #


def test_data_csv_is_utf8_without_bom_and_reads_in_pandas(site):
    data, _ = site
    raw = (data / "all" / "projects.csv").read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r\n" not in raw
    frame = pd.read_csv(data / "all" / "projects.csv", dtype=str, keep_default_na=False)
    assert list(frame.columns) == TABLES_BY_NAME["projects"].column_names
    row = frame[(frame.budget_id == BUDGET) & (frame.project_seq == "1")].iloc[0]
    assert row["name"] == "“老党员驿站”维护运行经费"
    numbers = pd.read_csv(data / "all" / "expenditure_by_function.csv")
    assert numbers["total_yuan"].dtype == "float64"
    assert numbers.loc[(numbers.budget_id == BUDGET) & (numbers.fund_scope == "all") & (numbers.func_code == 201), "total_yuan"].item() == 10442400.0


def test_excel_csv_has_bom_crlf_and_the_same_data(site):
    data, _ = site
    for name in ("projects", "budgets", "project_indicators"):
        raw = (data / "all" / "excel" / f"{name}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), "Excel needs the BOM to read UTF-8"
        assert raw.count(b"\r\n") >= raw.count(b"\n") - raw.count(b'"')  # CRLF row ends
        plain = pd.read_csv(data / "all" / f"{name}.csv", dtype=str, keep_default_na=False)
        excel = pd.read_csv(data / "all" / "excel" / f"{name}.csv", dtype=str, keep_default_na=False)
        assert list(excel.columns) == list(plain.columns)  # pandas drops the BOM itself
        assert excel.shape == plain.shape


def test_without_bom_excel_would_show_mojibake(site):
    """Why the Excel CSV exists: Chinese Excel decodes a BOM-less CSV as GBK."""
    data, _ = site
    raw = (data / "all" / "projects.csv").read_bytes()
    assert "老党员驿站" not in raw.decode("gbk", errors="replace")
    assert "老党员驿站" in (data / "all" / "excel" / "projects.csv").read_bytes().decode("utf-8-sig")


def test_frictionless_reads_the_excel_csv_too(site):
    """Frictionless strips a UTF-8 BOM even when the encoding says utf-8."""
    from frictionless import Resource, Schema

    data, _ = site
    schema = Schema.from_descriptor({**TABLES_BY_NAME["budgets"].schema(), "foreignKeys": []})
    resource = Resource(path="budgets.csv", basepath=str(data / "all" / "excel"), schema=schema, encoding="utf-8")
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type"])


# --------------------------------------------------------------------------- #
# Exact decimals
# --------------------------------------------------------------------------- #

MONEY_TEXT = re.compile(r"^-?\d+(\.\d+)?$")


def test_money_is_exact_decimal_text_in_csv(site):
    """2279.15 万元 style figures become exact 元, never float artefacts."""
    data, _ = site
    with (data / "all" / "expenditure_by_function.csv").open(encoding="utf-8") as handle:
        rows = {(r["budget_id"], r["fund_scope"], r["func_code"]): r for r in csv.DictReader(handle)}
    assert rows[(BUDGET, "all", "201")]["total_yuan"] == "10442400.00"  # 1044.24 万元
    for table in TABLES:
        money = [c.name for c in table.columns if c.is_money]
        path = data / "all" / f"{table.name}.csv"
        if not money or not path.exists():
            continue
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for name in money:
                    value = row[name]
                    assert value == "" or (MONEY_TEXT.match(value) and len(value.partition(".")[2]) <= 4), (table.name, value)


def test_json_record_numbers_are_the_csv_literals(site):
    data, _ = site
    text = (data / "budgets" / BUDGET / f"{BUDGET}.json").read_text("utf-8")
    assert '"total_yuan": 10442400.00' in text
    document = json.loads(text, parse_float=Decimal)
    assert document["budget_id"] == BUDGET
    assert document["budget"]["unit_printed"] == "万元" and "budget_id" not in document["budget"]
    line = next(r for r in document["expenditure_by_function"] if r["func_code"] == "201" and r["fund_scope"] == "all")
    assert line["total_yuan"] == Decimal("10442400.00")
    assert set(document) == {"budget_id", "budget", "department", *(
        t.name for t in TABLES if t.name not in ("budgets", "departments", *CODE_LISTS))}
    with (data / "budgets" / BUDGET / "projects.csv").open(encoding="utf-8") as handle:
        assert len(document["projects"]) == sum(1 for _ in csv.DictReader(handle))


# --------------------------------------------------------------------------- #
# XLSX
# --------------------------------------------------------------------------- #


def test_xlsx_has_chinese_headers_numeric_money_and_a_readme(site):
    data, _ = site
    book = openpyxl.load_workbook(data / "budgets" / BUDGET / f"{BUDGET}.xlsx")
    assert book.sheetnames[0] == "说明"
    assert "项目" in book.sheetnames and "项目绩效指标" in book.sheetnames
    sheet = book["支出功能分类表"]
    header = [c.value for c in sheet[1]]
    assert header == [c.title for c in TABLES_BY_NAME["expenditure_by_function"].columns]
    rows = [dict(zip(header, (c for c in r), strict=False)) for r in sheet.iter_rows(min_row=2)]
    cell = next(r["合计（元）"] for r in rows if r["科目编码"].value == "201" and r["资金范围"].value == "all")
    assert cell.data_type == "n" and cell.value == 10442400 and cell.number_format == "#,##0.00"
    assert rows[0]["科目编码"].data_type == "s"  # codes stay text: "201", not 201
    readme = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True) if r[0]}
    assert readme["许可"].startswith("Creative Commons Attribution 4.0")
    assert "2023" in readme["来源"]


def test_whole_dataset_xlsx_reads_in_pandas(site):
    data, _ = site
    sheets = pd.read_excel(data / "all" / "gongkai-budgets.xlsx", sheet_name=None, dtype=str)
    with (data / "all" / "projects.csv").open(encoding="utf-8") as handle:
        projects = list(csv.DictReader(handle))
    assert len(sheets["项目"]) == len(projects)
    assert sheets["项目"]["项目名称"].tolist() == [p["name"] for p in projects]


def test_xlsx_dates_are_dates(site):
    data, _ = site
    book = openpyxl.load_workbook(data / "all" / "gongkai-budgets.xlsx")
    cells = []
    for table in TABLES:
        dated = [c.title for c in table.columns if c.type == "date"]
        if not dated or table.title not in book.sheetnames:
            continue
        sheet = book[table.title]
        header = [c.value for c in sheet[1]]
        for row in sheet.iter_rows(min_row=2):
            cells += [row[header.index(t)] for t in dated if row[header.index(t)].value is not None]
    assert cells, "the seeds have deadlines"
    assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in cells)


# --------------------------------------------------------------------------- #
# SQLite
# --------------------------------------------------------------------------- #


def test_sqlite_has_keys_indexes_and_passes_foreign_key_check(site):
    data, _ = site
    db = sqlite3.connect(data / "all" / "gongkai-budgets.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    for table in TABLES:
        info = db.execute(f'PRAGMA table_info("{table.name}")').fetchall()
        pk = [row[1] for row in sorted(info, key=lambda r: r[5]) if row[5]]
        assert pk == list(table.primary_key), table.name
        fks = {(row[3], row[2]) for row in db.execute(f'PRAGMA foreign_key_list("{table.name}")')}
        for fk in table.foreign_keys:
            assert (fk.fields[0], fk.resource or table.name) in fks
            indexed = [
                [r[2] for r in db.execute(f'PRAGMA index_info("{index[1]}")')]
                for index in db.execute(f'PRAGMA index_list("{table.name}")')
            ]
            assert any(cols[: len(fk.fields)] == list(fk.fields) for cols in indexed), (table.name, fk.fields)
    count = db.execute("SELECT count(*) FROM projects").fetchone()[0]
    assert count == 76


def test_sqlite_money_reads_back_as_the_printed_decimal(site):
    data, _ = site
    db = sqlite3.connect(data / "all" / "gongkai-budgets.sqlite")
    total = db.execute(
        "SELECT total_yuan, typeof(total_yuan) FROM expenditure_by_function "
        "WHERE budget_id = ? AND fund_scope = 'all' AND func_code = '201'", (BUDGET,)
    ).fetchone()
    assert total == (10442400, "integer")
    for table in TABLES:
        money = [c.name for c in table.columns if c.type == "number"]
        path = data / "all" / f"{table.name}.csv"
        if not money or not path.exists():
            continue
        with path.open(encoding="utf-8") as handle:
            expected = [[row[m] for m in money] for row in csv.DictReader(handle)]
        columns = ", ".join(f'"{m}"' for m in money)
        got = db.execute(f'SELECT {columns} FROM "{table.name}"').fetchall()
        want = Counter(tuple(Decimal(v) if v else None for v in row) for row in expected)
        have = Counter(tuple(Decimal(repr(v)) if v is not None else None for v in row) for row in got)
        assert have == want, table.name


# --------------------------------------------------------------------------- #
# Pages
# --------------------------------------------------------------------------- #


def test_data_dictionary_documents_every_field():
    page = data_dictionary_markdown()
    for table in TABLES:
        assert f"## {table.title} `{table.name}`" in page
        for column in table.columns:
            assert f"| `{column.name}` | {column.title} |" in page
    assert "| `income_total_yuan` | 收入总计（元） | 数值 | 元 |" in page


def test_downloads_page_lists_every_file_and_policy(site):
    _, index = site
    page = downloads_markdown(index, link_prefix="../")
    for f in index.dataset:
        assert f'href="../{f.path}"' in page
    for budget in index.budgets.values():
        assert f'href="../{budget.folder}{budget.budget_id}.zip"' in page
    for policy in ("BOM", "单引号", "0.30000000000000004", "NUMERIC"):
        assert policy in page
