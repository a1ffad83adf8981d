"""Synthetic department-year records, for tests and benchmarks (``gongkai synth``).

Real disclosures are few and slow to transcribe; the site generator, the
validator and the exports must be measured at the scale of a province (10⁴
records and more). This module writes a complete site project of N records
shaped like the seeds: the nine standard tables with about 30 functional and
25 economic lines, 4–25 projects of 5–10 indicators, spending plans, three to
five consecutive years per department, many departments across many regions.

Each record is consistent with the accounting rules by construction (see
:mod:`gongkai.synth_plan`); a small share (``findings_rate``) carries one
realistic error — a parent 0.01 off its children, a blank printed subtotal, a
wrong total, a spending plan that goes backwards — and says so in its
``transcription_notes``. Output depends only on the arguments: one
``random.Random(seed)`` drives everything, amounts are ``Decimal``, and no
clock or hash ordering is involved, so the same arguments give byte-identical
files.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from gongkai.errors import GongkaiError
from gongkai.synth_plan import Dept, Place, Totals, build_plan, inject_finding
from gongkai.synth_vocab import (
    COUNTY_CITY_NUMBERS,
    COUNTY_NUMBERS,
    DEPT_KINDS,
    DISTRICT_NUMBERS,
    PLACE_CHARS,
    PROVINCES,
)
from gongkai.synth_yaml import record_text

DEFAULT_FINDINGS_RATE = 0.03
FIRST_YEAR, LAST_YEAR = 2019, 2025
MANIFEST = "synth-manifest.json"

#: The site configuration: the repository's own mkdocs.yml without its hand-written
#: pages, repository links and colour palette (no network, no custom templates).
MKDOCS_YML = """\
# 合成数据站点（gongkai synth 生成）：用于测试和性能基准，不是真实的预算公开。
# 构建：mkdocs build；预览：mkdocs serve。
site_name: 部门预算公开（合成数据）
site_description: gongkai synth 生成的合成部门预算，用于测试和性能基准。
docs_dir: docs

theme:
  name: material
  language: zh
  font: false

# 不要在这里加 Material 的 - search 插件：站内搜索由 gongkai 插件提供（Pagefind，页头搜索框）。
plugins:
  - gongkai:
      content_dir: content
      on_invalid: fail
      strict: false

markdown_extensions:
  - tables
  - toc:
      permalink: true
  - admonition
  - attr_list
"""

INDEX_MD = """\
---
title: 首页
---

# 部门预算公开（合成数据）

本站点的全部记录由 `gongkai synth` 生成，名称和数字均为合成数据，用于测试和性能基准。

<!-- gongkai -->
"""


@dataclass(frozen=True)
class SynthRecord:
    """One generated record: where it goes and what it says."""

    admin_code: str
    budget_id: str
    text: str
    injected: tuple[str, ...] = ()

    @property
    def relative_path(self) -> str:
        """``content/<admin code>/<budget id>.yaml``: the layout the loader expects."""
        return f"content/{self.admin_code}/{self.budget_id}.yaml"


@dataclass
class SynthSummary:
    """What :func:`write_site` wrote."""

    out: Path
    records: int = 0
    departments: int = 0
    places: int = 0
    bytes: int = 0
    seconds: float = 0.0
    injected: dict[str, list[str]] = field(default_factory=dict)


# --------------------------------------------------------------------------- #
# Places and departments
# --------------------------------------------------------------------------- #


class PlaceDrawer:
    """Draws distinct fiscal districts with real-looking names and GB/T 2260-shaped codes.

    Province codes and names are real; prefecture and county names are made of
    common place-name characters, unique within their parent, and the last
    two digits of a code follow the usual ranges (01–20 districts, 21–80
    counties, 81–99 county-level cities, 00 the prefecture itself).
    """

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set()
        self.names: dict[str, str] = {}
        self.taken: dict[str, set[str]] = {}

    def draw(self) -> Place:
        for _ in range(10_000):
            place = self._candidate()
            if place.admin_code not in self.used:
                self.used.add(place.admin_code)
                return place
        raise GongkaiError("合成数据：行政区划代码已用尽（--count 太大）。")

    def _candidate(self) -> Place:
        rng = self.rng
        province_code, province = rng.choice(PROVINCES)
        prefecture_code = f"{province_code}{rng.randint(1, 15):02d}"
        prefecture = self._name(prefecture_code, province_code, "市")
        roll = rng.random()
        if roll < 0.1:
            return Place(province, prefecture, None, f"{prefecture_code}00", "prefecture")
        if roll < 0.35:
            number, suffix, level = rng.choice(DISTRICT_NUMBERS), "区", "district"
        elif roll < 0.9:
            number, suffix, level = rng.choice(COUNTY_NUMBERS), "县", "county"
        else:
            number, suffix, level = rng.choice(COUNTY_CITY_NUMBERS), "市", "county"
        code = f"{prefecture_code}{number:02d}"
        return Place(province, prefecture, self._name(code, prefecture_code, suffix), code, level)

    def _name(self, code: str, parent: str, suffix: str) -> str:
        """The name of ``code``, drawn once and unique among ``parent``'s children."""
        if code in self.names:
            return self.names[code]
        taken = self.taken.setdefault(parent, set())
        while True:
            first, second = self.rng.sample(PLACE_CHARS, 2)
            name = f"{first}{second}{suffix}"
            if name not in taken:
                taken.add(name)
                self.names[code] = name
                return name


def draw_department(rng: random.Random, place: Place, kind_index: int) -> Dept:
    """A department of ``place``: name, printed code, unit, size and layout habits."""
    kind = DEPT_KINDS[kind_index]
    tier = 2 if place.admin_level == "prefecture" else 1
    template = kind.name_prefecture if tier == 2 else kind.name_county
    staff = rng.randint(12, 60) * tier
    return Dept(
        kind=kind,
        place=place,
        name=template.format(p=place.short),
        code=kind.code + ("001" if rng.random() < 0.3 else ""),
        unit="万元" if rng.random() < 0.7 else "元",
        staff=staff,
        retired=rng.randint(3, staff // 2 + 3),
        lixiu=0 if rng.random() < 0.6 else rng.randint(1, 3),
        vehicles=0 if rng.random() < 0.2 else rng.randint(1, 3),
        print_codes=rng.random() < 0.6,
        print_plan=rng.random() < 0.7,
        tier=tier,
    )


def department_years(rng: random.Random) -> Iterator[tuple[Dept, list[int]]]:
    """Departments with their consecutive fiscal years, region after region, forever."""
    drawer = PlaceDrawer(rng)
    while True:
        place = drawer.draw()
        kinds = rng.sample(range(len(DEPT_KINDS)), rng.randint(3, 10))
        for kind_index in kinds:
            dept = draw_department(rng, place, kind_index)
            span = rng.randint(3, 5)
            start = rng.randint(FIRST_YEAR, LAST_YEAR - span + 1)
            yield dept, list(range(start, start + span))


# --------------------------------------------------------------------------- #
# Records
# --------------------------------------------------------------------------- #


def check_arguments(count: int, findings_rate: float) -> None:
    """Refuse arguments that cannot describe a data set (a usage error, not a traceback)."""
    if count < 0:
        raise GongkaiError("--count 不能为负数。")
    if not 0 <= findings_rate <= 1:
        raise GongkaiError("--findings-rate 应在 0 到 1 之间。")


def generate(
    count: int, seed: int = 0, findings_rate: float = DEFAULT_FINDINGS_RATE
) -> Iterator[SynthRecord]:
    """Yield ``count`` records; the same arguments always give the same records."""
    check_arguments(count, findings_rate)
    rng = random.Random(seed)
    produced = 0
    for dept, years in department_years(rng):
        prev: Totals | None = None
        growth = Decimal(1)
        for year in years:
            if produced >= count:
                return
            plan = build_plan(rng, dept, year, prev, growth)
            prev = plan.totals
            if rng.random() < findings_rate:
                inject_finding(rng, plan)
            produced += 1
            yield SynthRecord(
                dept.place.admin_code, plan.budget_id, record_text(plan, seed), tuple(plan.injected)
            )
            growth = growth * Decimal(100 + rng.randint(0, 6)) / Decimal(100)


def write_site(
    out: Path,
    count: int,
    seed: int = 0,
    findings_rate: float = DEFAULT_FINDINGS_RATE,
    force: bool = False,
) -> SynthSummary:
    """Write ``out/mkdocs.yml``, ``out/docs/index.md`` and ``out/content/…`` records.

    An existing ``out/content`` with files in it is refused unless ``force``
    (then only that folder is replaced): mixing two runs would leave stale
    records that no seed produces.
    """
    check_arguments(count, findings_rate)
    started = time.perf_counter()
    content = out / "content"
    if content.exists() and any(content.iterdir()):
        if not force:
            raise GongkaiError(f"{content} 已有文件；用 --force 覆盖，或换一个 --out 目录。")
        shutil.rmtree(content)
    (out / "docs").mkdir(parents=True, exist_ok=True)
    (out / "mkdocs.yml").write_text(MKDOCS_YML, encoding="utf-8")
    (out / "docs" / "index.md").write_text(INDEX_MD, encoding="utf-8")
    summary = SynthSummary(out)
    made: set[str] = set()
    departments: set[str] = set()
    for record in generate(count, seed, findings_rate):
        folder = content / record.admin_code
        if record.admin_code not in made:
            folder.mkdir(parents=True, exist_ok=True)
            made.add(record.admin_code)
        data = record.text.encode("utf-8")
        (folder / f"{record.budget_id}.yaml").write_bytes(data)
        summary.records += 1
        summary.bytes += len(data)
        departments.add(record.budget_id.rsplit("-", 2)[0])
        if record.injected:
            summary.injected[record.budget_id] = list(record.injected)
    summary.departments = len(departments)
    summary.places = len(made)
    manifest = {
        "count": count,
        "seed": seed,
        "findings_rate": findings_rate,
        "injected": summary.injected,
    }
    (out / MANIFEST).write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    summary.seconds = time.perf_counter() - started
    return summary


def run_synth(args: argparse.Namespace) -> int:
    """The ``gongkai synth`` command."""
    summary = write_site(Path(args.out), args.count, args.seed, args.findings_rate, args.force)
    print(
        f"已生成 {summary.records} 条记录（{summary.departments} 个部门，{summary.places} 个地区，"
        f"{len(summary.injected)} 条含注入的错误，{summary.bytes / 1e6:.1f} MB）→ {summary.out}"
        f"，用时 {summary.seconds:.1f} 秒",
        file=sys.stderr,
    )
    return 0
