"""Unit tests of the export building blocks: XLSX writer, descriptor text, zips, CLI."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
from export_support import REPO, load_records
from gongkai.cli import main
from gongkai.errors import ConfigError
from gongkai.export import xlsx
from gongkai.export.csv_package import csv_bytes, descriptor_bytes
from gongkai.export.formats import check_formats
from gongkai.export.site_data import write_site_data
from gongkai.export.xlsx import (
    TEXT,
    SheetColumn,
    Workbook,
    WorkbookInfo,
    column_letter,
    escape_text,
    sheet_name,
)
from gongkai.export.zips import DeterministicZip, zip_time
from gongkai.package import PackageMeta

INFO = WorkbookInfo("t", "me", "d", "2024-01-01T00:00:00Z", zip_time("2024-01-01T00:00:00Z"))


def _book(rows: list[list[str]], **kwargs) -> bytes:
    book = Workbook(INFO, **kwargs)
    sheet = book.add_sheet("表", [SheetColumn("a", "甲", TEXT, 10), SheetColumn("b", "乙", xlsx.MONEY, 10)])
    sheet.append_texts(rows)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_column_letters_and_sheet_names():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    taken: set[str] = set()
    assert sheet_name("a/b[c]", taken) == "a_b_c_"
    assert sheet_name("A/B[C]", taken) == "A_B_C_ (2)"  # Excel names are case-insensitive
    assert len(sheet_name("长" * 40, taken)) == 31


def test_text_escaping_keeps_every_character():
    raw = 'a<b>&"c"\x01_x0041_ \r\n'
    escaped = escape_text(raw)
    assert "\x01" not in escaped and "_x0001_" in escaped and "_x005F_x0041_" in escaped
    data = _book([[raw, "1.5"], ["  lead", ""], ["x" * 40000, "-3"]])
    sheet = openpyxl.load_workbook(io.BytesIO(data))["表"]
    # openpyxl does not decode OOXML's _xHHHH_ escapes (Excel does); CR and LF survive
    assert sheet["A2"].value == 'a<b>&"c"_x0001__x005F_x0041_ \r\n'
    assert sheet["A3"].value == "  lead" and sheet["B3"].value is None
    assert len(sheet["A4"].value) == xlsx.MAX_CELL_CHARS and sheet["B4"].value == -3


def test_sheets_split_at_the_row_limit(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 4)  # header + 3 rows per sheet
    data = _book([[str(i), str(i)] for i in range(8)], spool=True)
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["表", "表 (2)", "表 (3)"]
    values = [r[0] for name in book.sheetnames for r in book[name].iter_rows(min_row=2, values_only=True)]
    assert values == [str(i) for i in range(8)]
    assert all(book[name]["A1"].value == "甲" for name in book.sheetnames)


def test_workbook_bytes_do_not_depend_on_the_clock():
    assert _book([["a", "1"]]) == _book([["a", "1"]])
    with zipfile.ZipFile(io.BytesIO(_book([["a", "1"]]))) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2024, 1, 1, 0, 0, 0)}
        assert b"2024-01-01T00:00:00Z" in zf.read("docProps/core.xml")


def test_zip_time_never_precedes_1980(tmp_path):
    assert zip_time("1970-01-01T00:00:00Z") == (1980, 1, 1, 0, 0, 0)
    target = tmp_path / "x.zip"
    with DeterministicZip(target, zip_time(None)) as zf:
        zf.add_bytes("a.txt", b"a")
    assert zipfile.ZipFile(target).infolist()[0].create_system == 3


def test_descriptor_bytes_is_exactly_json_dumps():
    package = json.loads((REPO / "datapackages" / "gongkai-budgets" / "datapackage.json").read_text("utf-8"))
    assert descriptor_bytes(package) == (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode()
    compact = json.dumps(package, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert descriptor_bytes(package, compact=True) == compact.encode()


def test_excel_csv_flavour():
    rows = [{"budget_id": "x", "seq": 1, "rule_id": "=1", "severity": "error", "subject": "-s", "message": "m", "printed": -1}]
    data = csv_bytes("findings", rows)
    excel = csv_bytes("findings", rows, excel=True)
    assert data.startswith(b"budget_id,") and b",=1," in data and b",-1," in data
    assert excel.startswith(b"\xef\xbb\xbfbudget_id,") and excel.endswith(b"\r\n")
    assert b",'=1," in excel and b",'-s," in excel and b",-1," in excel  # numbers untouched


def test_unknown_format_is_a_configuration_error():
    assert check_formats(["zip", "csv"]) == ("csv", "zip")  # registry order
    with pytest.raises(ConfigError, match="unknown download format: pdf"):
        check_formats(["pdf"])


def test_cli_export_formats_and_per_budget(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(REPO)
    flat = tmp_path / "flat"
    assert main(["export", "content/130532", "--out", str(flat), "--formats", "csv"]) == 0
    assert sorted(p.name for p in flat.iterdir() if not p.name.endswith(".csv")) == ["datapackage.json"]
    site = tmp_path / "site"
    assert main(["export", "content/130532", "--out", str(site), "--per-budget", "--formats", "csv,json,zip"]) == 0
    folder = site / "budgets" / "130532-203-2023-budget"
    assert (folder / "130532-203-2023-budget.json").is_file() and (site / "all" / "gongkai-budgets.zip").is_file()
    assert not (folder / "130532-203-2023-budget.xlsx").exists()
    index = json.loads((site / "index.json").read_text("utf-8"))
    assert index["budgets"][0]["folder"] == "budgets/130532-203-2023-budget/"
    assert main(["export", "content", "--out", str(tmp_path / "x"), "--formats", "csv,pdf"]) == 2
    assert "unknown download format: pdf" in capsys.readouterr().err


def test_budget_formats_can_differ_from_dataset_formats(tmp_path: Path):
    records = load_records(["content/130532"])
    index = write_site_data(records, tmp_path / "data", PackageMeta(), budget_formats=["xlsx", "zip"])
    entry = index.for_budget("130532-203-2023-budget")
    assert entry is not None and [f.format for f in entry.files] == ["xlsx", "zip"]
    assert {f.format for f in index.dataset} == {"datapackage", "csv", "csv-excel", "xlsx", "sqlite", "zip"}


def test_every_download_format_is_documented():
    from gongkai.export.formats import EXPORTERS

    page = (REPO / "docs" / "reference" / "open-data.md").read_text("utf-8")
    for name in EXPORTERS:
        assert f"`{name}`" in page, name


def test_cli_export_uses_every_cpu_by_default_and_writes_the_same_bytes(tmp_path, monkeypatch) -> None:
    """``gongkai export`` without ``--jobs`` validates and renders in one process per CPU; same files as ``--jobs 1``."""
    import gongkai.export as export_module
    from gongkai.export import site_data
    from gongkai.synth import write_site

    write_site(tmp_path / "site", 60, 3, 0.0, False)
    monkeypatch.chdir(tmp_path / "site")
    monkeypatch.setattr(export_module, "default_jobs", lambda count: 2)
    used: list[int] = []
    real_jobs = site_data._jobs
    monkeypatch.setattr(site_data, "_jobs", lambda jobs, records: used.append(jobs) or real_jobs(jobs, records))
    outputs = {}
    for label, extra in (("default", []), ("one", ["--jobs", "1"])):
        out = tmp_path / label
        assert main(["export", "content", "--out", str(out), "--per-budget", "--formats", "csv,json,zip", *extra]) == 0
        outputs[label] = {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
    assert used == [2, 1]
    assert len(outputs["default"]) > 60 * 3
    assert outputs["default"] == outputs["one"]

def test_cli_export_refuses_zero_jobs(tmp_path, capsys):
    assert main(["export", "content", "--out", str(tmp_path / "zero"), "--jobs", "0"]) == 2
    assert "--jobs must be at least 1" in capsys.readouterr().err
    assert not (tmp_path / "zero").exists()


def test_cli_export_to_a_file_or_under_one_is_a_clear_error(tmp_path, monkeypatch, capsys):
    """An ``--out`` that cannot be a folder is said in one line, not a traceback; nothing is left behind."""
    monkeypatch.chdir(REPO)
    afile = tmp_path / "afile"
    afile.write_text("x", "utf-8")
    assert main(["export", "content/130532", "--out", str(afile)]) == 2
    assert f"--out {afile} 已存在且不是文件夹" in capsys.readouterr().err
    assert main(["export", "content/130532", "--out", str(afile / "sub")]) == 2
    err = capsys.readouterr().err
    assert "无法写出 / cannot write" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
