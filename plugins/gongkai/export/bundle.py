"""One record's tables, as its own self-contained data package holds them.

A department-year package must pass ``frictionless validate`` on its own,
foreign keys included, so it carries the reference rows its facts point to:
its department, and the part of each code list (with the ancestors that the
lists' ``parent_code`` self-references need) and of the rule catalogue that
the record uses. The full lists would add about 6 KB to each of thousands of
folders for no use.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from operator import methodcaller

from gongkai.export.prepared import Prepared
from gongkai.normalise import Row
from gongkai.package import RecordData, build_tables
from gongkai.tables import CODE_LISTS, TABLES, TABLES_BY_NAME

#: Resources with rows of their own per record (everything but the code lists).
RECORD_RESOURCES = tuple(t.name for t in TABLES if t.name not in CODE_LISTS)
#: Resources whose whole-dataset rows are not the concatenation of the
#: per-record rows: the departments (latest identity wins) and the code lists.
DATASET_ONLY = ("departments", *CODE_LISTS)


@dataclass(frozen=True)
class Reference:
    """The full code lists and rule catalogue, built once per export."""

    tables: dict[str, list[Row]]
    _indexes: dict[str, _CodeIndex] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls) -> Reference:
        return cls(build_tables([], CODE_LISTS))

    def index(self, name: str) -> _CodeIndex:
        """Code list ``name`` by key (built once: thousands of records look codes up)."""
        found = self._indexes.get(name)
        if found is None:
            found = self._indexes[name] = _CodeIndex.of(name, self.tables[name])
        return found


@dataclass(frozen=True)
class _CodeIndex:
    """A code list's rows by key, their positions, and its parent fields."""

    by_key: dict[str, Row]
    position: dict[str, int]
    parents: tuple[str, ...]

    @classmethod
    def of(cls, name: str, rows: list[Row]) -> _CodeIndex:
        table = TABLES_BY_NAME[name]
        key = table.primary_key[0]
        parents = tuple(fk.fields[0] for fk in table.foreign_keys if fk.resource is None)
        return cls({row[key]: row for row in rows}, {row[key]: i for i, row in enumerate(rows)}, parents)


@dataclass
class Bundle:
    """The tables of one record: every resource (schema order), code lists restricted."""

    record: RecordData
    tables: dict[str, Prepared]

    @property
    def budget_id(self) -> str:
        return self.record.budget.budget_id

    def rows(self) -> dict[str, list[Row]]:
        return {name: prepared.rows for name, prepared in self.tables.items()}


#: Resources whose rows depend on a record's findings, not only on its budget.
FINDING_RESOURCES = ("budgets", "findings")


def make_bundle(
    record: RecordData,
    reference: Reference,
    *,
    with_codes: bool = True,
    prebuilt: Mapping[str, list[Row]] | None = None,
) -> Bundle:
    """Build the rows of ``record`` and (``with_codes``) the reference rows it points to.

    The whole-dataset export alone does not need the code subsets: it
    publishes the full lists.

    ``prebuilt``: rows already built from the same budget (the validator
    builds them to check the Table Schemas: ``build_tables`` of a
    ``RecordData`` of the budget and its display path), reused instead of
    normalising the budget again, about a tenth of a folder's cost. The
    rows that depend on the findings (:data:`FINDING_RESOURCES`) are
    always built here. The rows are shared, not copied: neither side may
    change them.
    """
    reused = {
        name: rows
        for name, rows in (prebuilt or {}).items()
        if name in RECORD_RESOURCES and name not in FINDING_RESOURCES
    }
    tables = build_tables([record], [name for name in RECORD_RESOURCES if name not in reused])
    tables.update(reused)
    for name in CODE_LISTS:
        tables[name] = used_reference_rows(name, tables, reference) if with_codes else []
    return Bundle(record, {t.name: Prepared(t.name, tables[t.name]) for t in TABLES})


def used_reference_rows(name: str, facts: dict[str, list[Row]], reference: Reference) -> list[Row]:
    """The rows of code list ``name`` that ``facts`` reference, with their ancestors."""
    index = reference.index(name)
    used: set[str] = set()
    for fact_name, field_name in _referencing(name):
        used.update(map(methodcaller("get", field_name), facts.get(fact_name, ())))  # no Python loop per row
    used.discard(None)  # from a row without the field
    by_key = index.by_key
    pending = list(used)
    while pending:
        code_row = by_key.get(pending.pop())
        for parent_field in index.parents:
            parent = code_row.get(parent_field) if code_row else None
            if parent is not None and parent not in used:
                used.add(parent)
                pending.append(parent)
    rows = reference.tables[name]
    position = index.position
    return [rows[i] for i in sorted(position[code] for code in used if code in position)]


@cache
def _referencing(name: str) -> tuple[tuple[str, str], ...]:
    """``(table, field)`` pairs of the fact tables that hold keys of code list ``name``."""
    return tuple(
        (table.name, fk.fields[0])
        for table in TABLES
        for fk in table.foreign_keys
        if fk.resource == name and len(fk.fields) == 1
    )
