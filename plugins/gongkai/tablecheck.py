"""The Table Schema check of one record's rows, natively: a fast twin of frictionless-py.

frictionless-py validates a record's normalised rows in tens of milliseconds
(plus some 0.4 s per call); this module does the same check in about 1 ms. Each Table Schema of :mod:`gongkai.tables` is compiled
once (:func:`record_checker`) into per-field readers that implement the Table
Schema rules our schemas use, with frictionless-py 5's semantics (read from
its ``schema/field.py``, ``fields/*.py``, ``table/row.py`` and
``resources/table.py``):

* a cell is the CSV text of the value (:func:`gongkai.package.cell_text`, as
  the frictionless path writes it); a text listed in ``missingValues``
  (``""``) is null, nothing else is (``" "`` is a string, and a type error
  for a number);
* ``string`` reads any text; ``integer`` is ``int(text.strip())`` and
  ``number`` is ``Decimal(text.strip())`` (so ``+5``, ``1_000``, ``1e3``,
  ``NaN`` and non-ASCII digits are numbers there and here; ``5.0`` is not an
  integer); ``date`` is ``strptime(text, "%Y-%m-%d")`` (``2023-1-5`` passes);
  ``boolean`` is one of the ``trueValues`` / ``falseValues``;
* a text that does not read as its type is one ``type-error`` and is null for
  every later check; otherwise each violated constraint is a
  ``constraint-error``, in the order ``required``, ``minLength``,
  ``maxLength``, ``pattern`` (anchored; ``$`` also matches before a final
  newline, as in ``re``), ``enum`` for strings and ``required``, ``minimum``,
  ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``, ``enum`` for the
  others (NaN violates every bound; constraints pass on a null);
* ``unique``: a non-null value that an earlier row had is a ``unique-error``;
* ``primaryKey``: a key whose cells are all null is a ``primary-key`` error,
  and so is a key (typed: ``"01"`` and ``"1"`` are the same integer) that an
  earlier row had; rows with errors still take part, with null for the cells
  that failed their type;
* ``foreignKeys``: a key that is not all null must be among the typed keys of
  the referenced resource's rows (all-null keys there are ignored): the
  shipped code lists (read and checked once), another resource of the same
  record, or the resource itself (self-reference);
* a row whose every cell is null is one ``blank-row`` error in place of its
  cell errors;
* a row's errors come in frictionless's order — the cells of the unique,
  primary-key and foreign-key fields as it reads them for those checks, then
  the other cells in field order, then the key errors — and a resource stops
  at 1,000 errors (frictionless's default ``limit_errors``).

Rows are dicts keyed by column name (unknown keys such as ``_path`` are
ignored, an absent key is an empty cell), exactly the matrix the frictionless
path builds, so ``missing-cell`` and ``extra-cell`` cannot occur.

Almost every table of a loaded record is clean, so a table is first checked
column by column (:meth:`TableSchema._clean`: a few C-level passes per
column, then the keys as sets); only a table that is not clean goes through
the row-by-row check that says which errors it has, in frictionless's order.
The column pass calls a table clean only when the row-by-row check would
report nothing (anything unusual goes through the same per-cell readers);
``tests/test_validate_speed_equivalence.py`` checks this on broken tables. Any type,
format, constraint or option this module does not implement makes
:func:`compile_schema` raise instead of checking something else.
One known deviation: a signalling NaN (``sNaN``) in a bounded number makes
frictionless-py crash; here it violates the bound. The loader never produces
one.

``tests/test_tablecheck.py`` checks the two engines against each other on the
seed records and on broken rows covering every constraint kind.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache, partial
from operator import itemgetter
from typing import Any

from gongkai.package import cell_text

#: frictionless-py's default ``limit_errors``: a resource stops at this many errors.
LIMIT_ERRORS = 1000
DEFAULT_TRUE_VALUES = ["true", "True", "TRUE", "1"]
DEFAULT_FALSE_VALUES = ["false", "False", "FALSE", "0"]
#: Verified strings remembered per field (budget ids, codes, enum values repeat).
_MEMO_SIZE = 4096

SUPPORTED_CONSTRAINTS = {
    "string": ("required", "minLength", "maxLength", "pattern", "enum"),
    "integer": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "number": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "date": ("required", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "enum"),
    "boolean": ("required", "enum"),
}
_FIELD_KEYS = {
    "name", "type", "title", "description", "format", "constraints", "missingValues", "example", "rdfType",
    "decimalChar", "groupChar", "bareNumber", "floatNumber", "trueValues", "falseValues",
}
_TEMPLATES = {
    "type-error": 'Type error in the cell "{cell}" in row "{row}" and field "{field}" at position "{number}": {note}',
    "constraint-error": 'The cell "{cell}" in row at position "{row}" and field "{field}" at position "{number}" '
    "does not conform to a constraint: {note}",
    "unique-error": 'Row at position "{row}" has unique constraint violation in field "{field}" at position "{number}": {note}',
    "primary-key": 'Row at position "{row}" violates the primary key: {note}',
    "foreign-key": 'Row at position "{row}" violates the foreign key: {note}',
    "blank-row": 'Row at position "{row}" is completely blank',
}


@dataclass(frozen=True)
class TableError:
    """One error, named and worded as frictionless-py names and words it."""

    resource: str
    type: str  # type-error, constraint-error, unique-error, primary-key, foreign-key, blank-row
    note: str
    row_number: int  # 1 is the header row, as in frictionless
    field_name: str = ""
    field_number: int | None = None
    cell: str = ""

    @property
    def message(self) -> str:
        return _TEMPLATES[self.type].format(
            cell=self.cell, row=self.row_number, field=self.field_name, number=self.field_number, note=self.note
        )


class _Bad(Exception):
    """Raised by a fast reader when a cell has any error (the slow path says which)."""


# --------------------------------------------------------------------------- #
# Fields
# --------------------------------------------------------------------------- #


def _value_reader(descriptor: Mapping[str, Any]) -> Callable[[Any], Any]:
    """The field type's ``value_reader`` of frictionless-py: a value, or None when it is not of the type."""
    kind = descriptor.get("type", "any")
    fmt = descriptor.get("format", "default")
    if kind == "string":
        if fmt != "default":
            raise NotImplementedError(f"string format {fmt!r}")
        return lambda cell: cell if isinstance(cell, str) else None
    if kind in ("integer", "number"):
        if descriptor.get("floatNumber"):
            raise NotImplementedError("floatNumber")
        pattern = None if descriptor.get("bareNumber", True) else re.compile(r"((^[^-\d]*)|(\D*$))")
        if kind == "integer":
            return _integer_reader(pattern)
        return _number_reader(descriptor, pattern)
    if kind == "date":
        if fmt == "any":
            raise NotImplementedError("date format 'any'")
        return _date_reader("%Y-%m-%d" if fmt == "default" else fmt)
    if kind == "boolean":
        mapping = {v: True for v in descriptor.get("trueValues", DEFAULT_TRUE_VALUES)}
        mapping.update({v: False for v in descriptor.get("falseValues", DEFAULT_FALSE_VALUES)})

        def read_boolean(cell: Any) -> Any:
            if cell is True or cell is False:
                return cell
            return mapping.get(cell) if isinstance(cell, str) else None

        return read_boolean
    raise NotImplementedError(f"field type {kind!r}")


def _integer_reader(pattern: re.Pattern[str] | None) -> Callable[[Any], Any]:
    def read_integer(cell: Any) -> Any:
        if isinstance(cell, str):
            cell = cell.strip()
            if pattern:
                cell = pattern.sub("", cell)
            try:
                return int(cell)
            except Exception:
                return None
        if cell is True or cell is False:
            return None
        if isinstance(cell, int):
            return cell
        if isinstance(cell, float) and cell.is_integer():
            return int(cell)
        if isinstance(cell, Decimal) and cell % 1 == 0:
            return int(cell)
        return None

    return read_integer


def _number_reader(descriptor: Mapping[str, Any], pattern: re.Pattern[str] | None) -> Callable[[Any], Any]:
    group_char = descriptor.get("groupChar", "")
    decimal_char = descriptor.get("decimalChar", ".")
    processed = any(k in descriptor for k in ("groupChar", "decimalChar", "bareNumber"))

    def read_number(cell: Any) -> Any:
        if isinstance(cell, str):
            cell = cell.strip()
            if processed:
                if pattern:
                    cell = pattern.sub("", cell)
                cell = cell.replace(group_char, "")
                if decimal_char != "." and "." in cell:
                    return None
                cell = cell.replace(decimal_char, ".")
            try:
                return Decimal(cell)
            except Exception:
                return None
        if isinstance(cell, Decimal):
            return cell
        if cell is True or cell is False:
            return None
        if isinstance(cell, int):
            return cell
        if isinstance(cell, float):
            return Decimal(str(cell))
        return None

    return read_number


def _date_reader(fmt: str) -> Callable[[Any], Any]:
    def read_date(cell: Any) -> Any:
        if isinstance(cell, datetime):
            if cell.hour == 0 and cell.minute == 0 and cell.second == 0:
                return datetime(cell.year, cell.month, cell.day).date()
            return None
        if isinstance(cell, date):
            return cell
        if not isinstance(cell, str):
            return None
        try:
            return datetime.strptime(cell, fmt).date()
        except Exception:
            return None

    return read_date


def _bound(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def check(constraint: Any, cell: Any) -> bool:
        if cell is None:
            return True
        try:
            if cell != cell:  # NaN
                return False
        except InvalidOperation:  # sNaN: frictionless-py crashes here
            return False
        return bool(compare(cell, constraint))

    return check


_CHECKS: dict[str, Callable[[Any, Any], bool]] = {
    "required": lambda constraint, cell: not (constraint and cell is None),
    "minLength": lambda constraint, cell: cell is None or len(cell) >= constraint,
    "maxLength": lambda constraint, cell: cell is None or len(cell) <= constraint,
    "pattern": lambda constraint, cell: cell is None or bool(constraint.match(cell)),
    "enum": lambda constraint, cell: cell is None or cell in constraint,
    "minimum": _bound(operator.ge),
    "maximum": _bound(operator.le),
    "exclusiveMinimum": _bound(operator.gt),
    "exclusiveMaximum": _bound(operator.lt),
}


class Field:
    """One compiled field: the exact reader (:meth:`parse`) and a fast one (:attr:`read`)."""

    def __init__(self, descriptor: Mapping[str, Any], number: int, schema_missing: Sequence[str]):
        unknown = set(descriptor) - _FIELD_KEYS
        if unknown:
            raise NotImplementedError(f"field property {sorted(unknown)}")
        self.name: str = descriptor["name"]
        self.type: str = descriptor.get("type", "any")
        self.format: str = descriptor.get("format", "default")
        self.number = number
        self.missing = frozenset(descriptor.get("missingValues", schema_missing))
        self.value_reader = _value_reader(descriptor)
        constraints: dict[str, Any] = dict(descriptor.get("constraints", {}))
        supported = SUPPORTED_CONSTRAINTS[self.type]
        unsupported = set(constraints) - set(supported) - {"unique"}
        if unsupported:
            raise NotImplementedError(f"constraint {sorted(unsupported)} on {self.type} field {self.name}")
        self.required = bool(constraints.get("required"))
        self.unique = bool(constraints.get("unique"))
        self.constraints = constraints
        self.checks: list[tuple[str, Any, Callable[[Any], bool]]] = []
        self.compiled: dict[str, Any] = {}
        for name in supported:
            raw = constraints.get(name)
            if raw is None:
                continue
            value: Any = raw
            if name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
                value = self.value_reader(raw)
                if value is None:
                    raise NotImplementedError(f"{name} {raw!r} is not a {self.type}")
            elif name == "pattern":
                value = re.compile(f"^{raw}$")
            elif name == "enum":
                value = [self.value_reader(item) for item in raw]
            self.compiled[name] = value
            self.checks.append((name, raw, partial(_CHECKS[name], value)))
        self.trivial = self.type == "string" and not self.checks and not self.unique
        self._good: set[Any] = set()  # strings verified by read (string fields)
        self.read = self._fast_reader()
        self.column = self._column_reader()

    # -- the exact reader --------------------------------------------------- #

    def parse(self, text: str) -> tuple[Any, list[tuple[str, str]]]:
        """The typed value of a cell text and its errors ``(type, note)``, as frictionless reads it."""
        if text in self.missing:
            typed = None
        else:
            typed = self.value_reader(text)
            if typed is None:
                return None, [("type-error", f'type is "{self.type}/{self.format}"')]
        notes = [
            ("constraint-error", f'constraint "{name}" is "{raw}"') for name, raw, check in self.checks if not check(typed)
        ]
        return typed, notes

    def strict(self, text: str) -> Any:
        typed, notes = self.parse(text)
        if notes:
            raise _Bad
        return typed

    # -- the fast reader ----------------------------------------------------- #

    def _fast_reader(self) -> Callable[[Any], Any]:
        """A reader that returns the same typed value as :meth:`parse` or raises :class:`_Bad`.

        It skips the text round trip for the value types the normaliser
        produces (``str``, ``int``, finite ``Decimal``, ``date``), whose text
        reads back as the same value; anything else goes through :meth:`parse`.
        """
        strict, required = self.strict, self.required
        if self.missing != {""}:
            # The shortcuts assume that only the empty text is null.
            return lambda value: strict(cell_text(value))
        if self.type == "string":
            good = self._good

            def read_string(value: Any) -> Any:
                if value.__class__ is str:
                    if value in good:
                        return value
                    typed = strict(value)
                    if typed is not None:
                        if len(good) >= _MEMO_SIZE:
                            good.clear()
                        good.add(typed)
                    return typed
                if value is None:
                    if required:
                        raise _Bad
                    return None
                return strict(cell_text(value))

            return read_string

        c = self.compiled
        lo, hi = c.get("minimum"), c.get("maximum")
        xlo, xhi, enum = c.get("exclusiveMinimum"), c.get("exclusiveMaximum"), c.get("enum")
        exotic = xlo is not None or xhi is not None or enum is not None

        def fits(typed: Any) -> bool:
            if lo is not None and not typed >= lo:
                return False
            if hi is not None and not typed <= hi:
                return False
            if exotic:
                if xlo is not None and not typed > xlo:
                    return False
                if xhi is not None and not typed < xhi:
                    return False
                if enum is not None and typed not in enum:
                    return False
            return True

        fast_types = self._fast_types()

        def read_other(value: Any) -> Any:
            cls = value.__class__
            if cls in fast_types and (cls is not Decimal or value.is_finite()):
                if not fits(value):
                    raise _Bad
                return value
            if value is None:
                if required:
                    raise _Bad
                return None
            return strict(cell_text(value))

        return read_other

    # -- the column reader --------------------------------------------------- #

    def _column_reader(self) -> Callable[[Sequence[Any]], Sequence[Any] | None]:
        """A reader of a whole column: :attr:`read` of every cell, or None when a cell raises :class:`_Bad`.

        Calling :attr:`read` once per cell is most of the cost of a check,
        yet nearly every column of a loaded record is clean and already holds
        its typed values (``str``, ``int``, finite ``Decimal``, ``date``,
        None). For those shapes the reader proves with a few C-level passes
        over the column (its set of classes, ``min`` / ``max``, set
        inclusion) that :attr:`read` would return every cell unchanged, and
        returns the column itself; any other column goes cell by cell.
        """
        read = self.read

        def cell_by_cell(values: Sequence[Any]) -> Sequence[Any] | None:
            try:
                return [read(value) for value in values]
            except _Bad:
                return None

        if self.missing != {""}:
            return cell_by_cell
        allowed: set[type] = {str} if self.type == "string" else set(self._fast_types())
        if not self.required:
            allowed.add(type(None))
        if self.type == "string":
            return self._string_column(allowed, cell_by_cell)
        if not allowed - {type(None)} or set(self.compiled) - {"required", "minimum", "maximum"}:
            return cell_by_cell  # booleans, enums and exclusive bounds are rare: no shortcut
        return self._ordered_column(allowed, cell_by_cell)

    def _fast_types(self) -> tuple[type, ...]:
        """The classes :attr:`read` returns unchanged once they fit the constraints (a ``Decimal`` only if finite)."""
        return {"integer": (int,), "number": (Decimal, int), "date": (date,)}.get(self.type, ())

    def _string_column(
        self, allowed: set[type], cell_by_cell: Callable[[Sequence[Any]], Sequence[Any] | None]
    ) -> Callable[[Sequence[Any]], Sequence[Any] | None]:
        """Strings: a text is its own value unless it is ``""`` (null); verified texts are remembered."""
        good, read = self._good, self.read
        # Only ``required`` to check: any ``str`` but "" reads as itself without an error.
        any_text = not [name for name, _, _ in self.checks if name != "required"]

        def read_strings(values: Sequence[Any]) -> Sequence[Any] | None:
            if not (set(map(type, values)) <= allowed and "" not in values):
                return cell_by_cell(values)
            if any_text:
                return values
            distinct = set(values)
            distinct.discard(None)
            try:
                for text in distinct - good:  # a text reads the same in every row: verify (and remember) it once
                    read(text)
            except _Bad:
                return None
            return values

        return read_strings

    def _ordered_column(
        self, allowed: set[type], cell_by_cell: Callable[[Sequence[Any]], Sequence[Any] | None]
    ) -> Callable[[Sequence[Any]], Sequence[Any] | None]:
        """Integers, numbers and dates with at most ``minimum`` / ``maximum``: checked by ``min`` and ``max``."""
        lo, hi = self.compiled.get("minimum"), self.compiled.get("maximum")
        none, decimal = type(None), Decimal

        def read_ordered(values: Sequence[Any]) -> Sequence[Any] | None:
            classes = set(map(type, values))
            if not classes <= allowed:
                return cell_by_cell(values)
            present = [v for v in values if v is not None] if none in classes else values
            if decimal in classes:
                decimals = present if int not in classes else [v for v in present if v.__class__ is decimal]
                if not all(map(decimal.is_finite, decimals)):
                    return cell_by_cell(values)  # NaN and infinities read through their text
            if present and (lo is not None and not min(present) >= lo or hi is not None and not max(present) <= hi):
                return None
            return values

        return read_ordered


# --------------------------------------------------------------------------- #
# Tables
# --------------------------------------------------------------------------- #


def _getter(keys: Sequence[Any]) -> Callable[[Any], tuple[Any, ...]]:
    """The items ``keys`` (indexes or names), always as a tuple (``itemgetter`` of one key returns the item)."""
    if len(keys) == 1:
        (only,) = keys
        return lambda values: (values[only],)
    return itemgetter(*keys)


@dataclass
class _ForeignKey:
    fields: tuple[str, ...]
    resource: str  # "" (or the resource's own name) for a self-reference
    reference_fields: tuple[str, ...]
    get: Callable[[Sequence[Any]], tuple[Any, ...]]
    positions: tuple[int, ...]  # of the fields among the active ones


def _columns(rows: Sequence[Mapping[str, Any]], names: Sequence[str]) -> list[Sequence[Any]]:
    """The cells of the columns ``names`` (None where a row lacks the key), one sequence per column.

    Rows are plain dicts with every column (as :mod:`gongkai.normalise` builds
    them): one ``itemgetter`` per row and a transposition by ``zip`` do it at
    C speed. Other rows take the general path.
    """
    if not rows or not names:
        return [() for _ in names]
    if set(map(type, rows)) <= {dict}:
        try:
            return list(zip(*map(_getter(names), rows), strict=True))
        except KeyError:  # a row without one of the columns
            pass
    return [[row.get(name) for row in rows] for name in names]


class TableSchema:
    """A compiled Table Schema: checks the rows of one resource."""

    def __init__(self, name: str, schema: Mapping[str, Any]):
        unknown = set(schema) - {"fields", "missingValues", "primaryKey", "foreignKeys", "$schema"}
        if unknown:
            raise NotImplementedError(f"schema property {sorted(unknown)}")
        self.name = name
        missing = schema.get("missingValues", [""])
        self.fields = [Field(d, n, missing) for n, d in enumerate(schema["fields"], start=1)]
        self.by_name = {f.name: f for f in self.fields}
        pk = schema.get("primaryKey", [])
        self.primary_key: tuple[str, ...] = (pk,) if isinstance(pk, str) else tuple(pk)
        fks = []
        for fk in schema.get("foreignKeys", []):
            fields = (fk["fields"],) if isinstance(fk["fields"], str) else tuple(fk["fields"])
            ref = fk["reference"]
            ref_fields = (ref["fields"],) if isinstance(ref["fields"], str) else tuple(ref["fields"])
            fks.append((fields, ref.get("resource") or "", ref_fields))
        key_names = {*self.primary_key, *(f for fields, _, _ in fks for f in fields)}
        # The fields read on every row: the others are unconstrained strings that cannot fail.
        self.active = [f for f in self.fields if not f.trivial or f.name in key_names]
        self.readers = [(f.name, f.read) for f in self.active]
        self.active_names = [f.name for f in self.active]
        pos = {f.name: i for i, f in enumerate(self.active)}
        self.pk_positions = tuple(pos[n] for n in self.primary_key)
        self.pk_get = _getter(self.pk_positions) if self.primary_key else None
        self.uniques = [(f.name, pos[f.name]) for f in self.active if f.unique]
        self.foreign_keys = []
        for fields, res, ref in fks:
            fk_positions = tuple(pos[n] for n in fields)
            self.foreign_keys.append(_ForeignKey(fields, res, ref, _getter(fk_positions), fk_positions))
        # The fields frictionless reads, stage by stage, before the row is fully processed.
        self.stages: list[tuple[str, ...]] = [(n,) for n, _ in self.uniques]
        if self.primary_key:
            self.stages.append(self.primary_key)
        self.stages.extend(fk.fields for fk in self.foreign_keys)

    # -- typed keys ----------------------------------------------------------- #

    def typed(self, row: Mapping[str, Any], name: str) -> Any:
        """The typed value of one cell (None when it fails its type), as frictionless reads it."""
        return self.by_name[name].parse(cell_text(row.get(name)))[0]

    def keys(self, rows: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> set[tuple[Any, ...]]:
        """The typed keys of ``rows`` that are not all null (a foreign key's lookup)."""
        out = set()
        readers = [self.by_name[n] for n in fields]
        for row in rows:
            key = tuple(_key_value(field, row.get(field.name)) for field in readers)
            if any(v is not None for v in key):
                out.add(key)
        return out

    # -- the check ------------------------------------------------------------ #

    def check(self, rows: Sequence[Mapping[str, Any]], lookups: Mapping[tuple[str, tuple[str, ...]], set[Any]]) -> list[TableError]:
        """Errors of ``rows``; ``lookups`` maps (resource, fields) to the typed keys a foreign key may take."""
        if self._clean(rows, lookups):
            return []
        return self._check_rows(rows, lookups)

    def _clean(self, rows: Sequence[Mapping[str, Any]], lookups: Mapping[tuple[str, tuple[str, ...]], set[Any]]) -> bool:
        """Whether :meth:`_check_rows` would find no error, decided column by column (the usual case, fast).

        Every cell reads without an error (:attr:`Field.column`), and the keys
        built from the typed columns have no duplicate or all-null primary
        key, no repeated unique value and no foreign key outside its lookup:
        exactly the conditions under which the row-by-row check reports
        nothing. Otherwise that check runs and says what is wrong.
        """
        typed: list[Sequence[Any]] = []
        for field, cells in zip(self.active, _columns(rows, self.active_names), strict=True):
            values = field.column(cells)
            if values is None:
                return False
            typed.append(values)
        for _, position in self.uniques:
            present = [v for v in typed[position] if v is not None]
            if len(set(present)) < len(present):
                return False
        if self.primary_key:
            keys = list(zip(*(typed[i] for i in self.pk_positions), strict=True))
            distinct = set(keys)
            if len(distinct) < len(keys) or (None,) * len(self.primary_key) in distinct:
                return False
        for fk in self.foreign_keys:
            lookup = lookups[(fk.resource or self.name, fk.reference_fields)]
            unknown = set(zip(*(typed[i] for i in fk.positions), strict=True)) - lookup
            if any(v is not None for key in unknown for v in key):
                return False
        return True

    def _check_rows(
        self, rows: Sequence[Mapping[str, Any]], lookups: Mapping[tuple[str, tuple[str, ...]], set[Any]]
    ) -> list[TableError]:
        """Errors of ``rows``, row by row, in frictionless's order (see the module docstring)."""
        errors: list[TableError] = []
        readers, pk_get, uniques = self.readers, self.pk_get, self.uniques
        fk_checks = [
            (index, fk.get, lookups[(fk.resource or self.name, fk.reference_fields)], fk)
            for index, fk in enumerate(self.foreign_keys, start=len(self.uniques) + bool(self.primary_key))
        ]
        pk_stage = len(uniques)
        pk_nulls = (None,) * len(self.primary_key)
        seen_pk: dict[tuple[Any, ...], int] = {}
        seen_unique: dict[str, dict[Any, int]] = {name: {} for name, _ in uniques}
        for number, row in enumerate(rows, start=2):
            get = row.get
            try:
                values = [read(get(name)) for name, read in readers]
                cells = None
            except _Bad:
                cells = self._exact(row)
                values = [cells[f.name][0] for f in self.active]
            integrity: list[tuple[int, TableError]] = []
            for stage, (name, position) in enumerate(uniques):
                value = values[position]
                if value is not None:
                    memory = seen_unique[name]
                    match = memory.get(value)
                    memory[value] = number
                    if match:
                        field = self.by_name[name]
                        note = f"the same as in the row at position {match}"
                        cell = str(self.typed(row, name))
                        integrity.append((stage, TableError(self.name, "unique-error", note, number, name, field.number, cell)))
            if pk_get is not None:
                key = pk_get(values)
                if key == pk_nulls:
                    note = 'cells composing the primary keys are all "None"'
                    integrity.append((pk_stage, TableError(self.name, "primary-key", note, number)))
                else:
                    match = seen_pk.get(key)
                    seen_pk[key] = number
                    if match:
                        note = f"the same as in the row at position {match}"
                        integrity.append((pk_stage, TableError(self.name, "primary-key", note, number)))
            for stage, fk_get, lookup, fk in fk_checks:
                key = fk_get(values)
                if key not in lookup and not all(v is None for v in key):
                    integrity.append((stage, self._fk_error(fk, row, number)))
            if cells is not None or integrity:
                errors.extend(self._row_errors(row, number, cells, integrity))
                if len(errors) >= LIMIT_ERRORS:
                    del errors[LIMIT_ERRORS:]
                    break
        return errors

    def _exact(self, row: Mapping[str, Any]) -> dict[str, tuple[Any, list[tuple[str, str]]]]:
        """Typed value and errors of every active cell, read exactly (the slow path)."""
        return {f.name: f.parse(cell_text(row.get(f.name))) for f in self.active}

    def _fk_error(self, fk: _ForeignKey, row: Mapping[str, Any], number: int) -> TableError:
        cells = [self.typed(row, n) for n in fk.fields]
        note = 'for "{}": values "{}" not found in the lookup table "{}" as "{}"'.format(
            ", ".join(fk.fields), ", ".join(str(c) for c in cells), fk.resource, ", ".join(fk.reference_fields)
        )
        return TableError(self.name, "foreign-key", note, number)

    def _row_errors(
        self,
        row: Mapping[str, Any],
        number: int,
        cells: dict[str, tuple[Any, list[tuple[str, str]]]] | None,
        integrity: list[tuple[int, TableError]],
    ) -> list[TableError]:
        """A row's errors in frictionless's order (see the module docstring)."""
        out: list[TableError] = []
        if cells is not None:
            last = integrity[0][0] if integrity else len(self.stages) - 1
            order = dict.fromkeys(n for stage in self.stages[: last + 1] for n in stage)
            order.update(dict.fromkeys(f.name for f in self.fields))
            for name in order:
                if name not in cells:
                    continue
                field = self.by_name[name]
                text = cell_text(row.get(name))
                for kind, note in cells[name][1]:
                    out.append(TableError(self.name, kind, note, number, name, field.number, text))
        if all(cell_text(row.get(f.name)) in f.missing for f in self.fields):
            out = [TableError(self.name, "blank-row", "", number)]
        out.extend(error for _, error in integrity)
        return out


def _key_value(field: Field, value: Any) -> Any:
    """The typed value of a cell in a key, as :meth:`Field.parse` reads it (None when it fails its type).

    :attr:`Field.read` gives an equal value, faster, when the cell has no
    error; keys are compared by equality only, so either will do.
    """
    try:
        return field.read(value)
    except _Bad:
        return field.parse(cell_text(value))[0]


class PackageChecker:
    """Compiled Table Schemas of a package, and the rows that are the same for every check.

    ``constant`` resources (the shipped code lists) are checked once, here:
    their errors are :attr:`constant_errors`; foreign keys to them use their
    typed keys, computed once.
    """

    def __init__(self, schemas: Mapping[str, Mapping[str, Any]], constant: Mapping[str, Sequence[Mapping[str, Any]]] | None = None):
        self.tables = {name: TableSchema(name, schema) for name, schema in schemas.items()}
        self.constant = dict(constant or {})
        self._constant_keys: dict[tuple[str, tuple[str, ...]], set[Any]] = {}
        self.constant_errors = self._check(self.constant, list(self.constant))

    def check(self, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[TableError]:
        """Errors of the rows in ``tables`` (resource → rows), resource by resource in schema order."""
        return self._check(tables, [name for name in self.tables if name in tables and name not in self.constant])

    def _check(self, tables: Mapping[str, Sequence[Mapping[str, Any]]], names: list[str]) -> list[TableError]:
        errors: list[TableError] = []
        lookups: dict[tuple[str, tuple[str, ...]], set[Any]] = {}
        for name in names:
            schema = self.tables[name]
            for fk in schema.foreign_keys:
                source = fk.resource or name
                wanted = (source, fk.reference_fields)
                if wanted in lookups:
                    continue
                if source in self.constant and tables is not self.constant:
                    if wanted not in self._constant_keys:
                        self._constant_keys[wanted] = self.tables[source].keys(self.constant[source], fk.reference_fields)
                    lookups[wanted] = self._constant_keys[wanted]
                else:
                    lookups[wanted] = self.tables[source].keys(tables.get(source, ()), fk.reference_fields)
            errors.extend(schema.check(tables[name], lookups))
        return errors


@cache
def record_checker() -> PackageChecker:
    """The checker of :mod:`gongkai.tables`, with the shipped code lists (compiled once per process)."""
    from gongkai.package import build_tables
    from gongkai.tables import CODE_LISTS, TABLES

    schemas = {t.name: t.schema() for t in TABLES if t.name != "findings"}
    checker = PackageChecker(schemas, build_tables([], CODE_LISTS))
    if checker.constant_errors:
        first = checker.constant_errors[0]
        raise RuntimeError(f"shipped code list {first.resource} is invalid: {first.message}")
    return checker


def compile_schema(name: str, schema: Mapping[str, Any]) -> TableSchema:
    """Compile one Table Schema (raises ``NotImplementedError`` for what is not implemented)."""
    return TableSchema(name, schema)
