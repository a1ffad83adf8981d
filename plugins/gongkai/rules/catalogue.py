"""The rule catalogue (GUIDE §4): importing this module registers every rule.

The rules live in one module per part of the disclosure. They are imported
by name, in the order below, because that order is the order in which rules
run and findings are listed (codes first, then the standard tables in their
printed order, then 三公, running costs, procurement, projects, indicators, text, assets
and staffing); a sorted import list would lose it.
"""

from __future__ import annotations

import importlib

#: Rule modules in reporting order.
MODULES: tuple[str, ...] = (
    "codes",
    "summary",
    "function_tables",
    "economic",
    "three_public",
    "operating",
    "procurement",
    "projects",
    "indicators",
    "narrative",
    "assets",
    "staffing",
)

for _module in MODULES:
    importlib.import_module(f"gongkai.rules.{_module}")
