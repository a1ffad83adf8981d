"""Charts drawn on the server: bar lengths for bar tables, and inline SVG.

A chart is a picture of numbers that are also on the page as a table, so it
needs no JavaScript library, no CDN and no layout engine.

* On a department-year page a chart *is* its table (:func:`bar_length`): each
  amount cell carries the length of its bar (``style="--w:45.8%"``), which the
  stylesheet draws behind the number. The numbers are written once, the chart
  is readable without CSS, in print and by a screen reader, and it costs a few
  bytes per row (the page budget is 80 KB).
* The index pages draw SVG (:func:`bar_chart`, :func:`column_chart`) next to a
  sortable table. Colours come from CSS classes (``gk-c0`` …) so that the
  site's light and dark palettes apply.

Every SVG function returns :class:`markupsafe.Markup`; all text that comes
from a record is escaped here, because records are untrusted input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

WIDTH = 720
ROW = 26
BAR = 16
LABEL_WIDTH = 210
VALUE_WIDTH = 150
FONT = 13


@dataclass(frozen=True)
class Bar:
    """One bar: a label, a non-negative value and how the value is printed."""

    label: str
    value: Decimal
    text: str
    href: str | None = None


def text_width(text: str) -> float:
    """Approximate rendered width in px: CJK is one em, other characters ~0.6 em."""
    return sum(FONT if ord(ch) > 0x2E80 else FONT * 0.6 for ch in text)


def clip(text: str, width: float) -> str:
    """``text`` shortened with an ellipsis to fit ``width`` px."""
    if text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch + "…") > width:
            break
        out += ch
    return out + "…"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_length(value: Decimal | None, top: Decimal | None) -> str | None:
    """The CSS length of a bar drawn for ``value`` when ``top`` fills the cell (``"45.8%"``).

    None for a blank, zero or negative value (no bar; the number is still
    shown). A positive value too small to see gets a hairline.
    """
    if value is None or top is None or value <= 0 or top <= 0:
        return None
    share = float(min(value / top, Decimal(1))) * 100
    return f"{_num(max(share, 0.5))}%"


def _scale(values: Sequence[Decimal]) -> Decimal:
    top = max((v for v in values if v > 0), default=Decimal(0))
    return top if top > 0 else Decimal(1)


def _svg(height: float, title: str, body: list[str], css: str = "gk-svg") -> Markup:
    label = escape(title)
    return Markup(
        f'<svg class="{css}" viewBox="0 0 {WIDTH} {_num(height)}" role="img" '
        f'aria-label="{label}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{label}</title>{''.join(body)}</svg>"
    )


def bar_chart(bars: Sequence[Bar], *, title: str) -> Markup:
    """Horizontal bars, largest scale first as given; labels left, values right."""
    if not bars:
        return Markup("")
    top = _scale([b.value for b in bars])
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    body: list[str] = []
    for index, bar in enumerate(bars):
        y = 6 + index * ROW  # one colour: the bars are one series
        length = float(max(bar.value, Decimal(0)) / top) * span if bar.value > 0 else 0.0
        shown = clip(bar.label, LABEL_WIDTH - 12)
        label = escape(shown)
        tip = f"<title>{escape(bar.label)}</title>" if shown != bar.label else ""
        body.append(
            f'<g class="gk-bar">{tip}'
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR - 3}" text-anchor="end">{label}</text>'
            f'<rect class="gk-c0" x="{LABEL_WIDTH}" y="{y}" width="{_num(max(length, 1.0))}" height="{BAR}" rx="2"/>'
            f'<text class="gk-val" x="{_num(LABEL_WIDTH + length + 6)}" y="{y + BAR - 3}">{escape(bar.text)}</text></g>'
        )
    return _svg(12 + len(bars) * ROW, title, body)


def split_bar(parts: Sequence[Bar], *, title: str) -> Markup:
    """One 100% stacked bar (e.g. 基本支出 vs 项目支出) with a legend below."""
    total = sum((p.value for p in parts if p.value > 0), Decimal(0))
    if total <= 0:
        return Markup("")
    body: list[str] = []
    x = 0.0
    for index, part in enumerate(parts):
        share = float(max(part.value, Decimal(0)) / total)
        width = share * WIDTH
        if width > 0:
            body.append(
                f'<rect class="gk-c{index % 6}" x="{_num(x)}" y="0" width="{_num(width)}" height="22">'
                f"<title>{escape(part.label)}：{escape(part.text)}（{share * 100:.1f}%）</title></rect>"
            )
        legend_x = index * (WIDTH / max(len(parts), 1))
        body.append(
            f'<rect class="gk-c{index % 6}" x="{_num(legend_x)}" y="32" width="12" height="12" rx="2"/>'
            f'<text x="{_num(legend_x + 18)}" y="43">{escape(clip(part.label, 120))} {share * 100:.1f}%</text>'
        )
        x += width
    return _svg(52, title, body, "gk-svg gk-split")


def column_chart(bars: Sequence[Bar], *, title: str, height: int = 220) -> Markup:
    """Vertical bars over time (a trend): one column per year, value on top."""
    if not bars:
        return Markup("")
    top = _scale([b.value for b in bars])
    plot = height - 50
    slot = WIDTH / len(bars)
    width = min(slot * 0.6, 90)
    body = [f'<line class="gk-axis" x1="0" y1="{plot + 20}" x2="{WIDTH}" y2="{plot + 20}"/>']
    for index, bar in enumerate(bars):
        h = float(max(bar.value, Decimal(0)) / top) * plot if bar.value > 0 else 0.0
        cx = slot * index + slot / 2
        y = plot + 20 - h
        body.append(
            f'<g class="gk-bar"><title>{escape(bar.label)}：{escape(bar.text)}</title>'
            f'<rect class="gk-c0" x="{_num(cx - width / 2)}" y="{_num(y)}" width="{_num(width)}" height="{_num(max(h, 1.0))}" rx="2"/>'
            f'<text class="gk-val" x="{_num(cx)}" y="{_num(y - 5)}" text-anchor="middle">{escape(clip(bar.text, slot - 4))}</text>'
            f'<text x="{_num(cx)}" y="{plot + 38}" text-anchor="middle">{escape(clip(bar.label, slot - 4))}</text></g>'
        )
    return _svg(height, title, body)
