"""The format reference page, generated from the model dataclasses.

One section per object of the YAML format, one row per key, with its type,
whether it is required, its Chinese label and its meaning. Generated, so the
documentation a contributor reads is the format the loader accepts.
"""

from __future__ import annotations

from gongkai.binder import TypeInfo, fields_of
from gongkai.fields import class_summary, meta
from gongkai.model import Budget


def type_label(info: TypeInfo) -> str:
    """A short human name of a field type (links to nested objects)."""
    if info.kind == "dataclass":
        name = info.target.__name__
        text = f"[{name}](#{name.lower()})"
    elif info.kind == "list":
        text = f"列表：{type_label(info.target)}"
    elif info.kind == "literal":
        text = " / ".join(f"`{v}`" for v in info.target)
    elif info.semantic is not None:
        text = {
            "money": "金额（≥0）",
            "signed_money": "金额（可为负）",
            "number": "数字",
            "func_code": "功能分类编码",
            "econ_code": "经济分类编码",
            "admin_code": "行政区划代码",
            "dept_code": "部门编码",
            "count": "非负整数",
        }.get(info.semantic.name, info.semantic.name)
    else:
        text = {"str": "文字", "int": "整数", "decimal": "数字", "bool": "true/false", "date": "日期"}[info.kind]
    return f"{text}，可为 null" if info.optional else text


def _collect(cls: type, seen: list[type]) -> None:
    if cls in seen:
        return
    seen.append(cls)
    for _, info in fields_of(cls).values():
        while info.kind == "list":
            info = info.target
        if info.kind == "dataclass":
            _collect(info.target, seen)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def reference_markdown() -> str:
    """The whole reference as Markdown."""
    classes: list[type] = []
    _collect(Budget, classes)
    lines = [
        "# 预算记录格式参考",
        "",
        "本页由 `gongkai reference` 根据代码中的数据模型生成，请勿手工编辑。",
        "每个 YAML 文件是一个部门、一个年度、一个阶段的预算公开记录，根对象是 [Budget](#budget)。",
        "“必填”的键必须写出；其他键可以省略（省略的部分表示原文没有公开）。",
        "",
    ]
    for cls in classes:
        summary = class_summary(cls)
        lines += [f"## {cls.__name__}", ""]
        if summary:
            lines += [summary, ""]
        lines += ["| 键 | 名称 | 类型 | 必填 | 说明 |", "|---|---|---|---|---|"]
        for name, (fld, info) in fields_of(cls).items():
            m = meta(fld)
            required = "是" if m["required"] else ""
            lines.append(f"| `{name}` | {_cell(m['label'])} | {_cell(type_label(info))} | {required} | {_cell(m['doc'])} |")
        lines.append("")
    return "\n".join(lines)
