"""Binding YAML nodes to the model dataclasses, with located problems.

The binder reads the type hints of :mod:`gongkai.model` and checks each node
against them: mappings against dataclasses (unknown keys with a "did you
mean", missing required keys, duplicate keys), scalars against their types
(numbers read as ``Decimal`` from the source text, never through ``float``;
numbers written as text refused with the correct spelling; codes in ASCII
digits only; no control character, which only an escape can write, in any
scalar). It collects
every problem instead of stopping at the first, and records the location of
every value so that later findings can point at ``file:line``.

Two binders share the reading of scalars (:class:`_Reader`): :class:`Binder`
walks a composed node graph and reports every problem; :class:`StreamBinder`
binds a well-formed record from a flat list of entries (what the parser's
events say, see :func:`gongkai.yamlio.scan_plain`), several times faster, and
gives up at the first problem so that :class:`Binder` can report it.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import yaml
from yaml import MappingNode, ScalarNode, SequenceNode

from gongkai.errors import Location, LocationMap, Problem
from gongkai.fields import Kind, meta
from gongkai.messages import PATTERN_NAMES, kind_name
from gongkai.yamlio import (
    CONTROL,
    END,
    MAPPING,
    ODD_TAG_STARTS,
    SCALAR,
    SEQUENCE,
    STANDARD_TAGS,
    TEXT_TAG_STARTS,
    Entry,
    Irregular,
    control_name,
    may_escape_control,
    plain_tag,
    visible,
)

T_STR = "tag:yaml.org,2002:str"
T_INT = "tag:yaml.org,2002:int"
T_FLOAT = "tag:yaml.org,2002:float"
T_BOOL = "tag:yaml.org,2002:bool"
T_NULL = "tag:yaml.org,2002:null"
T_TIMESTAMP = "tag:yaml.org,2002:timestamp"

_PLAIN_NUMBER = re.compile(r"^[-+]?[0-9]+(\.[0-9]+)?\Z")
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


class _Invalid:
    """Sentinel: the node did not bind (a problem was recorded)."""


INVALID = _Invalid()


@dataclasses.dataclass(frozen=True)
class TypeInfo:
    """A model type reduced to what binding needs."""

    kind: str  # dataclass | list | literal | str | int | bool | decimal | date
    optional: bool = False
    target: Any = None  # dataclass type, list item TypeInfo, or literal values
    semantic: Kind | None = None


@cache
def describe(hint: Any) -> TypeInfo:
    """Reduce a type hint of the model to a :class:`TypeInfo` (cached)."""
    optional = False
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(hint) if a is not type(None)]
        optional = len(args) != len(get_args(hint))
        if len(args) != 1:
            raise TypeError(f"unsupported union {hint!r}")
        hint = args[0]
        origin = get_origin(hint)
    semantic = None
    if origin is typing.Annotated:
        base, *extras = get_args(hint)
        semantic = next((e for e in extras if isinstance(e, Kind)), None)
        hint, origin = base, get_origin(base)
    if origin is Literal:
        return TypeInfo("literal", optional, tuple(get_args(hint)))
    if origin is list:
        (item,) = get_args(hint)
        return TypeInfo("list", optional, describe(item))
    if dataclasses.is_dataclass(hint):
        return TypeInfo("dataclass", optional, hint)
    simple = {str: "str", int: "int", bool: "bool", Decimal: "decimal", date: "date"}
    if hint in simple:
        return TypeInfo(simple[hint], optional, None, semantic)
    raise TypeError(f"unsupported type {hint!r}")


@cache
def fields_of(cls: type) -> dict[str, tuple[dataclasses.Field[Any], TypeInfo]]:
    """The fields of a model dataclass with their reduced types, in order."""
    hints = get_type_hints(cls, include_extras=True)
    return {fld.name: (fld, describe(hints[fld.name])) for fld in dataclasses.fields(cls)}


@dataclasses.dataclass(frozen=True)
class _Plan:
    """How to bind a mapping to one model class, worked out once per class.

    The binder visits hundreds of mappings per record; reading the type hints
    and field metadata each time cost more than the binding itself.
    """

    cls: type
    #: key → reduced type of every field, in declaration order.
    fields: dict[str, TypeInfo]
    #: (key, label) of the fields that must be present, in declaration order.
    required: tuple[tuple[str, str], ...]
    #: the keys of ``required``, to check them all at once.
    required_keys: frozenset[str]


@cache
def _plan(cls: type) -> _Plan:
    known = fields_of(cls)
    required = tuple((name, meta(fld)["label"]) for name, (fld, _) in known.items() if meta(fld)["required"])
    fields = {name: info for name, (_, info) in known.items()}
    return _Plan(cls, fields, required, frozenset(name for name, _ in required))


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """A Kind's pattern, for :meth:`re.Pattern.fullmatch` (``$`` alone would let a final newline through)."""
    return re.compile(pattern, re.ASCII)


@cache
def _literal_shape(allowed: tuple[Any, ...]) -> tuple[bool, dict[str, str]]:
    """(all values are ints, text → the model's own str object) for a Literal.

    Binding returns the model's string rather than the scalar's copy, so the
    many ``disclosed``, ``numeric``-like values of a record share one object.
    """
    return all(isinstance(a, int) for a in allowed), {a: a for a in allowed if isinstance(a, str)}


_URL = re.compile(r"^https?://")
_EXPONENT = re.compile(r"^[-+]?[0-9]+(\.[0-9]+)?[eE][-+]?[0-9]+\Z")


class _Reader:
    """Reads scalars into model values: the one judge of whether a scalar is valid.

    Each ``_read_<kind>`` method takes a scalar's text and resolved tag and
    returns the value, or INVALID without saying why; :class:`Binder` then
    explains the rejection with a located problem, while :class:`StreamBinder`
    hands the file over to :class:`Binder`.

    Equal strings and equal numbers of one file are read into one shared
    object (they are immutable): labels such as 产出指标 and amounts such as
    0.00 repeat hundreds of times in a record, and sharing them halves the
    memory a loaded record takes.
    """

    def __init__(self, file: str, text: str = "") -> None:
        self.file = file
        self.locations = LocationMap(file, text=text)
        self._marks = self.locations.marks
        self._lines = self.locations.lines
        self._texts: dict[str, str] = {}
        self._numbers: dict[str, Decimal] = {}

    def _read_str(self, raw: str, tag: str, info: TypeInfo, key: str) -> Any:
        if tag == T_BOOL:
            return INVALID
        semantic = info.semantic
        if semantic is not None and semantic.pattern:
            if not _compiled(semantic.pattern).fullmatch(raw):
                return INVALID
        elif not raw.strip() or (key == "url" and not _URL.match(raw)):
            return INVALID
        return self._texts.setdefault(raw, raw)

    def _read_literal(self, raw: str, tag: str, info: TypeInfo, key: str) -> Any:
        allowed = info.target
        only_ints, texts = _literal_shape(allowed)
        if only_ints:
            if tag == T_INT and _PLAIN_NUMBER.match(raw) and int(raw) in allowed:
                return int(raw)
        elif raw in texts and tag in (T_STR, T_INT, T_FLOAT):
            return texts[raw]
        return INVALID

    def _read_int(self, raw: str, tag: str, info: TypeInfo, key: str) -> Any:
        if tag != T_INT or not _PLAIN_NUMBER.match(raw):
            return INVALID
        value = int(raw)
        if info.semantic and info.semantic.minimum is not None and value < info.semantic.minimum:
            return INVALID
        return value

    def _read_decimal(self, raw: str, tag: str, info: TypeInfo, key: str) -> Any:
        if tag != T_INT and tag != T_FLOAT:
            return INVALID
        value = self._numbers.get(raw)
        if value is None:
            if "_" in raw or not (_PLAIN_NUMBER.match(raw) or _EXPONENT.match(raw)):
                return INVALID
            value = self._numbers[raw] = Decimal(raw)
        semantic = info.semantic
        if semantic is not None and semantic.minimum is not None and value < semantic.minimum:
            return INVALID
        return value

    def _read_bool(self, raw: str, tag: str, info: TypeInfo, key: str) -> Any:
        return raw.lower() in ("true", "yes", "on", "y") if tag == T_BOOL else INVALID

    def _read_date(self, raw: str, tag: str, info: TypeInfo, key: str) -> Any:
        if tag != T_TIMESTAMP and tag != T_STR:
            return INVALID
        match = _DATE.match(raw.strip())
        if match is None:
            return INVALID
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return INVALID

    def _read_collection(self, raw: str, tag: str, info: TypeInfo, key: str) -> Any:
        return INVALID  # a scalar where a mapping or a sequence belongs


Read = Callable[[_Reader, str, str, TypeInfo, str], Any]

#: TypeInfo.kind → how a scalar of that kind is read.
_READERS: dict[str, Read] = {
    "str": _Reader._read_str,
    "literal": _Reader._read_literal,
    "int": _Reader._read_int,
    "decimal": _Reader._read_decimal,
    "bool": _Reader._read_bool,
    "date": _Reader._read_date,
    "dataclass": _Reader._read_collection,
    "list": _Reader._read_collection,
}


#: How :class:`StreamBinder` binds one field or list item (the ``code`` of a :data:`_Slot`).
_TEXT, _DECIMAL, _SCALAR, _MAPPING, _SEQUENCE = range(5)

#: (code, reduced type, scalar reader, nested) — ``nested`` is the model class of a
#: mapping, the :data:`_Slot` of a sequence's items, or a decimal's minimum. A tuple,
#: unpacked in the hot loop.
_Slot = tuple[int, TypeInfo, Read, Any]


def _slot(info: TypeInfo, key: str) -> _Slot:
    """How a value of type ``info`` under ``key`` is bound by :class:`StreamBinder`.

    Free text (no pattern, not a URL) and decimals are most of a record's
    values; they get codes of their own, read inline in
    :meth:`StreamBinder._bind_mapping` with the checks of
    :meth:`_Reader._read_str` and :meth:`_Reader._read_decimal`.
    """
    read = _READERS[info.kind]
    if info.kind == "dataclass":
        return (_MAPPING, info, read, info.target)
    if info.kind == "list":
        return (_SEQUENCE, info, read, _slot(info.target, key))
    semantic = info.semantic
    if info.kind == "str" and not (semantic is not None and semantic.pattern) and key != "url":
        return (_TEXT, info, read, None)
    if info.kind == "decimal":
        return (_DECIMAL, info, read, semantic.minimum if semantic is not None else None)
    return (_SCALAR, info, read, None)


@dataclasses.dataclass(frozen=True)
class _StreamPlan:
    """:class:`_Plan` with each field's :data:`_Slot`, for :class:`StreamBinder` (built once per class)."""

    slots: dict[str, _Slot]
    required_keys: frozenset[str]


@cache
def _stream_plan(cls: type) -> _StreamPlan:
    plan = _plan(cls)
    slots = {name: _slot(info, name) for name, info in plan.fields.items()}
    # Keys are not resolved: a key that resolves to a refused tag (``<<``, ``=``)
    # is no field name, so it stops the fast path as an unknown key does.
    assert not any(name[:1] in ODD_TAG_STARTS for name in slots)
    return _StreamPlan(slots, plan.required_keys)


class StreamBinder(_Reader):
    """Binds a record from its entries (:data:`~gongkai.yamlio.Entry`), provided it has no problem at all.

    This is the loader's fast path: the entries come from
    :func:`~gongkai.yamlio.scan_plain`, or from libyaml's events
    (:meth:`~gongkai.yamlio.PlainEvents.entries`) when the text is beyond
    that scanner. It records locations exactly as :class:`Binder` does, but
    reports nothing: at the first thing :class:`Binder` would report — an
    unknown, duplicate or missing key, a value :class:`_Reader` rejects, a
    node of the wrong kind — it raises :class:`~gongkai.yamlio.Irregular`,
    and the loader binds the file again with :class:`Binder`, which says what
    is wrong and where.

    A record is thousands of entries, so the loops are written for speed:
    each class's fields are looked up once (:func:`_stream_plan`), scalar
    values are read in the loop, free text without a call, and every nested
    collection reads on from the one shared iterator.
    """

    def __init__(self, file: str, text: str = "") -> None:
        super().__init__(file, text)
        #: Plain scalar text → its tag (values repeat throughout a record).
        self._tags: dict[str, str] = {}
        #: Plain scalar text → the same text, once it has been read as free text: free text
        #: repeats (labels, names), and a plain scalar's tag, which decides, is its text's.
        self._plain_texts: dict[str, str] = {}

    def bind(self, entries: Iterable[Entry], cls: type) -> Any:
        """Bind the one document that ``entries`` describe to ``cls``."""
        self._entries = iter(entries)
        root = next(self._entries, None)
        if root is None:
            raise Irregular("empty")
        value = self._bind(root, _slot(TypeInfo("dataclass", False, cls), cls.__name__), "", cls.__name__)
        if next(self._entries, None) is not None:
            raise Irregular("more")
        return value

    def _resolve(self, raw: str) -> str:
        """The tag of the plain scalar ``raw``, as composing gives it; a refused tag stops the fast path."""
        tag = self._tags[raw] = plain_tag(raw)
        if tag not in STANDARD_TAGS:
            raise Irregular(tag)
        return tag

    def _bind(self, entry: Entry, slot: _Slot, path: str, key: str) -> Any:
        """Bind the node of ``entry`` (a collection's entries are read on from the iterator)."""
        _, kind, raw, plain, index = entry
        self._marks[path] = index  # see LocationMap
        if kind == SCALAR:
            return self._scalar(raw, plain, slot, path, key)
        return self._collection(kind, slot, path, key)

    def _scalar(self, raw: str, plain: bool, slot: _Slot, path: str, key: str) -> Any:
        """A scalar read by its slot's reader: what :class:`Binder` does with a scalar node."""
        tag = (self._tags.get(raw) or self._resolve(raw)) if plain else T_STR
        code, info, read, _ = slot
        if tag == T_NULL:
            if info.optional:
                return None
            raise Irregular("null")
        value = read(self, raw, tag, info, key)
        if value is INVALID:
            raise Irregular(path)
        return value

    def _text(self, raw: str, plain: bool, slot: _Slot, path: str) -> Any:
        """Free text, as :meth:`_scalar` reads it, remembered in ``_plain_texts`` when plain.

        Only a plain scalar whose first character may start a null, a boolean
        or a refused tag (:data:`~gongkai.yamlio.TEXT_TAG_STARTS`) needs its
        tag: any other tag leaves free text as it is.
        """
        if plain and raw[:1] in TEXT_TAG_STARTS:
            tag = self._tags.get(raw) or self._resolve(raw)
            if tag == T_NULL:
                if slot[1].optional:
                    return None
                raise Irregular("null")
            if tag == T_BOOL:
                raise Irregular(path)
        if not raw.strip():
            raise Irregular(path)
        value = self._texts.setdefault(raw, raw)
        if plain:
            self._plain_texts[raw] = value
        return value

    def _collection(self, kind: int, slot: _Slot, path: str, key: str) -> Any:
        code, _, _, nested = slot
        if kind == MAPPING and code == _MAPPING:
            return self._bind_mapping(nested, path)
        if kind == SEQUENCE and code == _SEQUENCE:
            return self._bind_sequence(nested, path, key)
        raise Irregular(path)  # a collection of the wrong kind, or an alias

    def _bind_mapping(self, cls: type, path: str) -> Any:
        """Bind a mapping's entries to ``cls``; the common scalar values are read here, inline."""
        plan = _stream_plan(cls)
        slots = plan.slots
        prefix = f"{path}." if path else ""
        values: dict[str, Any] = {}
        marks = self._marks
        plain_texts = self._plain_texts
        numbers = self._numbers
        for name, kind, raw, plain, index in self._entries:
            if kind == END:
                break
            slot = slots.get(name)
            where = prefix + name
            if slot is None or name in values:
                raise Irregular(where)
            marks[where] = index  # see LocationMap
            if kind != SCALAR:
                values[name] = self._collection(kind, slot, where, name)
                continue
            code = slot[0]
            if code == _TEXT:
                text = plain_texts.get(raw) if plain else None
                values[name] = self._text(raw, plain, slot, where) if text is None else text
            elif code == _DECIMAL and plain and (number := numbers.get(raw)) is not None:
                # A plain number read before had an int or float tag, as it has now.
                minimum = slot[3]
                if minimum is not None and number < minimum:
                    raise Irregular(where)
                values[name] = number
            else:
                values[name] = self._scalar(raw, plain, slot, where, name)
        else:
            raise Irregular(path)  # the entries ended inside the mapping
        if not values.keys() >= plan.required_keys:
            raise Irregular(path)
        return cls(**values)

    def _bind_sequence(self, slot: _Slot, path: str, key: str) -> list[Any]:
        """Bind a sequence's entries, each item by ``slot``."""
        items: list[Any] = []
        marks = self._marks
        mapping = slot[3] if slot[0] == _MAPPING else None
        for _, kind, raw, plain, index in self._entries:
            if kind == END:
                return items
            where = f"{path}[{len(items)}]"
            marks[where] = index  # see LocationMap
            if kind == MAPPING and mapping is not None:
                items.append(self._bind_mapping(mapping, where))
            elif kind == SCALAR:
                items.append(self._scalar(raw, plain, slot, where, key))
            else:
                items.append(self._collection(kind, slot, where, key))
        raise Irregular(path)  # the entries ended inside the sequence


class Binder(_Reader):
    """Binds one file's node tree; collects problems and value locations.

    The loader's full path: it reports every problem of a file, each located,
    where :class:`StreamBinder` stops at the first.
    """

    def __init__(self, file: str, text: str = "") -> None:
        super().__init__(file, text)
        self.problems: list[Problem] = []
        #: Whether a scalar may hold a control character (only an escape can write one).
        self._controls = may_escape_control(text)

    def bind(self, node: yaml.Node, cls: type) -> Any:
        """Bind the root node to ``cls``; INVALID if it could not be built."""
        return self._bind(node, TypeInfo("dataclass", False, cls), "", cls.__name__)

    # -- helpers ---------------------------------------------------------- #

    def _loc(self, node: yaml.Node) -> Location:
        return self._lines.location(self.file, node.start_mark.index)

    def _problem(self, code: str, node: yaml.Node, path: str, **params: Any) -> _Invalid:
        self.problems.append(Problem(code, self._loc(node), params, path))
        return INVALID

    def _type_error(self, node: yaml.Node, path: str, key: str, expected: str, hint: Any = "") -> _Invalid:
        found = _node_kind(node)
        return self._problem(
            "schema.type",
            node,
            path,
            key=key,
            expected={"zh": kind_name(expected, "zh"), "en": kind_name(expected, "en")},
            found={
                "zh": f"{kind_name(found, 'zh')}{_preview(node, '“{}”')}",
                "en": f"{kind_name(found, 'en')}{_preview(node, ' {!r}')}",
            },
            hint=hint,
        )

    # -- dispatch --------------------------------------------------------- #

    def _bind(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> Any:
        self._marks[path] = node.start_mark.index  # see LocationMap
        if isinstance(node, ScalarNode):
            if self._controls and CONTROL.search(node.value):
                return self._control_error(node, path)
            if node.tag == T_NULL:
                if info.optional:
                    return None
                return self._null_error(node, info, path, key)
            value = _READERS[info.kind](self, node.value, node.tag, info, key)
            if value is not INVALID:
                return value
        return _EXPLAINERS[info.kind](self, node, info, path, key)

    def _control_error(self, node: yaml.Node, path: str) -> _Invalid:
        found = CONTROL.search(node.value)
        assert found is not None
        return self._problem("schema.control-character", node, path, found=control_name(found.group()))

    def _null_error(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> _Invalid:
        expected = {"dataclass": "mapping", "list": "sequence"}.get(info.kind, _scalar_kind(info))
        return self._type_error(
            node,
            path,
            key,
            expected,
            {"zh": "这个键不能为空。", "en": "This key cannot be null."},
        )

    def _bind_dataclass(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> Any:
        if not isinstance(node, MappingNode):
            return self._type_error(node, path, key, "mapping")
        plan = _plan(info.target)
        fields = plan.fields
        prefix = f"{path}." if path else ""
        values: dict[str, Any] = {}
        seen: dict[str, yaml.Node] = {}  # key → its first key node
        broken = False
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self._type_error(key_node, path, key, "text")
                broken = True
                continue
            name = key_node.value
            if self._controls and CONTROL.search(name):
                self._control_error(key_node, prefix + visible(name))
                broken = True
                continue
            if name in seen:
                first_line = self._lines.position(seen[name].start_mark.index)[0]
                self._problem("yaml.duplicate-key", key_node, prefix + name, key=name, first_line=first_line)
                broken = True
                continue
            seen[name] = key_node
            field_info = fields.get(name)
            if field_info is None:
                self._unknown_key(key_node, prefix + name, name, fields_of(plan.cls))
                broken = True
                continue
            value = self._bind(value_node, field_info, prefix + name, name)
            if value is INVALID:
                broken = True
            else:
                values[name] = value
        if not seen.keys() >= plan.required_keys:
            for name, label in plan.required:
                if name not in seen:
                    self._problem("schema.missing-key", node, prefix + name, key=name, label=label)
            broken = True
        if broken:
            return INVALID
        return plan.cls(**values)

    def _unknown_key(self, node: yaml.Node, path: str, name: str, known: dict[str, Any]) -> None:
        guess = guess_key(name, known)
        hint: Any = ""
        if guess:
            label = meta(known[guess][0])["label"]
            hint = {"zh": f"是不是“{guess}”（{label}）？", "en": f"Did you mean '{guess}' ({label})? "}
        self._problem("schema.unknown-key", node, path, key=name, hint=hint, allowed=", ".join(known))

    def _bind_list(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> Any:
        if not isinstance(node, SequenceNode):
            return self._type_error(node, path, key, "sequence")
        item_info = info.target
        items = []
        broken = False
        for index, item_node in enumerate(node.value):
            value = self._bind(item_node, item_info, f"{path}[{index}]", key)
            broken = broken or value is INVALID
            items.append(value)
        return INVALID if broken else items

    # -- why a value was rejected ----------------------------------------- #
    # Each _explain_<kind> runs when _Reader rejected a scalar (or the node is
    # not a scalar) and records the problem that says why.

    def _explain_literal(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> _Invalid:
        if not isinstance(node, ScalarNode):
            return self._type_error(node, path, key, "text")
        allowed = info.target
        raw = node.value
        strings = [str(a) for a in allowed]
        close = difflib.get_close_matches(str(raw), strings, n=1, cutoff=0.5)
        guess = close[0] if close else enum_by_label(str(raw), allowed)
        hint = {"zh": f"是不是“{guess}”？", "en": f"Did you mean '{guess}'? "} if guess else ""
        return self._problem(
            "schema.enum", node, path, key=key, found=raw, hint=hint, allowed=", ".join(strings)
        )

    def _explain_str(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> _Invalid:
        if not isinstance(node, ScalarNode) or node.tag == T_BOOL:
            return self._type_error(node, path, key, "text")
        text = str(node.value)
        semantic = info.semantic
        if semantic is not None and semantic.pattern:
            zh, en = PATTERN_NAMES.get(semantic.name, (semantic.description, semantic.description))
            return self._problem(
                "schema.pattern", node, path, key=key, found=visible(text), expected={"zh": zh, "en": en}
            )
        if not text.strip():
            return self._problem("schema.empty-text", node, path, key=key)
        return self._problem("schema.url", node, path, key=key, found=text)

    def _explain_int(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> _Invalid:
        if isinstance(node, ScalarNode) and node.tag == T_INT and _PLAIN_NUMBER.match(node.value):
            return self._problem("schema.negative", node, path, key=key, found=int(node.value))
        if isinstance(node, ScalarNode) and node.tag == T_STR and _as_number_text(node.value):
            return self._problem(
                "schema.number-as-text", node, path, key=key, found=node.value,
                hint=number_hint(node.value),
            )
        return self._type_error(node, path, key, "integer")

    def _explain_decimal(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> _Invalid:
        if not isinstance(node, ScalarNode):
            return self._type_error(node, path, key, "number")
        raw = str(node.value)
        if node.tag in (T_INT, T_FLOAT):
            if not _PLAIN_NUMBER.match(raw.replace("_", "")) and not _EXPONENT.match(raw):
                if raw.lower().lstrip("+-") in (".nan", ".inf"):
                    return self._problem("schema.not-finite", node, path, key=key, found=raw)
                return self._type_error(node, path, key, "number")
            if "_" in raw:
                return self._problem(
                    "schema.number-as-text", node, path, key=key, found=raw, hint=raw.replace("_", "")
                )
            return self._problem("schema.negative", node, path, key=key, found=raw)
        if node.tag == T_STR:
            suggestion = number_hint(raw)
            if suggestion:
                return self._problem(
                    "schema.number-as-text", node, path, key=key, found=raw, hint=suggestion
                )
            if raw.strip().lower() in ("nan", "inf", "-inf", "infinity"):
                return self._problem("schema.not-finite", node, path, key=key, found=raw)
            if raw.strip() in BLANK_MARKS:
                return self._type_error(node, path, key, "number", BLANK_HINT)
        return self._type_error(node, path, key, "number")

    def _explain_bool(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> _Invalid:
        return self._type_error(node, path, key, "boolean")

    def _explain_date(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> _Invalid:
        return self._problem("schema.date", node, path, key=key, found=getattr(node, "value", ""))


Explain = Callable[[Binder, yaml.Node, TypeInfo, str, str], Any]

#: TypeInfo.kind → what binds a collection of that kind, or explains a rejected scalar.
_EXPLAINERS: dict[str, Explain] = {
    "dataclass": Binder._bind_dataclass,
    "list": Binder._bind_list,
    "literal": Binder._explain_literal,
    "str": Binder._explain_str,
    "int": Binder._explain_int,
    "decimal": Binder._explain_decimal,
    "bool": Binder._explain_bool,
    "date": Binder._explain_date,
}


def _scalar_kind(info: TypeInfo) -> str:
    return {"str": "text", "literal": "text", "int": "integer", "decimal": "number"}.get(
        info.kind, info.kind
    )


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "mapping"
    if isinstance(node, yaml.SequenceNode):
        return "sequence"
    return {
        T_INT: "integer",
        T_FLOAT: "number",
        T_BOOL: "boolean",
        T_NULL: "null",
        T_TIMESTAMP: "date",
    }.get(node.tag, "text")


def _preview(node: yaml.Node, quote: str) -> str:
    """The start of a scalar's text in the quotes of the message's language."""
    if isinstance(node, yaml.ScalarNode):
        text = str(node.value)
        return quote.format(f"{text[:30]}{'…' if len(text) > 30 else ''}")
    return ""


_CN_MULTIPLIERS = {"万": Decimal(10000), "亿": Decimal(100000000)}


def _as_number_text(raw: str) -> str | None:
    """If ``raw`` is a number written as text, return how to write it.

    Handles thousands separators ("1,234.00"), full-width digits
    ("１２３"), a trailing unit ("12万", "300元") and stray spaces. Returns
    ``None`` when ``raw`` is not number-like at all.
    """
    text = _ascii_digits(unicodedata.normalize("NFKC", raw)).strip()
    text = text.replace(",", "").replace(" ", "")
    for suffix in ("万元", "元", "万", "亿", "%"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    if not _PLAIN_NUMBER.match(text):
        return None
    return text


def _ascii_digits(text: str) -> str:
    """``text`` with every decimal digit (Arabic-Indic ٣, Devanagari ३, …) written 0-9.

    NFKC already turns full-width digits into ASCII, but not the digits of
    other scripts, which ``int()`` reads and a YAML number does not.
    """
    if text.isascii():
        return text
    return "".join(str(unicodedata.decimal(char)) if char.isdecimal() else char for char in text)


def number_hint(raw: str) -> dict[str, str] | None:
    """How to write ``raw`` as a number, with a word on its unit, in zh and en."""
    number = _as_number_text(raw)
    if number is None:
        return None
    text = unicodedata.normalize("NFKC", raw).strip()
    unit = next((u for u in ("万元", "元", "万", "亿") if text.endswith(u)), "")
    if not unit:
        return {"zh": number, "en": number}
    scale = _CN_MULTIPLIERS.get(unit.rstrip("元"), Decimal(1))
    return {
        "zh": f"{number}，并核对单位：原文印的是“{unit}”"
        + (f"（×{scale:,}）" if scale != 1 else "")
        + "，应与记录的 amount_unit 或本部分的 unit 相同",
        "en": f"{number}, and check the unit: the source prints '{unit}', which must be the record's amount_unit or this section's unit",
    }


#: What a printed table uses for an empty cell; in YAML that is null (or 0 if printed).
BLANK_MARKS = frozenset({"-", "—", "－", "--", "——", "/", "无", "空", "空白"})
BLANK_HINT = {
    "zh": "原文的空白或“-”请写 null；原文印着 0 才写 0。",
    "en": "Write null for a blank or '-' cell; write 0 only for a printed zero.",
}

_BRACKETED = re.compile(r"[（(][^）)]*[）)]")


def guess_key(name: str, known: dict[str, Any]) -> str | None:
    """The key a contributor most likely meant by the unknown key ``name``.

    Tries, in order: the same key spelt differently (``Amount``,
    ``fiscal-amount``), a typo (``amout``), and the Chinese label printed in
    the source (``预算数`` → ``amount``; ``指标值`` → ``value_raw``, whose label
    is ``指标值（原文）``).
    """
    spelt = name.strip().lower().replace("-", "_").replace(" ", "_")
    if spelt in known:
        return spelt
    close = difflib.get_close_matches(spelt, list(known), n=1, cutoff=0.6)
    if close:
        return close[0]
    labels: dict[str, str] = {}
    for key, (fld, _) in known.items():
        label = meta(fld)["label"]
        labels.setdefault(label, key)
        labels.setdefault(_BRACKETED.sub("", label), key)
    text = name.strip()
    if text in labels:
        return labels[text]
    close = difflib.get_close_matches(text, list(labels), n=1, cutoff=0.6)
    return labels[close[0]] if close else None


_CJK = re.compile(r"[\u4e00-\u9fff]")
_ORDINAL = re.compile(r"^([一二三四五六七八九十]+、|\d+[、.]|其中[:：]?)")


def enum_by_label(raw: str, allowed: tuple[Any, ...]) -> str | None:
    """The allowed value whose Chinese name is ``raw`` (``合计`` → ``total``).

    The names come from the field descriptions of the model, which list each
    value with its name (``total 合计；subtotal “三公”经费小计；…``), so this
    stays in step with the model without a second vocabulary.
    """
    labels = _enum_labels(tuple(allowed))
    text = _ORDINAL.sub("", raw.strip()).strip()
    if not text:
        return None
    if text in labels:
        return labels[text]
    inside = [label for label in labels if label in text]
    if inside:
        return labels[max(inside, key=len)]
    around = {labels[label] for label in labels if text in label}
    return around.pop() if len(around) == 1 else None


@cache
def _enum_labels(allowed: tuple[Any, ...]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for doc in _literal_docs().get(allowed, []):
        for value in allowed:
            pattern = rf"(?<![A-Za-z_]){re.escape(str(value))}(?![A-Za-z_])[\s：:]*([^；;。/、,，\s][^；;。/、,，]*)"
            match = re.search(pattern, doc)
            if match and _CJK.search(match[1]) and len(match[1].strip()) >= 2:
                labels.setdefault(match[1].strip(), str(value))
    return labels


@cache
def _literal_docs() -> dict[tuple[Any, ...], list[str]]:
    """The descriptions of every enum field of the model, by its allowed values."""
    from gongkai.model import Budget

    docs: dict[tuple[Any, ...], list[str]] = {}
    seen: set[type] = set()
    stack: list[type] = [Budget]
    while stack:
        cls = stack.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for fld, info in fields_of(cls).values():
            while info.kind == "list":
                info = info.target
            if info.kind == "literal":
                docs.setdefault(info.target, []).append(meta(fld)["doc"])
            elif info.kind == "dataclass":
                stack.append(info.target)
    return docs
