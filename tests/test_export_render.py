"""The fast paths of the export give exactly what the plain functions give.

:mod:`gongkai.export.render` compiles per-resource renderers, the
department-year archives are packed by :func:`~gongkai.export.zips.small_zip`
and their descriptors filled in from a template; each is checked here
against the plain, obviously-correct function it stands for, on the seed
records and on texts chosen to hit every escape and formula rule.
"""

from __future__ import annotations

import io
import random
from dataclasses import replace

import pytest
from export_support import load_records
from gongkai.export import render
from gongkai.export.bundle import Reference, make_bundle
from gongkai.export.csv_package import csv_from_texts, descriptor_bytes, row_texts
from gongkai.export.formats import budget_descriptor, budget_meta
from gongkai.export.json_record import json_rows
from gongkai.export.prepared import Prepared
from gongkai.export.xlsx import MAX_CELL_CHARS, render_rows
from gongkai.export.zips import DeterministicZip, small_zip
from gongkai.package import PackageMeta, descriptor
from gongkai.tables import TABLES, TABLES_BY_NAME


@pytest.fixture(scope="module")
def bundles():
    reference = Reference.build()
    return [make_bundle(record, reference) for record in load_records(["content"])]


#: Texts that must leave the fast paths, or go through them unchanged.
AWKWARD = [
    "", "plain 文本", "=1+1", "+86", "-5%", "@SUM(1)", "\t=1", "\r=1", " leading", "trailing ", "全角空格\u3000",
    "a\nb", "a\r\nb", "a\rb", "<b>&amp;</b>", "≥85%", ">=", "_x0041_ literal", "bell\x07", "\x00nul", "\ufffe",
    "x" * (MAX_CELL_CHARS + 5), "sep\ue000=inside", "sep\ue000 inside", 'quote "q", comma', "'=already",
]


def _awkward_texts(resource: str, seed: int) -> list[list[str]]:
    """Rows of ``resource`` whose text cells are drawn from :data:`AWKWARD` (numbers stay numbers)."""
    rng = random.Random(seed)
    rows = []
    for _ in range(12):
        row = []
        for column in TABLES_BY_NAME[resource].columns:
            if column.type == "string":
                row.append(rng.choice(AWKWARD) if rng.random() < 0.5 else rng.choice(["项目", "201", "元"]))
            elif column.type == "boolean":
                row.append(rng.choice(["", "true", "false"]))
            elif column.type == "date":
                row.append(rng.choice(["", "2023-12-31", "2023年底"]))
            else:
                row.append(rng.choice(["", "0", "-4.20", "21844400.00", "12"]))
        rows.append(row)
    return rows


def test_cell_texts_match_row_texts(bundles):
    for bundle in bundles:
        for name, prepared in bundle.tables.items():
            assert render.texts_function(name)(prepared.rows) == row_texts(name, prepared.rows), name


def test_texts_of_unusual_values():
    from datetime import date
    from decimal import Decimal

    rows = [
        {"budget_id": "x", "fiscal_year": 2023, "income_total_yuan": Decimal("1E+3"), "published_date": date(2023, 1, 2)},
        {"budget_id": "y", "fiscal_year": True, "income_total_yuan": Decimal("0.30"), "note": None},
        {},
    ]
    assert render.texts_function("budgets")(rows) == row_texts("budgets", rows)


@pytest.mark.parametrize("seed", range(4))
def test_xlsx_json_and_excel_csv_of_awkward_texts(seed):
    for table in TABLES:
        texts = _awkward_texts(table.name, seed * 100 + len(table.name))
        assert render.xlsx_rows(table.name, texts) == render_rows(table.name, texts), table.name
        assert render.json_function(table.name)(texts) == json_rows(table.name, texts), table.name
        data_csv = csv_from_texts(table.name, texts)
        fast = render.excel_from_csv(table.name, texts, data_csv)
        if fast is not None:
            assert fast == csv_from_texts(table.name, texts, excel=True), table.name


def test_each_awkward_text_alone():
    """One odd cell in an otherwise plain table is enough to leave the fast path correctly."""
    name = "projects"
    base = render.texts_function(name)([{"budget_id": "b", "project_seq": 1, "name": "项目"}])[0]
    index = TABLES_BY_NAME[name].column_names.index("name")
    for text in AWKWARD:
        texts = [base, [*base[:index], text, *base[index + 1 :]]]
        assert render.xlsx_rows(name, texts) == render_rows(name, texts), text
        data_csv = csv_from_texts(name, texts)
        assert (render.excel_from_csv(name, texts, data_csv) or csv_from_texts(name, texts, excel=True)) == (
            csv_from_texts(name, texts, excel=True)
        ), text


def test_prepared_forms_match_the_plain_functions(bundles):
    for bundle in bundles:
        for name, original in bundle.tables.items():
            prepared = Prepared(name, original.rows)
            texts = row_texts(name, original.rows)
            assert prepared.csv == csv_from_texts(name, texts)
            assert prepared.excel_csv == csv_from_texts(name, texts, excel=True)
            assert prepared.xlsx_cells == render_rows(name, texts)
            assert prepared.json == json_rows(name, texts)
            assert prepared.csv_bytes == prepared.csv.encode() and prepared.excel_csv_bytes == prepared.excel_csv.encode()


def test_small_zip_is_what_zipfile_writes():
    rng = random.Random(7)
    for trial in range(40):
        members = []
        for i in range(rng.randint(0, 12)):
            size = rng.choice([0, 1, 100, 5000, 70000])
            data = bytes(rng.choice(b"ab,\n09\xe4\xb8\xad") for _ in range(size))
            members.append((rng.choice(["a.csv", "x/y.json", "预算/表.csv"]) + str(i), data, rng.random() < 0.8))
        when = (2023, rng.randint(1, 12), rng.randint(1, 28), 0, 0, rng.randint(0, 59))
        level = rng.choice([1, 3, 6])
        buffer = io.BytesIO()
        with DeterministicZip(buffer, when, level) as zf:
            for name, data, compress in members:
                zf.add_bytes(name, data, compress=compress)
        assert small_zip(members, when, level) == buffer.getvalue(), trial


@pytest.mark.parametrize(
    "meta",
    [
        PackageMeta(),
        PackageMeta(created="2024-05-06T00:00:00Z", homepage="https://example.org/", name="x", title="标题 \"q\""),
        PackageMeta(contributors=[{"title": "甲", "roles": ["creator"]}, {"title": "乙"}], version="9.9"),
    ],
)
def test_budget_descriptor_is_the_serialised_descriptor(bundles, meta):
    for bundle in bundles:
        own = budget_meta(meta, bundle.record)
        names = [n for n, p in bundle.tables.items() if p]
        infos = {n: {"bytes": 100 + i, "hash": f"sha256:{i:064x}"} for i, n in enumerate(names)}
        paths = {n: f"{n}.csv" for n in names}
        expected = descriptor_bytes(descriptor(bundle.rows(), own, [bundle.record], paths, infos), compact=True)
        assert budget_descriptor(own, bundle.record, infos) == expected
    # a record without a source URL, and one resource fewer
    bundle = bundles[0]
    budget = replace(bundle.record.budget, source=replace(bundle.record.budget.source, url=None))
    record = replace(bundle.record, budget=budget)
    own = budget_meta(meta, record)
    names = [n for n, p in bundle.tables.items() if p][1:]
    infos = {n: {"bytes": 1, "hash": "sha256:0"} for n in names}
    paths = {n: f"{n}.csv" for n in names}
    expected = descriptor_bytes(descriptor(bundle.rows(), own, [record], paths, infos), compact=True)
    assert budget_descriptor(own, record, infos) == expected
