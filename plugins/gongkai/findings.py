"""Validation findings as data, and the rounding tolerance policy.

An accounting rule never changes a number: it reports what was printed,
what it computed, and how far apart they are. Whether a difference is a
rounding artefact or an error depends on the grain of the printed figures
(0.01 万元 is 100 元), so the policy lives here, in one place, and every rule
uses :func:`classify`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Literal

from gongkai.errors import Lang, Location

Severity = Literal["error", "warning", "rounding"]
SEVERITY_LABELS = {"error": ("错误", "error"), "warning": ("警告", "warning"), "rounding": ("舍入差异", "rounding")}


@dataclass(frozen=True)
class Finding:
    """One rule outcome that is not a clean pass.

    ``path`` is the model path of the value concerned (``projects[2].amount``);
    the runner turns it into a file location. ``printed`` and ``computed`` are
    in ``unit`` (the unit the source prints); either may be ``None`` for a rule
    that is not a sum (e.g. a satisfaction target above 100%).
    """

    rule: str
    severity: Severity
    subject: str
    message_zh: str
    message_en: str = ""
    printed: Decimal | None = None
    computed: Decimal | None = None
    unit: str | None = None
    path: str = ""
    location: Location | None = None
    acknowledged: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def difference(self) -> Decimal | None:
        """printed − computed, when both are numbers."""
        if self.printed is None or self.computed is None:
            return None
        return self.printed - self.computed

    def message(self, lang: Lang = "zh") -> str:
        return self.message_zh if lang == "zh" or not self.message_en else self.message_en

    def located(self, location: Location) -> Finding:
        return replace(self, location=location)

    def format(self, lang: Lang = "zh") -> str:
        """``file:line:col: warning[R-ID] subject: message (printed …, computed …)``."""
        label = SEVERITY_LABELS[self.severity][0 if lang == "zh" else 1]
        text = f"{self.location or ''}: {label}[{self.rule}] {self.subject}: {self.message(lang)}"
        if self.computed is not None:
            unit = self.unit or ""
            blank = "空白" if lang == "zh" else "blank"
            printed = f"{fmt(self.printed)}{unit}" if self.printed is not None else blank
            if lang == "zh":
                text += f"（原文 {printed}，计算 {fmt(self.computed)}{unit}）"
            else:
                text += f" (printed {printed}, computed {fmt(self.computed)}{unit})"
        if self.acknowledged:
            text += f" [已确认：{self.acknowledged}]" if lang == "zh" else f" [acknowledged: {self.acknowledged}]"
        return text

    def as_dict(self, lang: Lang = "zh") -> dict[str, Any]:
        loc = self.location or Location("")
        return {
            "kind": "finding",
            "rule": self.rule,
            "severity": self.severity,
            "subject": self.subject,
            "message": self.message(lang),
            "printed": fmt(self.printed),
            "computed": fmt(self.computed),
            "difference": fmt(self.difference),
            "unit": self.unit,
            "file": loc.file,
            "line": loc.line,
            "column": loc.column,
            "path": self.path,
            "acknowledged": self.acknowledged,
        }


def fmt(value: Decimal | None) -> str | None:
    """Plain decimal text (no exponent), or None."""
    if value is None:
        return None
    text = format(value, "f")
    return text


def decimals_of(*values: Decimal | None) -> int:
    """The largest number of decimals printed among ``values`` (0 if none)."""
    places = 0
    for value in values:
        if value is not None:
            exponent = value.as_tuple().exponent
            if isinstance(exponent, int) and exponent < 0:
                places = max(places, -exponent)
    return places


def classify(
    printed: Decimal,
    computed: Decimal,
    terms: int,
    unit: str,
    decimals: int,
) -> Severity | None:
    """Decide whether ``printed`` vs ``computed`` is fine, rounding, or an error.

    Policy (GUIDE §4): figures printed with ``decimals`` places carry a grain
    of 10^-decimals. A figure in 元 printed to the fen (2 decimals) must match
    exactly. In any other case, a sum of ``terms`` rounded figures compared
    with a rounded total may differ by up to (terms + 1) × grain / 2: such a
    difference is reported as ``rounding``; a larger one as ``error``.
    """
    difference = abs(printed - computed)
    if difference == 0:
        return None
    if unit == "元" and decimals >= 2:
        return "error"
    grain = Decimal(1).scaleb(-decimals)
    if difference <= (terms + 1) * grain / 2:
        return "rounding"
    return "error"
