"""JSON Schema of the YAML format, generated from the model dataclasses.

Editors (VS Code's YAML extension, JetBrains) read it through the
``# yaml-language-server: $schema=…`` line at the top of each content file
and offer completion and inline errors while a contributor types. It is
generated, never hand-edited, so it cannot drift from the loader: a test
checks that the committed file equals this output.
"""

from __future__ import annotations

import json
from typing import Any

from gongkai.binder import TypeInfo, fields_of
from gongkai.fields import class_summary, meta
from gongkai.model import Budget

SCHEMA_ID = "https://gongkai.invalid/schema/budget.schema.json"


def _scalar(info: TypeInfo) -> dict[str, Any]:
    semantic = info.semantic
    if info.kind == "str":
        out: dict[str, Any] = {"type": "string"}
        if semantic is not None and semantic.pattern:
            # codes may be written unquoted; YAML then reads them as integers
            return {"type": ["string", "integer"], "pattern": semantic.pattern}
        return {**out, "minLength": 1}
    if info.kind == "int":
        out = {"type": "integer"}
    elif info.kind == "decimal":
        out = {"type": "number"}
    elif info.kind == "bool":
        out = {"type": "boolean"}
    elif info.kind == "date":
        out = {"type": "string", "format": "date"}
    else:  # pragma: no cover - describe() admits no other scalar kind
        raise TypeError(info.kind)
    if semantic is not None and semantic.minimum is not None:
        out["minimum"] = int(semantic.minimum)
    return out


def _schema_for(info: TypeInfo, definitions: dict[str, Any]) -> dict[str, Any]:
    if info.kind == "dataclass":
        name = info.target.__name__
        if name not in definitions:
            definitions[name] = {}  # placeholder against recursion
            definitions[name] = _object_schema(info.target, definitions)
        out: dict[str, Any] = {"$ref": f"#/$defs/{name}"}
    elif info.kind == "list":
        out = {"type": "array", "items": _schema_for(info.target, definitions)}
    elif info.kind == "literal":
        out = {"enum": list(info.target)}
    else:
        out = _scalar(info)
    if info.optional:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def _object_schema(cls: type, definitions: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    for name, (fld, info) in fields_of(cls).items():
        info_meta = meta(fld)
        prop = _schema_for(info, definitions)
        prop = {**prop, "title": info_meta["label"], "description": info_meta["doc"]}
        properties[name] = prop
        if info_meta["required"]:
            required.append(name)
    out: dict[str, Any] = {
        "type": "object",
        "title": cls.__name__,
        "description": class_summary(cls),
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        out["required"] = required
    return out


def budget_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one budget record file."""
    definitions: dict[str, Any] = {}
    root = _object_schema(Budget, definitions)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **root,
        "title": "部门预算公开记录 (Gongkai budget record)",
        "$defs": dict(sorted(definitions.items())),
    }


def schema_text() -> str:
    return json.dumps(budget_schema(), ensure_ascii=False, indent=2) + "\n"
