"""Shared fixtures: paths of the repository and a minimal valid record."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CONTENT = REPO / "content"

MINIMAL_RECORD = """\
schema_version: 1
fiscal_year: 2023
stage: budget
amount_unit: 万元
source:
  title: 测试部门2023年部门预算
  original_format: pdf
department:
  name: 测试部门
  code: "101"
  region:
    province: 河北省
    admin_code: "130532"
    admin_level: county
"""


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture
def minimal_text() -> str:
    """A valid record with only the required identity (id 130532-101-2023-budget)."""
    return MINIMAL_RECORD


@pytest.fixture
def write_record(tmp_path: Path):
    """Write YAML text under tmp_path with the file name its id requires."""

    def write(text: str, name: str = "130532-101-2023-budget.yaml") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
