"""The contributor guide says what the code does.

CONTRIBUTING.md is the single source; docs/contributing.md is its copy on the
site (MkDocs cannot include a file from outside ``docs_dir`` without an extra
plugin, and the guide uses no relative links so the copy is byte-identical).
Every YAML example in the guide must bind to the model, every section of the
format must be explained, the ``gongkai new`` command it shows must work, and
the error message it quotes must be the one a contributor will see.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from gongkai.cli import main
from gongkai.loader import load_bytes, load_file
from gongkai.model import Budget

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "CONTRIBUTING.md"
SITE_COPY = REPO / "docs" / "contributing.md"
NAME = "130532-101-2023-budget.yaml"


def guide() -> str:
    return GUIDE.read_text("utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", guide(), flags=re.S)


def test_site_copy_is_identical():
    assert SITE_COPY.read_text("utf-8") == guide(), "run: cp CONTRIBUTING.md docs/contributing.md"


def test_guide_has_no_relative_links():
    """A relative link cannot be right both at the repository root and on the site."""
    targets = re.findall(r"\]\(([^)]+)\)", guide())
    assert all(t.startswith(("http://", "https://", "#")) for t in targets), targets


@pytest.mark.parametrize("index", range(len(blocks("yaml"))))
def test_every_yaml_example_binds_to_the_model(index, minimal_text):
    block = blocks("yaml")[index]
    text = block if "schema_version:" in block else minimal_text + block
    record = load_bytes(text.encode("utf-8"), Path(NAME), NAME)
    if record.budget is not None and record.budget.budget_id != Path(NAME).stem:
        name = f"{record.budget.budget_id}.yaml"  # a complete example names its own file
        record = load_bytes(text.encode("utf-8"), Path(name), name)
    assert record.ok, [p.format() for p in record.problems] + [block]


def test_every_section_of_the_format_is_explained():
    text = guide()
    missing = [name for name in Budget.__dataclass_fields__ if f"`{name}`" not in text and f"{name}:" not in text]
    assert missing == []


def test_the_gongkai_new_command_of_the_guide_works(tmp_path):
    command = next(b for b in blocks("sh") if "gongkai new --no-input" in b)
    args = shlex.split(command.replace("\\\n", " "))
    assert args[:2] == ["gongkai", "new"]
    assert main([*args[1:], "--content", str(tmp_path)]) == 0
    record = load_file(tmp_path / "130532" / "130532-203-2023-budget.yaml")
    assert record.ok and record.budget is not None
    assert record.budget.source.original_format == "docx"


def test_the_quoted_error_message_is_the_real_one(minimal_text):
    quoted = next(line for block in blocks("text") for line in block.splitlines() if "schema.number-as-text" in line)
    text = minimal_text.replace('code: "101"', 'code: "203"') + "projects:\n  - {seq: 1, name: x, amount: '1,234.00'}\n"
    display = "content/130532/130532-203-2023-budget.yaml"
    record = load_bytes(text.encode(), Path("130532-203-2023-budget.yaml"), display)
    assert record.problems[0].format() == quoted


def test_quoted_hints_are_the_real_ones(minimal_text):
    """The two example lines of the validation section show real locations and hints."""
    lines = [line for line in blocks("text") if "schema.unknown-key" in line][0].splitlines()
    unknown = minimal_text + "projects:\n  - seq: 1\n    name: x\n    预算数: 5\n"
    record = load_bytes(unknown.encode(), Path(NAME), "f.yaml")
    assert lines[0].split(": ", 1)[1].split("……")[0] in record.problems[0].format().split(": ", 1)[1]
    enum = minimal_text + "three_public:\n  rows:\n    - item: 合计\n"
    record = load_bytes(enum.encode(), Path(NAME), "f.yaml")
    assert lines[1].split(": ", 1)[1].split("……")[0] in record.problems[0].format().split(": ", 1)[1]
