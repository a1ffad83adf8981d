"""The accounting rule catalogue.

Each rule has an id (``R-FUNC-PARENT``), a title, a description saying what
identity real budgets satisfy, and a check that yields
:class:`~gongkai.findings.Finding` objects for the outcomes that are not a
clean pass. Rules never modify the budget. They are grouped in modules by the
part of the disclosure they look at; importing this package registers them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from gongkai.findings import Finding
from gongkai.model import Budget

Check = Callable[[Budget], Iterable[Finding]]
T = TypeVar("T")
A = TypeVar("A")

#: What :func:`shared` helpers computed during the current :func:`run_rules` call.
_RUN_MEMO: ContextVar[dict[tuple[Any, int], Any] | None] = ContextVar("gongkai_rule_memo", default=None)


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
    token = _RUN_MEMO.set({})
    try:
        for rule_id, entry in RULES.items():
            if wanted is None or rule_id in wanted:
                findings.extend(entry.check(budget))
    finally:
        _RUN_MEMO.reset(token)
    return findings


def shared(compute: Callable[[A], T]) -> Callable[[A], T]:
    """Compute ``compute(part)`` once per :func:`run_rules` call, for every rule that asks.

    ``part`` is the budget or a part of it (a table). Several rules walk the
    same derived view of a record (every indicator with its parsed value,
    the columns a table prints). Within one run the budget does not change —
    rules never modify it — so the first result serves the rest; outside a
    run (a rule called on its own, as tests do) nothing is remembered, so a
    budget edited between calls is never seen stale. The result is shared:
    return something immutable (a tuple, frozen dataclasses).
    """

    @functools.wraps(compute)
    def memoised(part: A) -> T:
        memo = _RUN_MEMO.get()
        if memo is None:
            return compute(part)
        key = (compute, id(part))  # the budget (and so its parts) outlives the run, so the id is stable
        if key not in memo:
            memo[key] = compute(part)
        return memo[key]  # type: ignore[no-any-return]

    return memoised


def _load_rule_modules() -> None:
    """Import the rule modules once (they register themselves)."""
    from gongkai.rules import catalogue  # noqa: F401
