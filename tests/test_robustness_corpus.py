"""The broken-input corpus of issue #8, through the real ``gongkai validate``.

tests/test_loader.py and tests/test_messages.py load the same kinds of mistake
in-process (every problem code, its ``line:column`` and both languages of its
message; billion laughs, ``!!python`` tags, the 6 MB file). This file runs the
console script in a subprocess, as a contributor and CI do, and checks for each
case what they see: the exit code (1: a record does not pass), the
compiler-style line ``file:line:column: 错误[code] (path): message`` with the
exact location, the words of the message that say what to do, and that no
Python traceback — or a crash by a signal — ever reaches the output.

A whole-file problem (too large) is located at the file alone: it has no line.
Cases marked ``xfail(strict=True)`` are bugs found by this corpus; the reason
says what is wrong and where the fix belongs.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import MINIMAL_RECORD
from gongkai.yamlio import MAX_BYTES, MAX_DEPTH

NAME = "130532-101-2023-budget.yaml"
#: conftest.MINIMAL_RECORD has 14 lines: a snippet appended to it starts on line 15.
BASE = MINIMAL_RECORD
#: A project whose fourth line (line 18, column 13 for ``amount``) is the case.
PROJECT = "projects:\n  - seq: 1\n    name: 项目\n"


def gongkai_command() -> list[str]:
    """The installed console script (``gongkai``), else the module."""
    script = Path(sys.executable).with_name("gongkai")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gongkai.cli"]


@dataclass(frozen=True)
class Expect:
    """One line the CLI must print: where, which code, and words of the message."""

    where: str  # "file:line:col" or "file" for a whole-file problem
    code: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class CliCase:
    """Files written into an empty folder, the paths given to ``gongkai validate``."""

    files: dict[str, bytes]
    expect: tuple[Expect, ...]
    args: tuple[str, ...] = (NAME,)
    exit_code: int = 1
    marks: tuple[pytest.MarkDecorator, ...] = field(default=())


def record(text: str, name: str = NAME) -> dict[str, bytes]:
    return {name: text.encode("utf-8")}


def amount(value: str) -> dict[str, bytes]:
    """The minimal record with one project whose amount (line 18, column 13) is ``value``."""
    return record(BASE + PROJECT + f"    amount: {value}\n")


def replaced(old: str, new: str) -> dict[str, bytes]:
    assert old in BASE
    return record(BASE.replace(old, new, 1))


def at(line: int, column: int, code: str, *words: str) -> tuple[Expect, ...]:
    return (Expect(f"{NAME}:{line}:{column}", code, words),)


#: What must never reach a terminal: C0 controls (but tab and newline), DEL, C1.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

NUMBER_AS_TEXT_WORDS = ("应为数字", "数字不加引号、千分位逗号和单位，用半角数字")

CASES: dict[str, CliCase] = {
    # -- YAML syntax --------------------------------------------------------- #
    "unclosed-quote": CliCase(
        record(BASE + 'glossary:\n  - term: "未闭合\n    definition: 解释\n'),
        at(16, 11, "yaml.syntax", "引号没有配对", "从这里开始"),
    ),
    "bad-indentation": CliCase(
        record(BASE + "glossary:\n  - term: 名词\n   definition: 解释\n"),
        at(17, 4, "yaml.syntax", "缩进不一致"),
    ),
    "tab-in-list": CliCase(
        record(BASE + "glossary:\n\t- term: 名词\n"), at(16, 1, "yaml.tab", "制表符", "两个空格")
    ),
    "tab-before-key": CliCase(
        replaced("  name: 测试部门", "\tname: 测试部门"), at(9, 1, "yaml.tab", "制表符", "两个空格")
    ),
    # -- files that are not a record ----------------------------------------- #
    "empty": CliCase({NAME: b""}, at(1, 1, "file.empty", "文件是空的", "gongkai new")),
    "gbk": CliCase(
        {NAME: BASE.encode("gbk")},  # the first GBK byte: "万" on line 4, column 14
        at(4, 14, "file.not-utf8", "不是 UTF-8", "第 63 字节", "不要用 GBK"),
    ),
    "png": CliCase(
        {NAME: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"},  # NUL: line 3, col 1
        at(3, 1, "file.binary", "二进制内容", "NUL"),
    ),
    "deep-flow": CliCase(
        record(BASE + "glossary: " + "[" * 100 + "]" * 100 + "\n"),
        at(15, 11 + MAX_DEPTH, "yaml.too-deep", f"超过 {MAX_DEPTH} 层", "检查缩进"),
    ),
    "deep-indentation": CliCase(
        # line 15 + i holds "- x:" indented 2*i; the first beyond 8*MAX_DEPTH columns: i = 161
        record(BASE + "glossary:\n" + "".join("  " * i + "- x:\n" for i in range(1, 200))),
        at(15 + 161, 2 * 161 + 1, "yaml.too-deep", f"超过 {MAX_DEPTH} 层"),
    ),
    # -- keys ---------------------------------------------------------------- #
    "duplicate-top-key": CliCase(
        record(BASE + "stage: final_accounts\n"),
        at(15, 1, "yaml.duplicate-key", "“stage”重复", "第 3 行", "删除或合并"),
    ),
    "duplicate-nested-key": CliCase(
        replaced('  code: "101"\n', '  code: "101"\n  code: "102"\n'),
        at(11, 3, "yaml.duplicate-key", "“code”重复", "第 10 行"),
    ),
    "unknown-key": CliCase(
        record(BASE + PROJECT + "    amout: 5\n"),
        at(18, 5, "schema.unknown-key", "未知的键“amout”", "是不是“amount”"),
    ),
    "missing-required": CliCase(
        replaced("stage: budget\n", ""), at(1, 1, "schema.missing-key", "缺少必填的键“stage”")
    ),
    # -- types and numbers ----------------------------------------------------- #
    "year-in-chinese": CliCase(
        replaced("fiscal_year: 2023", "fiscal_year: 二〇二三"),
        at(2, 14, "schema.type", "“fiscal_year”应为整数", "文字“二〇二三”"),
    ),
    "text-for-list": CliCase(
        record(BASE + "projects: 项目\n"), at(15, 11, "schema.type", "“projects”应为列表")
    ),
    "thousands-separator": CliCase(
        amount("1,234.00"),
        at(
            18,
            13,
            "schema.number-as-text",
            "文字“1,234.00”",
            "请写成 1234.00",
            *NUMBER_AS_TEXT_WORDS,
        ),
    ),
    "thousands-separator-quoted": CliCase(
        amount("'1,234.00'"), at(18, 13, "schema.number-as-text", "请写成 1234.00")
    ),
    "wan-suffix": CliCase(
        amount("12万"),
        at(
            18,
            13,
            "schema.number-as-text",
            "文字“12万”",
            "请写成 12",
            "“万”（×10,000）",
            "amount_unit",
        ),
    ),
    "full-width-digits": CliCase(
        amount("１２３"),
        at(18, 13, "schema.number-as-text", "文字“１２３”", "请写成 123", "半角数字"),
    ),
    "full-width-year": CliCase(
        replaced("fiscal_year: 2023", "fiscal_year: ２０２３"),
        at(2, 14, "schema.number-as-text", "请写成 2023"),
    ),
    "nan": CliCase(
        amount(".nan"), at(18, 13, "schema.not-finite", "“.nan”", "不是有限的数字", "null")
    ),
    "nan-spelt": CliCase(amount("NaN"), at(18, 13, "schema.not-finite", "“NaN”")),
    "infinity": CliCase(amount(".inf"), at(18, 13, "schema.not-finite", "“.inf”")),
    "minus-infinity": CliCase(amount("-.Inf"), at(18, 13, "schema.not-finite", "“-.Inf”")),
    "negative-amount": CliCase(
        amount("-5.00"), at(18, 13, "schema.negative", "不能为负数", "-5.00", "change_")
    ),
    # -- codes ------------------------------------------------------------- #
    "admin-code-too-short": CliCase(
        replaced('admin_code: "130532"', 'admin_code: "13053"'),
        at(13, 17, "schema.pattern", "“13053”", "6 位数字"),
    ),
    "admin-code-with-letter": CliCase(
        replaced('admin_code: "130532"', 'admin_code: "13O532"'),
        at(13, 17, "schema.pattern", "“13O532”", "6 位数字"),
    ),
    "function-code-with-letter": CliCase(
        record(
            BASE
            + "expenditure_by_function:\n  fund_scope: all\n  lines:\n    - {code: '2O1', name: x}\n"
        ),
        at(18, 14, "schema.pattern", "“2O1”", "3、5 或 7 位数字"),
    ),
    "function-code-too-long": CliCase(
        record(
            BASE
            + "expenditure_by_function:\n  fund_scope: all\n  lines:\n    - {code: '20101011', name: x}\n"
        ),
        at(18, 14, "schema.pattern", "“20101011”", "3、5 或 7 位数字"),
    ),
    "department-code-path": CliCase(
        replaced('code: "101"', 'code: "../101"'),
        at(10, 9, "schema.pattern", "“../101”", "只含数字和字母"),
    ),
    # -- records ------------------------------------------------------------- #
    "file-name-disagrees": CliCase(
        record(BASE, name="130532-102-2023-budget.yaml"),
        (
            Expect(
                "130532-102-2023-budget.yaml:1:1",
                "record.file-name",
                ("“130532-101-2023-budget.yaml”", "“130532-102-2023-budget.yaml”", "重命名"),
            ),
        ),
        args=("130532-102-2023-budget.yaml",),
    ),
    "same-department-year-twice": CliCase(
        {f"a/{NAME}": BASE.encode(), f"b/{NAME}": BASE.encode()},
        (
            Expect(
                f"b/{NAME}:1:1",
                "record.duplicate-id",
                ("130532-101-2023-budget", f"a/{NAME}", "只能有一个文件"),
            ),
        ),
        args=("a", "b"),
    ),
    # -- bugs found by this corpus -------------------------------------------- #
    "full-width-admin-code": CliCase(
        # The file name agrees with the content, so no other check stops it.
        record(
            BASE.replace('"130532"', '"１３０５３２"'), name="１３０５３２-101-2023-budget.yaml"
        ),
        (Expect("１３０５３２-101-2023-budget.yaml:13:17", "schema.pattern", ("6 位数字",)),),
        args=("１３０５３２-101-2023-budget.yaml",),
    ),
    "admin-code-with-newline": CliCase(
        replaced('admin_code: "130532"', 'admin_code: "130532\\n"'),
        at(13, 17, "schema.pattern", "6 位数字", "“130532\\n”"),  # the newline shown, on one line
    ),
    "line-separator-in-text": CliCase(
        # U+2028 inside a quoted name (pasted from a web page); the mistake is on line 21.
        record(
            BASE
            + 'glossary:\n  - term: "名\u2028词"\n    definition: 解释\n'
            + PROJECT
            + "    amount: 12万\n"
        ),
        at(21, 13, "schema.number-as-text", "请写成 12"),
    ),
    "arabic-indic-digit": CliCase(
        amount("٣"),
        at(18, 13, "schema.number-as-text", "请写成 3。"),
    ),
    "devanagari-digits": CliCase(amount("'१२'"), at(18, 13, "schema.number-as-text", "请写成 12。")),
    "line-separators-before-a-syntax-error": CliCase(
        # U+2029 and U+0085 in text too: the unclosed quote opens on line 18, column 11.
        record(BASE + 'glossary:\n  - term: "名\u2029词\u0085"\n    definition: 解释\n  - term: "未闭合\n'),
        at(18, 11, "yaml.syntax", "引号没有配对"),
    ),
    # -- control characters: nothing reaches a page or a terminal ------------ #
    "escape-sequence-in-name": CliCase(
        replaced("  name: 测试部门", '  name: "测试\\e[2J\\e[31m部门"'),
        at(9, 9, "schema.control-character", "U+001B (ESC)", "控制字符", "转义"),
    ),
    "nul-escape-in-key": CliCase(
        record(BASE + 'glossary:\n  - "te\\0rm": 名词\n    definition: 解释\n'),
        at(16, 5, "schema.control-character", "U+0000 (NUL)"),
    ),
    "raw-control-character": CliCase(
        {NAME: BASE.replace("  name: 测试部门", "  name: 测试\x1b部门").encode()},
        at(9, 11, "schema.control-character", "U+001B (ESC)"),
    ),
}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_validate(folder: Path, args: tuple[str, ...], *extra: str) -> Run:
    started = time.perf_counter()
    result = subprocess.run(
        [*gongkai_command(), "validate", *extra, *args],
        cwd=folder, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return Run(result.returncode, result.stdout, result.stderr, time.perf_counter() - started)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every case run once, two at a time (each is a fresh interpreter)."""
    root = tmp_path_factory.mktemp("corpus")
    jobs: dict[str, tuple[Path, tuple[str, ...]]] = {}
    for name, case in CASES.items():
        folder = root / name
        for relative, data in case.files.items():
            path = folder / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        jobs[name] = (folder, case.args)
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {name: pool.submit(run_validate, *job) for name, job in jobs.items()}
        return {name: future.result() for name, future in futures.items()}


def assert_reported(run: Run, expect: tuple[Expect, ...], exit_code: int) -> None:
    output = run.stdout + run.stderr
    assert run.returncode >= 0, f"killed by signal {-run.returncode}: {output[-2000:]}"
    assert "Traceback" not in output, output[-3000:]
    assert not CONTROL.search(output), f"a control character reached the terminal: {output[-3000:]!r}"
    assert run.returncode == exit_code, output[-3000:]
    lines = run.stdout.splitlines()
    for e in expect:
        prefix = f"{e.where}: 错误[{e.code}]"
        found = [line for line in lines if line.startswith(prefix)]
        assert found, f"no line starting with {prefix!r} in:\n{run.stdout}"
        for word in e.words:
            assert word in found[0], f"{word!r} not in {found[0]!r}"
    assert re.search(r"共 \d+ 个文件：\d+ 个通过，\d+ 个未通过", run.stdout), run.stdout


def _params() -> list[object]:
    return [pytest.param(name, id=name, marks=case.marks) for name, case in CASES.items()]


@pytest.mark.parametrize("name", _params())
def test_broken_input_is_reported_with_its_location(name: str, runs: dict[str, Run]) -> None:
    case = CASES[name]
    assert_reported(runs[name], case.expect, case.exit_code)


def test_good_and_broken_records_together(tmp_path: Path) -> None:
    """One broken file does not hide the others: each is reported, the good one passes."""
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / NAME).write_text(BASE, encoding="utf-8")
    broken = "130532-102-2023-budget.yaml"
    (tmp_path / "c" / broken).write_text(
        BASE.replace('"101"', '"102"') + PROJECT + "    amount: 12万\n", encoding="utf-8"
    )
    (tmp_path / "c" / "130532-103-2023-budget.yaml").write_bytes(b"\x00")
    run = run_validate(tmp_path, ("c",))
    assert_reported(
        run,
        (Expect(f"c/{broken}:18:13", "schema.number-as-text"),
         Expect("c/130532-103-2023-budget.yaml:1:1", "file.binary")),
        1,
    )  # fmt: skip
    assert "共 3 个文件：1 个通过，2 个未通过" in run.stdout


@pytest.mark.parametrize("copy", ["130532-101-2023-budget copy.yaml", "130532-101-2023-budget (1).yaml"])
def test_a_misnamed_copy_is_the_duplicate_not_the_original(tmp_path: Path, copy: str) -> None:
    """A copy saved next to the original sorts first; the correctly named file keeps the id.

    The copy is reported twice (its name, and the id the original claims); the
    original passes: a stray copy never makes the real record unpublishable.
    """
    assert sorted([copy, NAME])[0] == copy
    folder = tmp_path / "c"
    folder.mkdir()
    for name in (copy, NAME):
        (folder / name).write_text(BASE, encoding="utf-8")
    run = run_validate(tmp_path, ("c",))
    assert_reported(
        run,
        (Expect(f"c/{copy}:1:1", "record.file-name", (f"“{NAME}”", "重命名")),
         Expect(f"c/{copy}:1:1", "record.duplicate-id", ("“130532-101-2023-budget”", f"c/{NAME}"))),
        1,
    )  # fmt: skip
    assert [line for line in run.stdout.splitlines() if line.startswith(f"c/{NAME}:")] == []
    assert "共 2 个文件：1 个通过，1 个未通过" in run.stdout


# --------------------------------------------------------------------------- #
# Hostile nesting the depth check does not see
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize("indicator", ["- ", "? ", "-  ", "- ? "])
def test_compact_nesting_is_refused_not_a_crash(tmp_path: Path, indicator: str) -> None:
    """Each '- ' or '? ' of a line opens a collection; the one beyond MAX_DEPTH is pointed at."""
    (tmp_path / NAME).write_text(
        BASE + "glossary:\n  " + indicator * 50_000 + "x\n", encoding="utf-8"
    )
    run = run_validate(tmp_path, (NAME,))
    width = len(indicator) / len(indicator.split())  # columns per indicator
    column = 2 + int(MAX_DEPTH * width) + 1
    assert_reported(run, (Expect(f"{NAME}:16:{column}", "yaml.too-deep", (f"超过 {MAX_DEPTH} 层",)),), 1)


def test_compact_nesting_at_the_limit_is_not_refused(tmp_path: Path) -> None:
    """MAX_DEPTH indicators on a line are read (and fail as the wrong shape, located)."""
    (tmp_path / NAME).write_text(
        BASE + "glossary:\n  " + "- " * MAX_DEPTH + "x\n", encoding="utf-8"
    )
    run = run_validate(tmp_path, (NAME,))
    assert_reported(run, (Expect(f"{NAME}:16:5", "schema.type", ("应为键值对",)),), 1)


def test_compact_nesting_after_a_line_separator_is_refused(tmp_path: Path) -> None:
    """libyaml starts a line after U+2028: the nesting there is counted, the location is an editor's."""
    (tmp_path / NAME).write_text(
        BASE + 'glossary: "x"\u2028' + "- " * 30_000 + "x\n", encoding="utf-8"
    )
    run = run_validate(tmp_path, (NAME,))
    column = len('glossary: "x"\u2028') + 2 * MAX_DEPTH + 1
    assert_reported(run, (Expect(f"{NAME}:15:{column}", "yaml.too-deep"),), 1)


# --------------------------------------------------------------------------- #
# A 20 MB file: refused quickly, in bounded memory
# --------------------------------------------------------------------------- #

#: Runs the CLI and reports the process's peak resident memory (VmHWM, KiB) on stderr.
#: ru_maxrss would not do: Linux keeps it across exec, so the child inherits pytest's.
PEAK_WRAPPER = r"""
import re, runpy, sys
sys.argv = ["gongkai", *sys.argv[1:]]
code = 0
try:
    runpy.run_module("gongkai.cli", run_name="__main__")
except SystemExit as exc:
    code = exc.code
with open("/proc/self/status") as status:
    print("@@peak_kib=" + re.search(r"VmHWM:\s*(\d+)", status.read()).group(1), file=sys.stderr)
sys.exit(code)
"""

BIG = 20 * 1024 * 1024


@dataclass
class Peak:
    run: Run
    kib: int


def run_with_peak(folder: Path, name: str) -> Peak:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", PEAK_WRAPPER, "validate", name],
        cwd=folder, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    match = re.search(r"@@peak_kib=(\d+)", result.stderr)
    assert match, result.stderr[-2000:]
    stderr = result.stderr.replace(match.group(0), "")
    return Peak(Run(result.returncode, result.stdout, stderr, seconds), int(match.group(1)))


@pytest.fixture(scope="module")
def oversized(tmp_path_factory: pytest.TempPathFactory) -> tuple[Peak, Peak]:
    """(an empty record, a 20 MB record), each validated with its peak memory measured."""
    if not Path("/proc/self/status").exists():
        pytest.skip("peak memory is read from /proc (Linux)")
    small = tmp_path_factory.mktemp("small")
    (small / NAME).write_bytes(b"")
    big = tmp_path_factory.mktemp("big")
    with (big / NAME).open("wb") as handle:
        handle.write(BASE.encode())
        handle.write(b"glossary:\n  - term: " + b"x" * (BIG - len(BASE) - 40) + b"\n")
    assert (big / NAME).stat().st_size > BIG - 64
    baseline = run_with_peak(small, NAME)
    measured = run_with_peak(big, NAME)
    shutil.rmtree(big)
    return baseline, measured


def test_oversized_file_is_refused_quickly(oversized: tuple[Peak, Peak]) -> None:
    baseline, big = oversized
    size = BIG
    assert_reported(
        big.run, (Expect(NAME, "file.too-large", (f"上限 {MAX_BYTES} 字节", "放错了文件")),), 1
    )
    assert big.run.seconds - baseline.run.seconds < 2.0, (big.run.seconds, baseline.run.seconds)
    # Parsing or decoding the file would cost several times its size (and load_file does not
    # even read it: see the test below).
    grown = (big.kib - baseline.kib) * 1024
    assert grown < 1.5 * size, f"peak memory grew by {grown / 2**20:.1f} MiB for a 20 MiB file"


def test_oversized_file_memory_does_not_grow_with_its_size(oversized: tuple[Peak, Peak]) -> None:
    baseline, big = oversized
    assert big.run.returncode == 1
    grown = (big.kib - baseline.kib) * 1024
    assert grown < 4 * 2**20, f"peak memory grew by {grown / 2**20:.1f} MiB for a 20 MiB file"
