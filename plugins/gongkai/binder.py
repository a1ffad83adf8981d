"""Binding YAML nodes to the model dataclasses, with located problems.

The binder reads the type hints of :mod:`gongkai.model` and checks each node
against them: mappings against dataclasses (unknown keys with a "did you
mean", missing required keys, duplicate keys), scalars against their types
(numbers read as ``Decimal`` from the source text, never through ``float``;
numbers written as text refused with the correct spelling). It collects
every problem instead of stopping at the first, and records the location of
every value so that later findings can point at ``file:line``.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import types
import typing
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any, Literal, Union, get_args, get_origin, get_type_hints

import yaml

from gongkai.errors import Location, Problem
from gongkai.fields import Kind, meta
from gongkai.messages import PATTERN_NAMES, kind_name

T_STR = "tag:yaml.org,2002:str"
T_INT = "tag:yaml.org,2002:int"
T_FLOAT = "tag:yaml.org,2002:float"
T_BOOL = "tag:yaml.org,2002:bool"
T_NULL = "tag:yaml.org,2002:null"
T_TIMESTAMP = "tag:yaml.org,2002:timestamp"

_PLAIN_NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")
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


@dataclasses.dataclass
class Binder:
    """Binds one file's node tree; collects problems and value locations."""

    file: str
    problems: list[Problem] = dataclasses.field(default_factory=list)
    locations: dict[str, Location] = dataclasses.field(default_factory=dict)

    def bind(self, node: yaml.Node, cls: type) -> Any:
        """Bind the root node to ``cls``; INVALID if it could not be built."""
        return self._bind(node, TypeInfo("dataclass", False, cls), "", cls.__name__)

    # -- helpers ---------------------------------------------------------- #

    def _loc(self, node: yaml.Node) -> Location:
        return Location(self.file, node.start_mark.line + 1, node.start_mark.column + 1)

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
        self.locations[path] = self._loc(node)
        if isinstance(node, yaml.ScalarNode) and node.tag == T_NULL:
            if info.optional:
                return None
            expected = {"dataclass": "mapping", "list": "sequence"}.get(info.kind, _scalar_kind(info))
            return self._type_error(
                node,
                path,
                key,
                expected,
                {"zh": "这个键不能为空。", "en": "This key cannot be null."},
            )
        handler = getattr(self, f"_bind_{info.kind}")
        return handler(node, info, path, key)

    def _bind_dataclass(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> Any:
        if not isinstance(node, yaml.MappingNode):
            return self._type_error(node, path, key, "mapping")
        cls = info.target
        known = fields_of(cls)
        values: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        broken = False
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._type_error(key_node, path, key, "text")
                broken = True
                continue
            name = str(key_node.value)
            child = f"{path}.{name}" if path else name
            if name in first_line:
                self._problem(
                    "yaml.duplicate-key", key_node, child, key=name, first_line=first_line[name]
                )
                broken = True
                continue
            first_line[name] = key_node.start_mark.line + 1
            if name not in known:
                self._unknown_key(key_node, child, name, known)
                broken = True
                continue
            value = self._bind(value_node, known[name][1], child, name)
            if value is INVALID:
                broken = True
            else:
                values[name] = value
        for name, (fld, _) in known.items():
            if meta(fld)["required"] and name not in first_line:
                child = f"{path}.{name}" if path else name
                self._problem("schema.missing-key", node, child, key=name, label=meta(fld)["label"])
                broken = True
        if broken:
            return INVALID
        return cls(**values)

    def _unknown_key(self, node: yaml.Node, path: str, name: str, known: dict[str, Any]) -> None:
        guess = guess_key(name, known)
        hint: Any = ""
        if guess:
            label = meta(known[guess][0])["label"]
            hint = {"zh": f"是不是“{guess}”（{label}）？", "en": f"Did you mean '{guess}' ({label})? "}
        self._problem("schema.unknown-key", node, path, key=name, hint=hint, allowed=", ".join(known))

    def _bind_list(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> Any:
        if not isinstance(node, yaml.SequenceNode):
            return self._type_error(node, path, key, "sequence")
        items = []
        broken = False
        for index, item_node in enumerate(node.value):
            value = self._bind(item_node, info.target, f"{path}[{index}]", key)
            broken = broken or value is INVALID
            items.append(value)
        return INVALID if broken else items

    def _bind_literal(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return self._type_error(node, path, key, "text")
        allowed = info.target
        raw = node.value
        if all(isinstance(a, int) for a in allowed):
            if node.tag == T_INT and _PLAIN_NUMBER.match(raw) and int(raw) in allowed:
                return int(raw)
        elif raw in allowed and node.tag in (T_STR, T_INT, T_FLOAT):
            return raw
        strings = [str(a) for a in allowed]
        close = difflib.get_close_matches(str(raw), strings, n=1, cutoff=0.5)
        guess = close[0] if close else enum_by_label(str(raw), allowed)
        hint = {"zh": f"是不是“{guess}”？", "en": f"Did you mean '{guess}'? "} if guess else ""
        return self._problem(
            "schema.enum", node, path, key=key, found=raw, hint=hint, allowed=", ".join(strings)
        )

    def _bind_str(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode) or node.tag == T_BOOL:
            return self._type_error(node, path, key, "text")
        text = str(node.value)
        semantic = info.semantic
        if semantic is not None and semantic.pattern:
            if not re.match(semantic.pattern, text):
                zh, en = PATTERN_NAMES.get(semantic.name, (semantic.description, semantic.description))
                return self._problem(
                    "schema.pattern", node, path, key=key, found=text, expected={"zh": zh, "en": en}
                )
            return text
        if not text.strip():
            return self._problem("schema.empty-text", node, path, key=key)
        if key == "url" and not re.match(r"^https?://", text):
            return self._problem("schema.url", node, path, key=key, found=text)
        return text

    def _bind_int(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.tag == T_INT and _PLAIN_NUMBER.match(node.value):
            value = int(node.value)
            if info.semantic and info.semantic.minimum is not None and value < info.semantic.minimum:
                return self._problem("schema.negative", node, path, key=key, found=value)
            return value
        if isinstance(node, yaml.ScalarNode) and node.tag == T_STR and _as_number_text(node.value):
            return self._problem(
                "schema.number-as-text", node, path, key=key, found=node.value,
                hint=number_hint(node.value),
            )
        return self._type_error(node, path, key, "integer")

    def _bind_decimal(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return self._type_error(node, path, key, "number")
        raw = str(node.value)
        if node.tag in (T_INT, T_FLOAT):
            if not _PLAIN_NUMBER.match(raw.replace("_", "")) and not re.match(
                r"^[-+]?\d+(\.\d+)?[eE][-+]?\d+$", raw
            ):
                if raw.lower().lstrip("+-") in (".nan", ".inf"):
                    return self._problem("schema.not-finite", node, path, key=key, found=raw)
                return self._type_error(node, path, key, "number")
            if "_" in raw:
                return self._problem(
                    "schema.number-as-text", node, path, key=key, found=raw, hint=raw.replace("_", "")
                )
            try:
                value = Decimal(raw)
            except InvalidOperation:  # pragma: no cover - guarded by the regexes
                return self._type_error(node, path, key, "number")
            semantic = info.semantic
            if semantic is not None and semantic.minimum is not None and value < semantic.minimum:
                return self._problem("schema.negative", node, path, key=key, found=raw)
            return value
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

    def _bind_bool(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.tag == T_BOOL:
            return node.value.lower() in ("true", "yes", "on", "y")
        return self._type_error(node, path, key, "boolean")

    def _bind_date(self, node: yaml.Node, info: TypeInfo, path: str, key: str) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.tag in (T_TIMESTAMP, T_STR):
            match = _DATE.match(str(node.value).strip())
            if match:
                try:
                    return date(int(match[1]), int(match[2]), int(match[3]))
                except ValueError:
                    pass
            return self._problem("schema.date", node, path, key=key, found=node.value)
        return self._problem("schema.date", node, path, key=key, found=getattr(node, "value", ""))


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
    text = unicodedata.normalize("NFKC", raw).strip()
    text = text.replace(",", "").replace(" ", "")
    for suffix in ("万元", "元", "万", "亿", "%"):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
            break
    if not _PLAIN_NUMBER.match(text):
        return None
    return text


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
