"""The collection: every record of the site, grouped for the index pages.

Built once per build from the records' summaries
(:class:`~gongkai.site.source.Summary`). Published records (:class:`Entry`)
carry what every index row shows — key figures in 元, finding counts, the
page they link to — so the region, year, comparison and quality pages all
read the same numbers; the whole record is loaded only to render its own
page. Records that could not be published
(:class:`Unpublished`) are kept too: nothing is ever silently dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from gongkai.figures import KeyFigures
from gongkai.findings import Finding
from gongkai.site import pages
from gongkai.site.quality_view import finding_counts
from gongkai.site.source import BudgetHead, Summary
from gongkai.validate import RecordReport


@dataclass
class Entry:
    """One published department-year."""

    summary: Summary
    budget: BudgetHead
    figures: KeyFigures
    counts: dict[str, int]
    src: str
    changed: datetime | None = None

    @property
    def findings(self) -> list[Finding]:
        return self.summary.findings

    def load(self) -> RecordReport:
        """The whole record and its report (for rendering its page)."""
        return self.summary.load()

    @property
    def name(self) -> str:
        return self.budget.department.canonical_name or self.budget.department.name

    def yuan(self, figure: str) -> Decimal | None:
        value = getattr(self.figures, figure)
        return value.yuan if value is not None else None

    @property
    def staff(self) -> int | None:
        staffing = self.budget.department.staffing
        if staffing is None:
            return None
        return staffing.actual if staffing.actual is not None else staffing.establishment


@dataclass
class Unpublished:
    """A record with structural problems (shown as a page only with ``on_invalid: page``)."""

    report: Summary
    src: str

    @property
    def file(self) -> str:
        return self.report.display


@dataclass
class RegionNode:
    code: str
    name: str
    level: int
    children: dict[str, RegionNode] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)

    def all_entries(self) -> list[Entry]:
        out = list(self.entries)
        for child in self.children.values():
            out.extend(child.all_entries())
        return out


@dataclass
class Catalogue:
    entries: list[Entry]
    unpublished: list[Unpublished]
    departments: dict[str, list[Entry]]
    years: dict[int, list[Entry]]
    provinces: dict[str, RegionNode]

    @property
    def region_count(self) -> int:
        return len({e.budget.department.region.admin_code for e in self.entries})


def _sort_key(entry: Entry) -> tuple[str, str, int, str]:
    return (
        entry.budget.department.region.admin_code,
        entry.name,
        entry.budget.fiscal_year,
        entry.budget.stage,
    )


def region_tree(entries: Sequence[Entry]) -> dict[str, RegionNode]:
    """province → prefecture → county, keyed by derived GB/T 2260 codes."""
    provinces: dict[str, RegionNode] = {}
    for entry in entries:
        region = entry.budget.department.region
        code = region.admin_code
        node = provinces.setdefault(
            code[:2] + "0000", RegionNode(code[:2] + "0000", region.province, 1)
        )
        if region.prefecture:
            node = node.children.setdefault(
                code[:4] + "00", RegionNode(code[:4] + "00", region.prefecture, 2)
            )
        if region.county:
            node = node.children.setdefault(code, RegionNode(code, region.county, 3))
        node.entries.append(entry)
    return dict(sorted(provinces.items()))


def build_catalogue(
    summaries: Sequence[Summary], changed: dict[str, datetime] | None = None
) -> Catalogue:
    """Group the records; ``changed`` maps a record's display path to its last change."""
    changed = changed or {}
    entries: list[Entry] = []
    unpublished: list[Unpublished] = []
    slugs: set[str] = set()
    for summary in summaries:
        head = summary.head
        if summary.valid and head is not None and summary.figures is not None:
            entries.append(
                Entry(
                    summary, head, summary.figures, finding_counts(summary.findings),
                    pages.budget_src(head.budget_id), changed.get(summary.display),
                )
            )  # fmt: skip
        else:
            base = pages.slug(summary.path.stem)
            name, n = base, 2
            while name in slugs:
                name, n = f"{base}-{n}", n + 1
            slugs.add(name)
            unpublished.append(Unpublished(summary, pages.invalid_src(name)))
    entries.sort(key=_sort_key)
    departments: dict[str, list[Entry]] = defaultdict(list)
    years: dict[int, list[Entry]] = defaultdict(list)
    for entry in entries:
        departments[entry.budget.department_id].append(entry)
        years[entry.budget.fiscal_year].append(entry)
    return Catalogue(
        entries, unpublished, dict(departments), dict(sorted(years.items())), region_tree(entries)
    )
