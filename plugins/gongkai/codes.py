"""The classification code lists shipped with the package.

支出功能分类 (functional) and 部门预算支出经济分类 (economic) codes with their
names, as CSV under ``gongkai/data``. Amount rows reference them by foreign
key, so a code missing here makes a record fail validation with a message
that says which file to extend: the lists are curated data, not guesses.
"""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_codes(kind: str) -> dict[str, str]:
    """``{code: name}`` for ``kind`` = ``function`` or ``econ``."""
    text = resources.files("gongkai").joinpath(f"data/{kind}_codes.csv").read_text("utf-8")
    return {row["code"]: row["name"] for row in csv.DictReader(text.splitlines())}


def code_rows(kind: str) -> list[dict[str, Any]]:
    """Rows of the ``function_codes`` / ``econ_codes`` resource."""
    codes = load_codes(kind)
    rows = []
    for code, name in codes.items():
        level = {3: 1, 5: 2, 7: 3}[len(code)]
        parent = code[: len(code) - 2] if level > 1 else None
        rows.append({"code": code, "name": name, "level": level, "parent_code": parent})
    return rows
