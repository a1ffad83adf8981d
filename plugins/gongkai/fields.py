"""Field metadata for the budget model.

The dataclasses in :mod:`gongkai.model` are the single source of truth for the
YAML format: the loader binds YAML to them, the JSON Schema and the reference
page are generated from them. This module holds the small vocabulary they use
to say what a field means (Chinese label, description) and which constraints
apply (minimum, pattern), so that the three consumers cannot drift apart.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any


@dataclass(frozen=True)
class Kind:
    """Marks a scalar type with a semantic kind (money, code, ...)."""

    name: str
    #: ASCII only (``[0-9]``, never ``\d``, which also matches ``１`` and ``٣``), anchored
    #: with ``^…$`` for JSON Schema; the binder checks it with ``re.fullmatch``.
    pattern: str | None = None
    minimum: Decimal | None = None
    description: str = ""


#: An amount of money in the unit printed by the source; never negative.
Money = Annotated[Decimal, Kind("money", minimum=Decimal(0), description="金额（按原文单位）")]
#: A signed amount of money, for printed changes ("减少4200元").
SignedMoney = Annotated[Decimal, Kind("signed_money", description="带符号金额（增减变化）")]
#: A plain decimal number (percentages, quantities).
Number = Annotated[Decimal, Kind("number", description="数值")]
#: 支出功能分类 code: 类 (3 digits), 款 (5) or 项 (7).
FuncCode = Annotated[
    str, Kind("func_code", pattern=r"^[0-9]{3}([0-9]{2}){0,2}$", description="支出功能分类科目编码（3/5/7位）")
]
#: 部门预算支出经济分类 code: 类 (3 digits) or 款 (5).
EconCode = Annotated[
    str, Kind("econ_code", pattern=r"^3[0-9]{2}([0-9]{2})?$", description="支出经济分类科目编码（3/5位）")
]
#: GB/T 2260 administrative division code (6 digits).
AdminCode = Annotated[str, Kind("admin_code", pattern=r"^[0-9]{6}$", description="行政区划代码（GB/T 2260，6位）")]
#: A department code as printed (digits and letters only, it becomes part of a URL).
DeptCode = Annotated[
    str, Kind("dept_code", pattern=r"^[0-9A-Za-z]{1,20}$", description="部门编码（原文所印）")
]
#: A non-negative whole number (counts, headcounts).
Count = Annotated[int, Kind("count", minimum=Decimal(0), description="非负整数")]


def f(
    label: str,
    doc: str = "",
    *,
    default: Any = None,
    factory: Any = None,
    required: bool = False,
    example: Any = None,
) -> Any:
    """Declare a model field with its Chinese label and description.

    Args:
        label: the Chinese name shown in pages, errors and the reference.
        doc: what the field holds and how to transcribe it.
        default: value used when the key is absent (``None`` unless given).
        factory: a default factory (for lists).
        required: the key must be present in the YAML.
        example: a YAML snippet shown in the reference.
    """
    metadata = {"label": label, "doc": doc, "required": required, "example": example}
    if required:
        return dataclasses.field(metadata=metadata)
    if factory is not None:
        return dataclasses.field(default_factory=factory, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def meta(field: dataclasses.Field[Any]) -> dict[str, Any]:
    """Return the metadata declared with :func:`f` (empty values if none)."""
    return {
        "label": field.metadata.get("label", field.name),
        "doc": field.metadata.get("doc", ""),
        "required": field.metadata.get("required", False),
        "example": field.metadata.get("example"),
    }


def class_summary(cls: type) -> str:
    """The first line of a model class's own docstring, or "".

    ``dataclass`` gives an undocumented class a ``__doc__`` of its signature
    (``Region(*, province: 'str', …)``); that is not documentation, and its
    ``<factory>`` would read as an HTML tag on the reference page.
    """
    doc = (cls.__doc__ or "").strip()
    if not doc or doc.startswith(f"{cls.__name__}("):
        return ""
    return doc.splitlines()[0]
