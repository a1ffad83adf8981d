"""How numbers look on the site.

Money keeps the precision the source printed (``2279.15`` stays two decimals,
``46`` stays whole) and always carries its unit, because a figure without a
unit is meaningless when one department prints 元 and the next 万元. A blank
cell (``None``) is shown as "—", which a reader cannot mistake for a printed
``0.00``. Everything here is plain Decimal arithmetic; nothing goes through
``float`` except chart geometry.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from gongkai.model import STAGE_LABELS

#: What a blank (null) amount looks like: distinct from a printed zero.
BLANK = "—"

SEVERITY_LABELS = {"error": "错误", "warning": "警告", "rounding": "舍入差异"}
_WAN = Decimal(10000)
_CENT = Decimal("0.01")


def number(value: Decimal | int | None) -> str:
    """A number with thousands separators, as printed (no rounding)."""
    if value is None:
        return BLANK
    if isinstance(value, int):
        return f"{value:,}"
    # ``,f`` keeps the printed decimals and writes a whole amount (even ``1E+2``) as an
    # integer; only a whole negative zero differs from its integer. Formatting it
    # directly, without ``as_tuple()``, matters: a site formats millions of cells.
    text = format(value, ",f")
    return "0" if text == "-0" else text


def money(value: Decimal | None, unit: str | None = None) -> str:
    """``2,279.15 万元``: the printed amount with separators and its unit."""
    if value is None:
        return BLANK
    text = number(value)
    return f"{text} {unit}" if unit else text


def wan(yuan: Decimal | None) -> Decimal | None:
    """An amount in 元 expressed in 万元, rounded half-up to 0.01."""
    if yuan is None:
        return None
    return (yuan / _WAN).quantize(_CENT, rounding=ROUND_HALF_UP)


def money_wan(yuan: Decimal | None, *, unit: bool = True) -> str:
    """An amount in 元 shown in 万元 with two decimals (for cross-record tables)."""
    value = wan(yuan)
    if value is None:
        return BLANK
    text = format(value, ",f")
    return f"{text} 万元" if unit else text


def percent(part: Decimal | None, whole: Decimal | None, places: int = 1) -> str:
    """``part`` as a share of ``whole`` (``—`` when either is unknown or whole is 0)."""
    if part is None or whole is None or whole == 0:
        return BLANK
    share = (part * 100 / whole).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return f"{share}%"


def plain_percent(value: Decimal | None) -> str:
    """A printed percentage (``25.00`` → ``25.00%``)."""
    return BLANK if value is None else f"{number(value)}%"


def sort_key(value: Decimal | int | None) -> str:
    """The ``data-sort`` attribute of a numeric cell (empty for a blank)."""
    if value is None:
        return ""
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(stage, stage)


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else ``None``.

    Record text is untrusted: a ``javascript:`` or ``data:`` source link must
    never reach an ``href``.
    """
    if not url:
        return None
    text = url.strip()
    lower = text.lower()
    if not lower.startswith(("http://", "https://")) or any(c in text for c in "\"'<> \t\n"):
        return None
    return text
