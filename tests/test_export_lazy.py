"""Records given lazily: loaded one at a time, dropped, and the output unchanged.

A site of 10,000 department-years cannot hold every loaded budget (about
550 KB of objects each), so the export accepts light items — a budget id and
a ``load()`` — and gathers what the dataset's metadata needs (sources,
created date, the departments table) while the records stream past. The
files must be byte for byte those of an export given the records themselves.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import weakref
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from export_support import load_records, tree_digest
from gongkai.export import site_data, xlsx
from gongkai.export.pages import downloads_markdown
from gongkai.export.site_data import (
    LazyRecord,
    RecordSource,
    _DatasetFacts,
    _summary,
    export_records,
    write_site_data,
)
from gongkai.package import PackageMeta, RecordData, build_tables, created_date, descriptor


@pytest.fixture(scope="module")
def records():
    return load_records(["content"])


@pytest.fixture(scope="module")
def eager(records, tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("eager") / "data"
    write_site_data(records, data, PackageMeta())
    return data


class Loader:
    """Lazy items over ``records`` that count loads and keep only weak references to what they returned."""

    def __init__(self, records: list[RecordData]) -> None:
        self._records = {r.budget.budget_id: r for r in records}
        self.loads: list[str] = []
        self.returned: list[weakref.ref[RecordData]] = []

    def items(self) -> list[LazyRecord]:
        return [LazyRecord(budget_id, self._loader(budget_id)) for budget_id in reversed(sorted(self._records))]

    def _loader(self, budget_id: str):
        def load() -> RecordData:
            self.loads.append(budget_id)
            record = self._records[budget_id]
            copy = replace(record)  # a fresh object, as a loader reading a file would return
            self.returned.append(weakref.ref(copy))
            return copy

        return load


def test_lazy_records_give_the_same_bytes_each_loaded_once_and_dropped(records, eager, tmp_path):
    loader = Loader(records)
    items = loader.items()
    assert all(isinstance(item, RecordSource) for item in items)
    data = tmp_path / "data"
    index = write_site_data(items, data, PackageMeta())
    assert tree_digest(data) == tree_digest(eager)
    assert loader.loads == sorted(loader.loads) and len(loader.loads) == len(records)  # once each, in id order
    gc.collect()
    assert all(ref() is None for ref in loader.returned), "the export kept a loaded record"
    assert sorted(index.budgets) == sorted(r.budget.budget_id for r in records)


def test_records_and_lazy_items_may_be_mixed(records, eager, tmp_path):
    loader = Loader(records[::2])
    mixed = [*loader.items(), *records[1::2]]
    data = tmp_path / "data"
    write_site_data(mixed, data, PackageMeta())
    assert tree_digest(data) == tree_digest(eager)


def test_a_record_loaded_under_another_id_is_an_error(records, tmp_path):
    wrong = LazyRecord("999999-1-2000-budget", lambda: records[0])
    with pytest.raises(ValueError, match="loaded as"):
        write_site_data([wrong], tmp_path / "data", PackageMeta(), ["csv"])


def test_dataset_metadata_gathered_while_streaming_is_the_packages(records, eager):
    """Sources, created date and departments: what package.py computes from all records at once."""
    document = json.loads((eager / "all" / "datapackage.json").read_text("utf-8"))
    expected = descriptor({}, PackageMeta(), records, {})
    assert document["sources"] == expected["sources"]
    assert document["created"] == created_date(records)
    with (eager / "all" / "departments.csv").open(encoding="utf-8") as handle:
        written = list(csv.DictReader(handle))
    rows = build_tables(records, ["departments"])["departments"]
    assert [r["department_id"] for r in written] == [r["department_id"] for r in rows]
    assert [r["name"] for r in written] == [r["name"] for r in rows]


def _with_source(record: RecordData, year: int, published: date | None) -> RecordData:
    budget = record.budget
    source = replace(budget.source, published_date=published)
    return replace(record, budget=replace(budget, fiscal_year=year, source=source))


@pytest.mark.parametrize(
    "dates",
    [
        [(2023, None), (2024, None)],
        [(2024, date(2023, 3, 1)), (2025, None)],  # a publication date wins over a later year
        [(2022, date(2022, 2, 1)), (2021, date(2022, 3, 5))],
    ],
)
def test_created_date_from_the_content(records, dates, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    made = [_with_source(records[0], year, published) for year, published in dates]
    facts = _DatasetFacts()
    for record in made:
        facts.add(_summary(record), None)  # type: ignore[arg-type]
    assert facts.created() == created_date(made)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert facts.created() == created_date(made) == "2023-11-14T22:13:20Z"
    assert _DatasetFacts().created() == created_date([])


def test_dataset_only_export_of_lazy_records(records, tmp_path):
    """``gongkai export``'s flat layout, fed lazily: same files as the committed package's kind."""
    out_lazy, out_eager = tmp_path / "lazy", tmp_path / "eager"
    export_records(Loader(records).items(), dataset_dir=out_lazy, budgets_dir=None, formats=["csv", "sqlite"])
    export_records(records, dataset_dir=out_eager, budgets_dir=None, formats=["csv", "sqlite"])
    assert tree_digest(out_lazy) == tree_digest(out_eager)


@pytest.mark.slow
def test_worker_processes_load_lazily_too(records, eager, tmp_path, monkeypatch):
    monkeypatch.setattr(site_data, "MIN_PARALLEL", 0)
    data = tmp_path / "data"
    write_site_data(Loader(records).items(), data, PackageMeta(), jobs=2)
    assert tree_digest(data) == tree_digest(eager)


# --------------------------------------------------------------------------- #
# Excel's row limit
# --------------------------------------------------------------------------- #


def test_a_table_longer_than_a_sheet_is_split_and_said_so(records, tmp_path, monkeypatch):
    """With the limit injected small, the long tables continue on "表名 (2)", … sheets."""
    limit = 40
    monkeypatch.setattr(xlsx, "MAX_ROWS", limit)
    data = tmp_path / "data"
    index = write_site_data(records, data, PackageMeta(), ["csv", "xlsx"], per_budget=False)
    book = openpyxl.load_workbook(data / "all" / "gongkai-budgets.xlsx", read_only=True)
    with (data / "all" / "project_indicators.csv").open(encoding="utf-8") as handle:
        expected = list(csv.reader(handle))
    names = [n for n in book.sheetnames if n.startswith("项目绩效指标")]
    assert names[:3] == ["项目绩效指标", "项目绩效指标 (2)", "项目绩效指标 (3)"]
    rows, header = [], None
    for name in names:
        sheet = [[("" if v is None else str(v)) for v in row] for row in book[name].iter_rows(values_only=True)]
        header = header or sheet[0]
        assert len(sheet) <= limit and sheet[0] == header  # every part starts with the header row
        rows += sheet[1:]
    assert len(rows) == len(expected) - 1
    assert [r[4] for r in rows] == [r[4] for r in expected[1:]]  # same order, nothing lost
    readme_rows = [r for n in book.sheetnames if n.startswith("说明") for r in book[n].iter_rows(values_only=True)]
    readme = {r[0]: r[1] for r in readme_rows if r and r[0]}
    assert "项目绩效指标" in readme["分表"] and "40" in readme["分表"]
    assert [r[0] for r in readme_rows if r and r[0] in names] == names  # every part listed
    workbook = next(f for f in index.dataset if f.format == "xlsx")
    assert "项目绩效指标超过 Excel 每个工作表的行数上限" in workbook.description
    assert workbook.description in downloads_markdown(index).replace("&quot;", '"')
    book.close()


def test_no_note_when_nothing_is_split(eager):
    index_json = json.loads((eager / "index.json").read_text("utf-8"))
    workbook = next(f for f in index_json["dataset"] if f["format"] == "xlsx")
    assert "上限" not in workbook["description"]
    book = openpyxl.load_workbook(eager / "all" / "gongkai-budgets.xlsx", read_only=True)
    readme = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True) if r and r[0]}
    assert "分表" not in readme
    book.close()


def test_index_json_is_readable_for_a_lazy_export(records, tmp_path):
    data = tmp_path / "data"
    write_site_data(Loader(records).items(), data, PackageMeta(), ["csv"], budget_formats=["csv"])
    document = json.loads((data / "index.json").read_text("utf-8"))
    assert document["created"] == created_date(records)
    assert [b["budget_id"] for b in document["budgets"]] == sorted(r.budget.budget_id for r in records)
    assert csv.reader(io.StringIO((data / "all" / "budgets.csv").read_text("utf-8")))


def test_the_index_is_compact_and_survives_pickling(records, tmp_path):
    """The site's export process sends the index back pickled: 10,000 folders must stay small."""
    import pickle

    data = tmp_path / "data"
    index = write_site_data(Loader(records).items(), data, PackageMeta())
    again = pickle.loads(pickle.dumps(index))
    for budget_id, entry in index.budgets.items():
        copy = again.budgets[budget_id]
        assert copy == entry and copy.files == entry.files and copy.total_bytes == entry.total_bytes
        assert copy.layout is entry.layout  # shared again once unpickled
        for f in entry.files:
            assert (data.parent / f.path).stat().st_size == f.bytes
    layouts = {id(b.layout) for b in index.budgets.values()}
    assert len(layouts) < len(index.budgets) or len(index.budgets) == 1
    per_folder = len(pickle.dumps(index.budgets)) / len(index.budgets)
    assert per_folder < 3000, per_folder


def test_rebuilding_over_an_older_export_prunes_by_the_index(records, eager, tmp_path):
    """Stale files inside a live folder go, foreign files stay, and the result is a fresh export's."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(eager, data)
    live = data / "budgets" / records[0].budget.budget_id
    (live / "gone_resource.csv").write_text("old", "utf-8")
    (live / "excel" / "gone_resource.csv").write_text("old", "utf-8")
    (live / "NOTES.md").write_text("mine", "utf-8")
    gone = data / "budgets" / "110101-1-2000-budget"
    (gone / "excel").mkdir(parents=True)
    (gone / "excel" / "projects.csv").write_text("old", "utf-8")
    write_site_data(Loader(records).items(), data, PackageMeta())
    assert not (live / "gone_resource.csv").exists() and not (live / "excel" / "gone_resource.csv").exists()
    assert not gone.exists()
    (live / "NOTES.md").unlink()
    assert tree_digest(data) == tree_digest(eager)
