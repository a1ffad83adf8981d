"""Parsing the printed value of a performance indicator (the 指标值 cell).

Contributors copy the cell verbatim into ``value_raw`` (and, in the Fujian
layout, the separate 方向 and 计量单位 columns into ``direction_raw`` and
``unit``). The rules need the parts — comparator, number, unit, deadline — so
they are parsed here, in one place, rather than typed twice by hand. A
contributor only fills the parsed fields of :class:`~gongkai.model.Indicator`
when this parser is wrong; :func:`effective_value` applies those overrides.

The forms handled are those found in the seeds (GUIDE §5.2):

* comparators as symbols (``≥ ≤ > < =``, full-width ``＞ ＜ ＝``), as words
  before the number (大于等于, 不低于, 不少于, 不超过 …) or after it (以上,
  以下, 以内), or in a separate direction column, spaced (``大 于 等 于``);
  no comparator at all (``98%``) gives ``comparator=None``: what a bare
  figure means is for each rule to decide;
* units after the number, with spaces (``≥16 个``), compound (``元/人/年``),
  ``百分比`` normalised to ``%``;
* a number followed by prose (``100符合条件老党员全覆盖``): kind
  ``numeric_with_text`` with the prose in ``text_note``;
* ranges (``90%-100%``): comparator ``range`` with ``value_max``;
* deadlines (``2023年12月20日前完成``, ``10月底前``, ``2024年1月底``,
  ``年内完成`` …) as ISO dates; a recurring deadline (``每月25日前发放``)
  is kind ``deadline`` with ``deadline=None`` and the text kept in
  ``text_note``, because no single date is meant;
* prose carrying several figures (``每人每天费用：住宿费 80 元，餐费 90 元``)
  or a figure inside a sentence: kind ``compound``, value ``None``;
* prose without figures (``效果显著``): kind ``qualitative``.

Numbers are read from the text as :class:`~decimal.Decimal` (``100.00``
keeps its two decimals); nothing goes through ``float``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache

from gongkai.model import Indicator

#: Comparator words, longest first so that 大于等于 wins over 大于.
_LEADING_WORDS: tuple[tuple[str, str], ...] = (
    ("大于或等于", ">="),
    ("小于或等于", "<="),
    ("大于等于", ">="),
    ("小于等于", "<="),
    ("不低于", ">="),
    ("不少于", ">="),
    ("不小于", ">="),
    ("至少", ">="),
    ("达到", ">="),
    ("不超过", "<="),
    ("不高于", "<="),
    ("不多于", "<="),
    ("不大于", "<="),
    ("控制在", "<="),
    ("大于", ">"),
    ("高于", ">"),
    ("超过", ">"),
    ("多于", ">"),
    ("小于", "<"),
    ("低于", "<"),
    ("少于", "<"),
    ("等于", "="),
)
_TRAILING_WORDS: tuple[tuple[str, str], ...] = (
    ("及以上", ">="),
    ("及以下", "<="),
    ("以上", ">="),
    ("以下", "<="),
    ("以内", "<="),
)
#: Single-character comparators (half- and full-width) and their two-character forms.
_SYMBOLS: tuple[tuple[str, str], ...] = (
    (">=", ">="),
    ("<=", "<="),
    ("≥", ">="),
    ("≧", ">="),
    ("≤", "<="),
    ("≦", "<="),
    (">", ">"),
    ("<", "<"),
    ("=", "="),
)
#: Characters translated before parsing: full-width forms that only differ in width.
_WIDTH = str.maketrans(
    {
        "＞": ">",
        "＜": "<",
        "＝": "=",
        "％": "%",
        "．": ".",
        "～": "~",
        **{chr(0xFF10 + d): str(d) for d in range(10)},
    }
)
#: Units printed in the seeds (and their usual neighbours), longest first.
# fmt: off
_KNOWN_UNITS = [
    "%", "‰", "百分比", "万元", "亿元", "千元", "元", "人次", "人天", "人日", "人", "个",
    "次", "场", "期", "班次", "批次", "批", "本", "册", "份", "套", "台", "辆",
    "部", "件", "项", "篇", "条", "处", "所", "户", "家", "天", "日", "工作日",
    "个月", "月", "年", "小时", "分钟", "平方米", "立方米", "米", "公里", "千米", "亩", "课时",
    "学时", "轮", "名", "位", "张", "块", "座", "间", "集", "节", "季度", "周",
    "枚", "支", "组", "类", "村", "单位", "个单位", "篇次", "期次", "场次", "户次", "小时/人",
]
# fmt: on
_UNITS: tuple[str, ...] = tuple(sorted(_KNOWN_UNITS, key=len, reverse=True))
#: Measure words that a short noun may follow (``95个直属单位`` has the unit ``个直属单位``).
_MEASURE_WORDS = frozenset({"个", "家", "所", "名", "位", "户", "处", "村", "座", "间"})
_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
_CJK_ONLY = re.compile(r"^[\u4e00-\u9fff]+$")
_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
_RANGE = re.compile(
    rf"^(?P<lo>{_NUMBER})\s*(?P<u1>%|百分比)?\s*(?:-|~|—|–|至|到)\s*(?P<hi>{_NUMBER})\s*(?P<rest>.*)$"
)
_LEADING_NUMBER = re.compile(rf"^(?P<num>{_NUMBER})\s*(?P<rest>.*)$", re.S)
_DIGIT = re.compile(r"\d")

# Deadline patterns: (year)? month (day | 底/末)? and the "before" markers.
_FULL_DATE = re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]")
_MONTH_END = re.compile(r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?:份)?\s*(?:底|末)")
_MONTH_BEFORE = re.compile(
    r"(?:(?P<y>\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?:份)?\s*(?:之前|以前|前)"
)
_YEAR_END = re.compile(r"(?:(?P<y>\d{4})\s*)?年\s*(?:度内|底|末|内)")
_RECURRING = re.compile(r"每(?:个)?(?:月|年|季度|季|周|半年)\s*\d{1,2}\s*[日号]")
_BEFORE = re.compile(r"前|截止|截至|截止到|限|之内|以内")
_DEADLINE_FILLER = re.compile(
    r"^(?:于|在|截止到|截至到|截止|截至|限|当年|本年|当年度|之前|以前|前|全部|完成|底)+$"
)


@dataclass(frozen=True)
class ParsedValue:
    """The parts of an indicator value.

    ``comparator`` is ``None`` when the cell prints none (``98%``);
    ``kind`` is one of ``numeric``, ``numeric_with_text``, ``deadline``,
    ``qualitative``, ``compound``, ``empty``; ``text_note`` holds the prose
    that is not the figure (after the number, around a deadline, or the whole
    text of a recurring deadline).
    """

    comparator: str | None = None
    value: Decimal | None = None
    value_max: Decimal | None = None
    unit: str | None = None
    kind: str = "empty"
    deadline: date | None = None
    text_note: str | None = None


EMPTY = ParsedValue()


# --------------------------------------------------------------------------- #
# Public API
# --------------------------------------------------------------------------- #


def parse_value(
    raw: str | None,
    *,
    direction_raw: str | None = None,
    unit: str | None = None,
    fiscal_year: int | None = None,
) -> ParsedValue:
    """Parse a printed indicator value.

    Args:
        raw: the 指标值 cell as printed (``value_raw``).
        direction_raw: a separately printed direction (``大于等于``); when it
            names a comparator it wins over one embedded in ``raw``, since it
            is the dedicated column.
        unit: a separately printed unit (Fujian 计量单位); it wins over a unit
            read from ``raw`` for the same reason.
        fiscal_year: the year a deadline without a year belongs to.

    Returns:
        The parsed parts; never raises (unparseable text is ``qualitative``).
    """
    return _parse_value(raw, direction_raw, unit, fiscal_year)


#: Distinct (value, direction, unit, year) texts remembered. A site's indicators
#: repeat a few tens of thousands of values (200 synthetic records already have
#: 4,761): a smaller cache evicts before the next record asks again.
_PARSED_CACHE = 65_536


@lru_cache(maxsize=_PARSED_CACHE)
def _parse_value(
    raw: str | None, direction_raw: str | None, unit: str | None, fiscal_year: int | None
) -> ParsedValue:
    """:func:`parse_value`, remembered: the result depends on the four texts only.

    A dozen rules read every indicator, and records repeat the same cells
    (``≥95%``, ``100%``) endlessly; the parse is the costly part. The result is
    frozen (and made of immutable values), so sharing it is safe.
    """
    text = normalise_text(raw)
    direction = parse_direction(direction_raw)
    column_unit = normalise_unit(unit)
    if not text:
        return _with_columns(EMPTY, direction, column_unit)
    parsed = (
        parse_recurring_deadline(text)
        or parse_deadline(text, fiscal_year)
        or parse_range(text)
        or parse_figure(text)
        or parse_prose(text)
    )
    return _with_columns(parsed, direction, column_unit)


def effective_value(ind: Indicator, fiscal_year: int) -> ParsedValue:
    """The value of ``ind`` as the rules see it: parsed, then overridden.

    A contributor fills ``comparator``, ``value``, ``value_max``, ``unit``,
    ``value_kind`` or ``deadline`` only when the parser is wrong, so each one
    that is set replaces the parsed part. When a value is given by hand for a
    row whose cell is empty, the kind becomes ``numeric`` unless ``value_kind``
    says otherwise.
    """
    parsed = parse_value(
        ind.value_raw, direction_raw=ind.direction_raw, unit=ind.unit, fiscal_year=fiscal_year
    )
    overrides: dict[str, object] = {}
    if ind.comparator is not None:
        overrides["comparator"] = ind.comparator
    if ind.value is not None:
        overrides["value"] = ind.value
        if parsed.kind in ("empty", "qualitative"):
            overrides["kind"] = "numeric"
    if ind.value_max is not None:
        overrides["value_max"] = ind.value_max
    if ind.unit is not None:
        overrides["unit"] = normalise_unit(ind.unit)
    if ind.deadline is not None:
        overrides["deadline"] = ind.deadline
        if parsed.kind == "empty":
            overrides["kind"] = "deadline"
    if ind.value_kind is not None:
        overrides["kind"] = ind.value_kind
    return replace(parsed, **overrides) if overrides else parsed  # type: ignore[arg-type]


# --------------------------------------------------------------------------- #
# Normalisation
# --------------------------------------------------------------------------- #


def normalise_text(raw: str | None) -> str:
    """Strip Word bookmarks, width variants and outer blanks (inner text kept)."""
    if raw is None:
        return ""
    text = _BOOKMARK.sub("", raw).translate(_WIDTH)
    return re.sub(r"\s+", " ", text).strip()


def normalise_unit(unit: str | None) -> str | None:
    """A unit as printed, without spaces; ``百分比``/``％`` become ``%``."""
    if unit is None:
        return None
    cleaned = re.sub(r"\s+", "", unit.translate(_WIDTH))
    if not cleaned:
        return None
    if cleaned in ("百分比", "百分率", "%"):
        return "%"
    return cleaned


def parse_direction(direction_raw: str | None) -> str | None:
    """The comparator named by a direction column (``大 于 等 于`` → ``>=``)."""
    if direction_raw is None:
        return None
    compact = re.sub(r"\s+", "", direction_raw.translate(_WIDTH))
    if not compact:
        return None
    for symbol, comparator in _SYMBOLS:
        if compact == symbol:
            return comparator
    for word, comparator in _LEADING_WORDS + _TRAILING_WORDS:
        if compact == word:
            return comparator
    return None


def _with_columns(parsed: ParsedValue, direction: str | None, unit: str | None) -> ParsedValue:
    """Apply the separately printed direction and unit columns (Fujian layout)."""
    changes: dict[str, object] = {}
    if direction is not None and parsed.kind != "deadline":
        changes["comparator"] = direction
    if unit is not None and parsed.kind in ("numeric", "numeric_with_text", "empty"):
        changes["unit"] = unit
    return replace(parsed, **changes) if changes else parsed  # type: ignore[arg-type]


# --------------------------------------------------------------------------- #
# Figures
# --------------------------------------------------------------------------- #


def split_leading_comparator(text: str) -> tuple[str | None, str]:
    """Remove a comparator (symbol or word) at the start of ``text``."""
    compact_start = text.lstrip()
    for symbol, comparator in _SYMBOLS:
        if compact_start.startswith(symbol):
            return comparator, compact_start[len(symbol) :].lstrip()
    # Words may be printed spaced (大 于 等 于 90%): compare without spaces.
    for word, comparator in _LEADING_WORDS:
        consumed = _match_spaced(compact_start, word)
        if consumed is not None:
            return comparator, compact_start[consumed:].lstrip()
    return None, compact_start


def _match_spaced(text: str, word: str) -> int | None:
    """Length of the prefix of ``text`` that spells ``word`` with optional spaces."""
    position = 0
    for char in word:
        while position < len(text) and text[position] == " ":
            position += 1
        if position >= len(text) or text[position] != char:
            return None
        position += 1
    return position


def split_trailing_comparator(text: str) -> tuple[str | None, str]:
    """Remove 以上/以下/以内 at the end of ``text``."""
    stripped = text.rstrip("。.；; ")
    for word, comparator in _TRAILING_WORDS:
        if stripped.endswith(word):
            return comparator, stripped[: -len(word)].rstrip()
    return None, text


def to_decimal(number: str) -> Decimal:
    """A printed number as Decimal, dropping thousands separators."""
    return Decimal(number.replace(",", ""))


def split_unit(rest: str) -> tuple[str | None, str]:
    """Split the text after a number into (unit, prose).

    A known unit may be compound (``元/人/年``) and carry a bracketed
    qualifier (``人（团队）``). A measure word followed by a short noun is one
    unit (``个直属单位``). Unknown text of up to four CJK characters is taken
    as a unit (``册``-like words not in the list); anything longer is prose.
    """
    rest = rest.strip()
    if not rest:
        return None, ""
    unit = _known_unit_prefix(rest)
    if unit is None:
        compact = rest.replace(" ", "")
        if len(compact) <= 4 and _CJK_ONLY.match(compact):
            return compact, ""
        return None, rest
    tail = rest[len(unit) :]
    while True:
        match = re.match(r"^\s*/\s*", tail)
        if not match:
            break
        following = _known_unit_prefix(tail[match.end() :]) or _short_word(tail[match.end() :])
        if following is None:
            break
        unit += "/" + following
        tail = tail[match.end() + len(following) :]
    bracket = re.match(r"^\s*([（(][^）)]{1,8}[）)])", tail)
    if bracket:
        unit += bracket.group(1)
        tail = tail[bracket.end() :]
    tail = tail.strip()
    if unit in _MEASURE_WORDS and 0 < len(tail) <= 5 and _CJK_ONLY.match(tail):
        return unit + tail, ""
    return unit, tail


def _known_unit_prefix(text: str) -> str | None:
    """The longest known unit at the start of ``text``."""
    for unit in _UNITS:
        if text.startswith(unit):
            return unit
    return None


def _short_word(text: str) -> str | None:
    """One CJK character (a denominator such as 人, 年 in 元/人/年)."""
    match = re.match(r"^[\u4e00-\u9fff]", text)
    return match.group(0) if match else None


def parse_figure(text: str) -> ParsedValue | None:
    """``[comparator] number [unit] [prose] [以上/以下]``, or None if not that shape.

    Prose after the unit makes the kind ``numeric_with_text``; a second
    number in that prose makes the whole value ``compound``.
    """
    leading, body = split_leading_comparator(text)
    trailing, body = split_trailing_comparator(body)
    match = _LEADING_NUMBER.match(body)
    if match is None:
        return None
    unit, prose = split_unit(match.group("rest"))
    prose = prose.strip(" ，,。；;")
    if prose and _DIGIT.search(prose):
        return ParsedValue(kind="compound", text_note=text)
    if prose:
        inner, prose = split_trailing_comparator(prose)
        trailing = trailing or inner
    comparator = leading or trailing
    return ParsedValue(
        comparator=comparator,
        value=to_decimal(match.group("num")),
        unit=normalise_unit(unit),
        kind="numeric_with_text" if prose else "numeric",
        text_note=prose or None,
    )


def parse_range(text: str) -> ParsedValue | None:
    """``90%-100%``, ``80~90``, ``80至100人``: comparator ``range``."""
    match = _RANGE.match(text)
    if match is None:
        return None
    unit, prose = split_unit(match.group("rest"))
    if prose:
        return None
    return ParsedValue(
        comparator="range",
        value=to_decimal(match.group("lo")),
        value_max=to_decimal(match.group("hi")),
        unit=normalise_unit(unit or match.group("u1")),
        kind="numeric",
    )


def parse_prose(text: str) -> ParsedValue:
    """Text that is not a figure: ``compound`` if it carries digits, else ``qualitative``."""
    if _DIGIT.search(text):
        return ParsedValue(kind="compound", text_note=text)
    return ParsedValue(kind="qualitative", text_note=text)


# --------------------------------------------------------------------------- #
# Deadlines
# --------------------------------------------------------------------------- #


def parse_recurring_deadline(text: str) -> ParsedValue | None:
    """``每月25日前发放``: a deadline that recurs, so no single date."""
    if _RECURRING.search(text) is None:
        return None
    comparator = "<=" if _BEFORE.search(text) else None
    return ParsedValue(comparator=comparator, kind="deadline", text_note=text)


def parse_deadline(text: str, fiscal_year: int | None) -> ParsedValue | None:
    """The first date expression in ``text`` as an ISO date, or None.

    * ``2023年12月20日`` → 2023-12-20; ``12月20日`` → in ``fiscal_year``;
    * ``10月底`` / ``10月末`` → the last day of that month;
    * ``11月前`` (a month with 前 and no day) → the last day of the month
      before: "before November" ends on 31 October;
    * ``年底`` / ``年末`` / ``年内`` → 31 December of the (fiscal) year.

    ``前``, ``截止`` … give comparator ``<=``; a bare date has no comparator.
    A year alone (``参照2023年证书17元/本``) is not a deadline.
    """
    for finder in (_find_full_date, _find_month_end, _find_month_before, _find_year_end):
        found = finder(text, fiscal_year)
        if found is not None:
            deadline, span = found
            before, after = text[: span[0]], text[span[1] :]
            comparator = "<=" if _BEFORE.search(after) or _BEFORE.search(before) else None
            if finder is _find_month_before or "内" in text[span[0] : span[1]]:
                comparator = "<="  # "before November", "within the year"
            return ParsedValue(
                comparator=comparator,
                kind="deadline",
                deadline=deadline,
                text_note=_deadline_note(text, span),
            )
    return None


def _year(match: re.Match[str], fiscal_year: int | None) -> int | None:
    printed = match.group("y")
    return int(printed) if printed else fiscal_year


def _safe_date(year: int | None, month: int, day: int) -> date | None:
    """A date, or None when the year is unknown or the day does not exist."""
    if year is None or not 1 <= month <= 12:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _last_day(year: int | None, month: int) -> date | None:
    if year is None or not 1 <= month <= 12:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


Found = tuple[date | None, tuple[int, int]]


def _find_full_date(text: str, fiscal_year: int | None) -> Found | None:
    match = _FULL_DATE.search(text)
    if match is None:
        return None
    day = _safe_date(_year(match, fiscal_year), int(match.group("m")), int(match.group("d")))
    return day, match.span()


def _find_month_end(text: str, fiscal_year: int | None) -> Found | None:
    match = _MONTH_END.search(text)
    if match is None:
        return None
    return _last_day(_year(match, fiscal_year), int(match.group("m"))), match.span()


def _find_month_before(text: str, fiscal_year: int | None) -> Found | None:
    match = _MONTH_BEFORE.search(text)
    if match is None:
        return None
    year, month = _year(match, fiscal_year), int(match.group("m"))
    if year is not None and month == 1:
        return date(year - 1, 12, 31), match.span()
    return _last_day(year, month - 1), match.span()


def _find_year_end(text: str, fiscal_year: int | None) -> Found | None:
    match = _YEAR_END.search(text)
    if match is None:
        return None
    year = _year(match, fiscal_year)
    return (date(year, 12, 31) if year is not None else None), match.span()


def _deadline_note(text: str, span: tuple[int, int]) -> str | None:
    """The whole text when prose surrounds the date, None when it is only 于/前/完成 filler.

    The whole text is kept rather than the pieces around the date, because
    ``…缴费时间在2022年12月25日前完成`` cut at the date no longer reads.
    """
    around = (text[: span[0]] + text[span[1] :]).replace(" ", "").strip("，,。；;")
    if not around or _DEADLINE_FILLER.match(around):
        return None
    return text
