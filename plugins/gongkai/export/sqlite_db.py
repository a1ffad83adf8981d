"""The whole dataset as one SQLite database (for Datasette or any SQL client).

One table per resource, named and typed after the Table Schemas, with the
schemas' primary keys, foreign keys (``PRAGMA foreign_key_check`` passes)
and an index on every foreign key that its table's primary key does not
already cover (``budget_id`` leads every fact table's primary key).

Money policy: SQLite has no decimal type, and the alternatives all hurt a
user: TEXT sorts ``"9" > "10"`` and breaks ``SUM``; integer 分 would change
the meaning of the public ``*_yuan`` columns. Money (and every ``number``
field) is therefore declared ``NUMERIC`` and stored as an exact INTEGER when
the amount is whole 元 (every 万元 figure with at most four decimals, the
common case) and otherwise as the REAL nearest to the printed decimal, which
reads back as exactly that decimal (``1234.56``). Sorting and filtering are
numeric. ``SUM`` over REAL values is binary floating point: round the result
to 2 decimals, or sum the exact decimals from the CSV.

The file is built in a temporary file and renamed, with the same statements
in the same order every time, so unchanged content gives identical bytes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from gongkai.tables import TABLES, TABLES_BY_NAME, Table

SQL_TYPES = {"string": "TEXT", "date": "TEXT", "integer": "INTEGER", "boolean": "INTEGER", "number": "NUMERIC"}


def quote(name: str) -> str:
    """A quoted SQL identifier (``table`` and ``column`` are field names here)."""
    return '"' + name.replace('"', '""') + '"'


def _columns(names: Iterable[str]) -> str:
    return ", ".join(quote(n) for n in names)


def create_table_sql(table: Table) -> str:
    """``CREATE TABLE`` for one resource, keys included."""
    lines = [
        f"  {quote(c.name)} {SQL_TYPES.get(c.type, 'TEXT')}{' NOT NULL' if c.required else ''}"
        for c in table.columns
    ]
    lines.append(f"  PRIMARY KEY ({_columns(table.primary_key)})")
    for fk in table.foreign_keys:
        parent = fk.resource or table.name
        lines.append(
            f"  FOREIGN KEY ({_columns(fk.fields)}) REFERENCES {quote(parent)} ({_columns(fk.reference_fields)})"
        )
    return f"CREATE TABLE {quote(table.name)} (\n" + ",\n".join(lines) + "\n)"


def index_sql(table: Table) -> list[str]:
    """Indexes for the foreign keys that are not a prefix of the primary key."""
    out = []
    for fk in table.foreign_keys:
        if tuple(table.primary_key[: len(fk.fields)]) == tuple(fk.fields):
            continue
        name = quote(f"idx_{table.name}_{'_'.join(fk.fields)}")
        out.append(f"CREATE INDEX {name} ON {quote(table.name)} ({_columns(fk.fields)})")
    return out


def schema_sql() -> list[str]:
    """Every statement that creates the schema, tables first."""
    return [create_table_sql(t) for t in TABLES]


def _placeholder(column_type: str) -> str:
    """The SQL that turns one CSV cell text into its stored value.

    The conversion runs inside SQLite, not per cell in Python: an empty
    text is NULL; the column's affinity turns integer and decimal literals
    into INTEGER/REAL (whole amounts such as ``21844400.00`` become exact
    INTEGERs; SQLite's text-to-REAL conversion gives the double nearest to
    the literal, which a test checks against Python's ``float``).
    """
    if column_type == "boolean":
        return "CASE ? WHEN 'true' THEN 1 WHEN 'false' THEN 0 END"
    return "NULLIF(?, '')"


@cache
def insert_sql(name: str) -> str:
    table = TABLES_BY_NAME[name]
    return f"INSERT INTO {quote(name)} VALUES ({', '.join(_placeholder(c.type) for c in table.columns)})"


class SqliteWriter:
    """Rows are added resource by resource as the export streams records."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self._temp = target.with_name(target.name + ".tmp")
        self._temp.unlink(missing_ok=True)
        self._db = sqlite3.connect(self._temp, isolation_level=None)
        self._db.execute("PRAGMA journal_mode = OFF")
        self._db.execute("PRAGMA synchronous = OFF")
        self._db.execute("BEGIN")
        for statement in schema_sql():
            self._db.execute(statement)

    def add(self, name: str, texts: Iterable[Sequence[str]]) -> None:
        """Insert rows given as CSV cell texts (see :func:`_placeholder`)."""
        self._db.executemany(insert_sql(name), texts)

    def close(self) -> Path:
        """Create the indexes, finish the file and move it into place."""
        for table in TABLES:
            for statement in index_sql(table):
                self._db.execute(statement)
        self._db.execute("COMMIT")
        self._db.close()
        os.replace(self._temp, self.target)
        return self.target

    def abort(self) -> None:
        self._db.close()
        self._temp.unlink(missing_ok=True)
