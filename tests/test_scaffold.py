"""``gongkai new``: the first thing a contributor runs.

The file it writes must land where the loader looks, under the name the
record id requires, be valid as written, point the editor at the JSON Schema,
and carry a commented example of every section that is itself valid once
uncommented. Answers come from flags (scripts), from prompts (a person at a
terminal, driven here through a real pseudo-terminal too), and wrong answers
are refused with a message and exit code 2, never a traceback.
"""

from __future__ import annotations

import io
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gongkai.cli import main
from gongkai.loader import load_bytes, load_file
from gongkai.model import Budget

FLAGS = [
    "--name", "测试部门",
    "--dept-code", "101",
    "--admin-code", "130532",
    "--province", "河北省",
    "--prefecture", "邢台市",
    "--county", "平乡县",
    "--year", "2024",
    "--unit", "万元",
    "--title", "测试部门2024年部门预算公开",
]  # fmt: skip
TARGET = Path("130532") / "130532-101-2024-budget.yaml"


def new(tmp_path: Path, *args: str) -> int:
    return main(["new", "--content", str(tmp_path / "content"), *args])


def uncomment_examples(text: str) -> str:
    """Uncomment every ``# key:`` block at the left margin, as a contributor would."""
    out: list[str] = []
    in_block = False
    for line in text.splitlines():
        match = re.match(r"^# ([a-z_]+:.*)$", line)
        if match:
            in_block = True
            out.append(match[1])
        elif in_block and line.startswith("#   "):
            out.append(line[2:])
        else:
            in_block = False
            out.append(line)
    return "\n".join(out) + "\n"


def test_flags_write_a_valid_record_where_the_loader_expects_it(tmp_path, capsys):
    assert new(tmp_path, "--no-input", *FLAGS) == 0
    path = tmp_path / "content" / TARGET
    record = load_file(path)
    assert record.ok, [p.format() for p in record.problems]
    budget = record.budget
    assert budget is not None
    assert (budget.department.name, budget.department.code, budget.fiscal_year) == ("测试部门", "101", 2024)
    assert (budget.department.region.prefecture, budget.department.region.county) == ("邢台市", "平乡县")
    assert (budget.stage, budget.amount_unit, budget.source.original_format) == ("budget", "万元", "pdf")
    out = capsys.readouterr().out
    assert str(path) in out and "gongkai validate" in out


def test_the_schema_line_points_at_the_shipped_schema(tmp_path):
    assert new(tmp_path, "--no-input", *FLAGS) == 0
    path = tmp_path / "content" / TARGET
    first = path.read_text("utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema=")
    schema = (path.parent / first.split("=", 1)[1]).resolve()
    assert schema.name == "budget.schema.json" and schema.is_file()


def test_every_section_has_a_commented_example_that_is_valid(tmp_path):
    """Uncommenting an example gives valid YAML for the model, so copying it is safe."""
    import gongkai.validate as validate

    assert new(tmp_path, "--no-input", *FLAGS) == 0
    path = tmp_path / "content" / TARGET
    text = uncomment_examples(path.read_text("utf-8"))
    record = load_bytes(text.encode(), path, str(path))
    assert record.ok, [p.format() for p in record.problems]
    sections = {name for name in Budget.__dataclass_fields__ if name not in ("schema_version",)}
    filled = {name for name in sections if getattr(record.budget, name) not in (None, [])}
    assert filled == sections - {"transcription_notes"}, sorted(sections - filled)
    original = validate.check_rules
    validate.check_rules = lambda record: []  # type: ignore[assignment]
    try:
        report = validate.validate_records([record])[0]
    finally:
        validate.check_rules = original
    assert report.problems == [], [p.format() for p in report.problems]


def test_names_with_yaml_characters_survive(tmp_path):
    name = '中共某县委组织部: "试点" # 1'
    assert new(tmp_path, "--no-input", *FLAGS[:1], name, *FLAGS[2:]) == 0
    budget = load_file(tmp_path / "content" / TARGET).budget
    assert budget is not None and budget.department.name == name


@pytest.mark.parametrize(
    "flag, value, message",
    [
        ("--admin-code", "13053", "行政区划代码应为6位数字"),
        ("--admin-code", "1305321", "行政区划代码应为6位数字"),
        ("--dept-code", "[116001]", "部门编码只能包含数字和字母"),
        ("--year", "23", "预算年度应为4位年份"),
    ],
)
def test_a_wrong_answer_exits_2_with_a_message(tmp_path, capsys, flag, value, message):
    args = list(FLAGS)
    args[args.index(flag) + 1] = value
    assert new(tmp_path, "--no-input", *args) == 2
    err = capsys.readouterr().err
    assert f"{flag} {value}" in err and message in err
    assert not (tmp_path / "content").exists()


def test_choices_are_checked_by_the_parser(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        new(tmp_path, "--no-input", *FLAGS, "--stage", "预算")
    assert exit_info.value.code == 2
    assert "budget" in capsys.readouterr().err


def test_missing_answers_without_input_exit_2_and_name_each_flag(tmp_path, capsys):
    assert new(tmp_path, "--no-input", "--name", "测试部门") == 2
    err = capsys.readouterr().err
    for flag in ("--dept-code", "--admin-code", "--province", "--year", "--title"):
        assert f"缺少 {flag}" in err


def test_an_existing_record_is_not_overwritten_without_force(tmp_path, capsys):
    assert new(tmp_path, "--no-input", *FLAGS) == 0
    path = tmp_path / "content" / TARGET
    path.write_text("# 已填写的内容\n", encoding="utf-8")
    assert new(tmp_path, "--no-input", *FLAGS) == 1
    assert "--force" in capsys.readouterr().err
    assert path.read_text("utf-8") == "# 已填写的内容\n"
    assert new(tmp_path, "--no-input", "--force", *FLAGS) == 0
    assert load_file(path).ok


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


ANSWERS = [
    "测试部门",  # name
    "101",  # dept_code
    "13053",  # admin_code: wrong, asked again
    "130532",  # admin_code
    "河北省",  # province
    "",  # prefecture (may stay empty)
    "平乡县",  # county
    "",  # admin_level: default county
    "2024",  # year
    "",  # stage: default budget
    "元",  # unit
    "测试部门2024年部门预算公开",  # title
    "",  # source_format: default pdf
]


def test_interactive_prompts_ask_for_what_flags_did_not_give(tmp_path, monkeypatch, capsys):
    prompts: list[str] = []
    answers = iter(ANSWERS)

    def fake_input(prompt: str = "") -> str:
        prompts.append(prompt)
        return next(answers)

    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr("builtins.input", fake_input)
    assert new(tmp_path) == 0
    assert next(answers, None) is None, "not every answer was asked for"
    assert prompts[2] == prompts[3] and "行政区划代码" in prompts[2]
    assert "[county]" in prompts[7] and "[budget]" in prompts[9]
    assert "行政区划代码应为6位数字" in capsys.readouterr().out
    budget = load_file(tmp_path / "content" / TARGET).budget
    assert budget is not None
    assert (budget.amount_unit, budget.department.region.county, budget.department.region.prefecture) == ("元", "平乡县", None)


def test_flags_given_are_not_asked_again(tmp_path, monkeypatch):
    prompts: list[str] = []
    monkeypatch.setattr(sys, "stdin", _Terminal())
    monkeypatch.setattr("builtins.input", lambda prompt="": prompts.append(prompt) or "")
    assert new(tmp_path, *FLAGS, "--stage", "budget", "--admin-level", "county", "--format-of-source", "pdf") == 0
    assert prompts == []


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_interactive_session_in_a_real_terminal(tmp_path):
    """Drive the real console entry point through a pseudo-terminal, prompt by prompt."""
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "gongkai.cli", "new", "--content", str(tmp_path / "content")],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        close_fds=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    os.close(slave)
    transcript = b""
    try:
        for answer in ANSWERS:
            transcript = _read_until_prompt(master, transcript)
            os.write(master, answer.encode() + b"\n")
        assert process.wait(timeout=60) == 0
        transcript = _drain(master, transcript)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    text = transcript.decode("utf-8", "replace")
    assert "部门名称" in text and "行政区划代码应为6位数字" in text and "已创建" in text
    assert load_file(tmp_path / "content" / TARGET).ok


def _read_until_prompt(fd: int, seen: bytes, timeout: float = 30) -> bytes:
    """Read until a new prompt (a line ending in ': ') has appeared."""
    start = len(seen)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                seen += os.read(fd, 4096)
            except OSError:
                break
            if seen[start:].rstrip(b" ").endswith(b":"):
                return seen
    raise AssertionError(f"no prompt; terminal shows: {seen.decode('utf-8', 'replace')!r}")


def _drain(fd: int, seen: bytes) -> bytes:
    while True:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if not ready:
            return seen
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return seen
        if not chunk:
            return seen
        seen += chunk
