"""The accounting rule catalogue.

Each rule has an id (``R-FUNC-PARENT``), a title, a description saying what
identity real budgets satisfy, and a check that yields
:class:`~gongkai.findings.Finding` objects for the outcomes that are not a
clean pass. Rules never modify the budget. They are grouped in modules by the
part of the disclosure they look at; importing this package registers them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gongkai.findings import Finding
from gongkai.model import Budget

Check = Callable[[Budget], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """One rule of the catalogue."""

    id: str
    title_zh: str
    title_en: str
    description_zh: str
    check: Check


RULES: dict[str, Rule] = {}


def rule(id: str, title_zh: str, title_en: str, description_zh: str) -> Callable[[Check], Check]:
    """Register ``check`` under ``id`` (ids are unique; a clash is a bug)."""

    def register(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id}")
        RULES[id] = Rule(id, title_zh, title_en, description_zh, check)
        return check

    return register


def run_rules(budget: Budget, only: Iterable[str] | None = None) -> list[Finding]:
    """Run every registered rule (or those in ``only``) on ``budget``."""
    _load_rule_modules()
    wanted = set(only) if only is not None else None
    findings: list[Finding] = []
    for rule_id, entry in RULES.items():
        if wanted is None or rule_id in wanted:
            findings.extend(entry.check(budget))
    return findings


def _load_rule_modules() -> None:
    """Import the rule modules once (they register themselves)."""
    from gongkai.rules import catalogue  # noqa: F401
