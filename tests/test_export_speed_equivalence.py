"""The shortcuts of a department-year folder's writers give the bytes of the plain code.

Each department-year folder is written by the thousand, so its writers take
shortcuts: the data CSV joined without :mod:`csv` when nothing needs
quoting, worksheet rows interleaved with cached tags, the 说明 rows
remembered, the JSON rows joined at once. Each is checked here against the
plain, obviously-correct form it replaces, on the seed records and on cells
chosen to need quoting.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile

import pytest
from export_support import load_records
from gongkai.export import xlsx
from gongkai.export.bundle import Reference, make_bundle, used_reference_rows
from gongkai.export.csv_package import csv_from_texts, row_texts
from gongkai.export.xlsx import TEXT, SheetColumn, Workbook, WorkbookInfo, render_row
from gongkai.export.zips import zip_time
from gongkai.tables import CODE_LISTS, TABLES, TABLES_BY_NAME


@pytest.fixture(scope="module")
def bundles():
    reference = Reference.build()
    return [make_bundle(record, reference) for record in load_records(["content"])]


def _writer_csv(texts: list[list[str]]) -> str:
    """The data CSV body as :mod:`csv` writes it (what the shortcut must equal)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(texts)
    return buffer.getvalue()


#: Cells that make :mod:`csv` quote (or not): delimiters, quotes, line breaks, empties.
CELLS = ["", "a", "项目", ",", "a,b", '"', 'say "hi"', "\n", "a\nb", "\r", "a\r\nb", " ", "'", "=1", "-0.50", "\t"]


def test_data_csv_is_what_the_csv_module_writes():
    rng = random.Random(11)
    for trial in range(400):
        width = rng.choice([1, 2, 3, 7])
        awkward = rng.random() < 0.5
        texts = [
            [rng.choice(CELLS) if awkward else rng.choice(["", "a", "项目", "12.00"]) for _ in range(width)]
            for _ in range(rng.randint(0, 6))
        ]
        assert csv_from_texts("projects", texts) == _writer_csv(texts), (trial, texts)


def test_data_csv_of_the_seed_records(bundles):
    for bundle in bundles:
        for name, prepared in bundle.tables.items():
            texts = row_texts(name, prepared.rows)
            assert prepared.csv == _writer_csv(texts), name


def test_worksheet_rows_are_the_formatted_rows(monkeypatch):
    def plain(cells: list[str], first: int) -> str:
        return "".join(f'<row r="{r}">{c}</row>' for r, c in enumerate(cells, first))

    cells = [f"<c><v>{i}</v></c>" for i in range(50)]
    for first in (1, 2, 7, xlsx._ROW_TAGS_KEPT - 20, xlsx._ROW_TAGS_KEPT + 5, xlsx.MAX_ROWS - 49):
        assert "".join(xlsx._row_pieces(cells, first)) == plain(cells, first), first
    assert xlsx._row_pieces([], 2) == []
    monkeypatch.setattr(xlsx, "_ROW_TAGS", [])  # tags formatted on first use, any order of sizes
    assert "".join(xlsx._row_pieces(cells[:3], 2)) == plain(cells[:3], 2)
    assert "".join(xlsx._row_pieces(cells, 40)) == plain(cells, 40)


INFO = WorkbookInfo("t", "me", "d", "2024-01-01T00:00:00Z", zip_time("2024-01-01T00:00:00Z"))


def _workbook(spool: bool, rows: list[list[str]]) -> bytes:
    book = Workbook(INFO, spool=spool)
    sheet = book.add_sheet("表", [SheetColumn("a", "甲", TEXT, 10), SheetColumn("b", "乙", xlsx.MONEY, 10)])
    sheet.append_texts(rows[:3])
    sheet.append_cells([render_row([xlsx.text_cell, xlsx.RENDERERS[xlsx.MONEY]], row) for row in rows[3:]])
    book.add_sheet("说明", [SheetColumn("a", "", TEXT, 10)], header=False, first=True).append_texts([["说明"], ["x"]])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_workbook_in_memory_equals_the_spooled_one(monkeypatch):
    rows = [[f"项目{i}", f"{i}.00"] for i in range(20)] + [["=1", "-3"], ["a<b", ""]]
    assert _workbook(False, rows) == _workbook(True, rows)
    monkeypatch.setattr(xlsx, "MAX_ROWS", 5)  # split sheets, both ways
    data = _workbook(False, rows)
    assert data == _workbook(True, rows)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
    assert sum(n.startswith("xl/worksheets/") for n in names) == 1 + 6  # 说明 + 22 rows at 4 a sheet


def test_remembered_text_rows_render_as_new():
    kinds = (TEXT, TEXT, TEXT)
    renderers = [xlsx.RENDERERS[k] for k in kinds]
    rows = [("标题", "=x", ""), ("a&b", " lead", "_x0041_"), ("长" * 2000, "", "")]
    for _ in range(2):  # second time from the memo (except the long row)
        for row in rows:
            assert xlsx._text_row(kinds, row) == render_row(renderers, list(row))
    assert xlsx._text_row(kinds, ("only",)) == render_row(renderers, ["only", "", ""])


def test_used_reference_rows_skip_missing_and_empty_fields(bundles):
    reference = Reference.build()
    for bundle in bundles[:3]:
        facts = {name: prepared.rows for name, prepared in bundle.tables.items() if name not in CODE_LISTS}
        for name in CODE_LISTS:
            key = TABLES_BY_NAME[name].primary_key[0]
            codes = {row[key] for row in used_reference_rows(name, facts, reference)}
            referenced = {
                row[fk.fields[0]]
                for table in TABLES
                for fk in table.foreign_keys
                if fk.resource == name and len(fk.fields) == 1
                for row in facts.get(table.name, ())
                if row.get(fk.fields[0]) is not None
            }
            assert referenced <= codes and None not in codes
    # a fact row without the field, or with None, references nothing
    facts = {table.name: [{}] for table in TABLES if table.name not in CODE_LISTS}
    assert all(used_reference_rows(name, facts, reference) == [] for name in CODE_LISTS)


def test_bundle_from_the_validators_rows_is_the_same(bundles):
    from gongkai.package import RecordData, build_tables
    from gongkai.validate import RECORD_RESOURCES as CHECKED

    reference = Reference.build()
    differ = 0
    for bundle in bundles:
        record = bundle.record
        checked = build_tables([RecordData(record.budget, record.source_file)], CHECKED)
        differ += checked["budgets"] != bundle.tables["budgets"].rows  # finding counts: rebuilt, not reused
        reused = make_bundle(record, reference, prebuilt=checked)
        assert list(reused.tables) == list(bundle.tables)
        for name, prepared in bundle.tables.items():
            assert reused.tables[name].rows == prepared.rows, name
            assert reused.tables[name].csv_bytes == prepared.csv_bytes, name
    assert differ and any(b.tables["findings"] for b in bundles)
