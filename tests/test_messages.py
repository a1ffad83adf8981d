"""Every problem kind, produced from real input, with its location and message.

A contributor who has never seen this codebase reads these messages in a
terminal or as a pull-request annotation. For each code of
:data:`gongkai.messages.MESSAGES` a case below writes the mistake a person
would make, loads it the way ``gongkai validate`` does, and checks the exact
``line:column`` and that both the Chinese and the English message name what
was expected, what was found and the fix. A meta-test fails when a new code
is added without a case here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from gongkai.errors import Problem
from gongkai.loader import add_duplicate_problems, discover, load_bytes, load_file
from gongkai.messages import MESSAGES
from gongkai.yamlio import MAX_BYTES, MAX_DEPTH

NAME = "130532-101-2023-budget.yaml"
#: conftest.MINIMAL_RECORD has 14 lines; a snippet appended to it starts on line 15.
FIRST = 15

Make = Callable[[Path, str], list[Problem]]


@dataclass(frozen=True)
class Case:
    """A mistake, where it must be reported, and what both messages must say."""

    code: str
    make: Make
    line: int | None
    column: int | None
    zh: tuple[str, ...]
    en: tuple[str, ...]


def load_text(text: str, name: str = NAME) -> list[Problem]:
    """Load YAML text the way the CLI does (the file name is checked too)."""
    return load_bytes(text.encode("utf-8"), Path(name), name).problems


def appended(snippet: str, name: str = NAME) -> Make:
    """The minimal valid record with ``snippet`` appended (it starts on line 15)."""
    return lambda tmp, base: load_text(base + snippet, name)


def replaced(old: str, new: str, name: str = NAME) -> Make:
    """The minimal valid record with one piece of text replaced."""

    def make(tmp: Path, base: str) -> list[Problem]:
        assert old in base
        return load_text(base.replace(old, new, 1), name)

    return make


def raw(data: bytes) -> Make:
    return lambda tmp, base: load_bytes(data, Path("x.yaml"), "x.yaml").problems


def missing_file(tmp: Path, base: str) -> list[Problem]:
    return load_file(tmp / "content" / "nope.yaml", "content/nope.yaml").problems


def not_yaml(tmp: Path, base: str) -> list[Problem]:
    path = tmp / "预算.pdf"
    path.write_bytes(b"%PDF-1.4")
    return discover([path])[1]


def duplicate(tmp: Path, base: str) -> list[Problem]:
    first = load_bytes(base.encode(), Path("a") / NAME, f"a/{NAME}")
    second = load_bytes(base.encode(), Path("b") / NAME, f"b/{NAME}")
    add_duplicate_problems([first, second])
    assert first.problems == []
    return second.problems


def frictionless(snippet: str) -> Make:
    """Run the Frictionless gate (not the accounting rules) on a bound record."""

    def make(tmp: Path, base: str) -> list[Problem]:
        import gongkai.validate as validate

        record = load_bytes((base + snippet).encode(), Path(NAME), NAME)
        assert record.ok, [p.format() for p in record.problems]
        original = validate.check_rules
        validate.check_rules = lambda record: []  # type: ignore[assignment]
        try:
            return validate.validate_records([record])[0].problems
        finally:
            validate.check_rules = original

    return make


PROJECT = "projects:\n  - seq: 1\n    name: 项目\n"  # lines 15-17; a 4th line is line 18

CASES: list[tuple[str, Case]] = [
    # -- files ------------------------------------------------------------ #
    ("missing", Case("file.not-found", missing_file, None, None, ("找不到", "content/nope.yaml", "路径"), ("no such file", "content/nope.yaml", "Check the path"))),
    ("pdf", Case("file.not-yaml", not_yaml, None, None, ("预算.pdf", ".yaml"), ("预算.pdf", "not a .yaml file"))),
    ("comments-only", Case("file.empty", raw(b"# \xe5\x8f\xaa\xe6\x9c\x89\xe6\xb3\xa8\xe9\x87\x8a\n"), 1, 1, ("空的", "gongkai new"), ("empty", "gongkai new"))),
    ("huge", Case("file.too-large", raw(b"a: " + b"x" * MAX_BYTES), None, None, (str(MAX_BYTES + 3), str(MAX_BYTES)), (str(MAX_BYTES + 3), f"limit of {MAX_BYTES}"))),
    ("nul", Case("file.binary", raw(b"schema_version: 1\nx\x00"), 2, 2, ("NUL", "UTF-8 文本"), ("NUL", "UTF-8 text"))),
    ("gbk", Case("file.not-utf8", raw("fiscal_year: 2023\nname: 测试".encode("gbk")), 2, 7, ("不是 UTF-8", "第 24 字节", "GBK"), ("not UTF-8", "byte 24", "not GBK"))),
    # -- YAML syntax and safety -------------------------------------------- #
    ("unclosed-quote", Case("yaml.syntax", appended('glossary:\n  - term: "未闭合\n    definition: 解释\n'), 16, 11, ("引号没有配对", "解析器信息"), ("never closed", "parser:"))),
    ("colon-in-value", Case("yaml.syntax", appended("glossary:\n  - term: 注: 见附表\n    definition: 解释\n"), 16, 12, ("“: ”", "加双引号"), ("': '", "double quotes"))),
    ("bad-indent", Case("yaml.syntax", appended("glossary:\n  - term: 名词\n   definition: 解释\n"), 17, 4, ("缩进",), ("indentation",))),
    ("tab-indent", Case("yaml.tab", appended("glossary:\n\t- term: 名词\n"), 16, 1, ("制表符", "两个空格"), ("tabs", "two spaces"))),
    ("tab-before-key", Case("yaml.tab", appended("source2:\n\ttitle: x\n"), 16, 1, ("Tab",), ("tab",))),
    ("second-document", Case("yaml.multiple-documents", appended("---\nschema_version: 1\n"), FIRST, 1, ("第二个 YAML 文档", "单独的文件"), ("second YAML document", "own file"))),
    ("duplicate-key", Case("yaml.duplicate-key", appended("fiscal_year: 2024\n"), FIRST, 1, ("“fiscal_year”", "第 2 行", "删除或合并"), ("'fiscal_year'", "line 2", "Remove or merge"))),
    ("python-tag", Case("yaml.tag", appended("glossary: !!python/object:os.system {}\n"), FIRST, 11, ("!!python/object:os.system", "不允许"), ("!!python/object:os.system", "not allowed"))),
    ("alias", Case("yaml.alias", appended("glossary:\n  - &g {term: 名词, definition: 解释}\n  - *g\n"), 16, 5, ("别名", "直接写出来"), ("aliases", "Write the content out"))),
    ("deep", Case("yaml.too-deep", appended("glossary: " + "[" * 60 + "]" * 60 + "\n"), FIRST, 11 + MAX_DEPTH, (str(MAX_DEPTH), "缩进"), (str(MAX_DEPTH), "indentation"))),
    # -- schema ------------------------------------------------------------ #
    ("text-for-list", Case("schema.type", appended("glossary: 名词\n"), FIRST, 11, ("“glossary”", "应为列表", "文字“名词”"), ("'glossary'", "should be a list", "text '名词'"))),
    ("dash-for-number", Case("schema.type", appended(PROJECT + "    amount: '-'\n"), 18, 13, ("应为数字", "“-”", "null", "0"), ("should be a number", "'-'", "null", "printed zero"))),
    ("null-required", Case("schema.type", replaced("  name: 测试部门\n", "  name: null\n"), 9, 9, ("“name”", "不能为空"), ("'name'", "cannot be null"))),
    ("typo-key", Case("schema.unknown-key", appended(PROJECT + "    amout: 5\n"), 18, 5, ("“amout”", "是不是“amount”", "允许的键", "fiscal_amount"), ("'amout'", "Did you mean 'amount'", "Allowed keys", "fiscal_amount"))),
    ("chinese-key", Case("schema.unknown-key", appended(PROJECT + "    预算数: 5\n"), 18, 5, ("“预算数”", "是不是“amount”（预算数）"), ("'预算数'", "Did you mean 'amount' (预算数)"))),
    ("chinese-key-bracketed-label", Case("schema.unknown-key", appended(PROJECT + "    indicators:\n      - level3: 指标\n        指标值: ≥90%\n"), 20, 9, ("“指标值”", "是不是“value_raw”"), ("Did you mean 'value_raw'",))),
    ("spelling-key", Case("schema.unknown-key", appended(PROJECT + "    Fiscal-Amount: 5\n"), 18, 5, ("是不是“fiscal_amount”",), ("Did you mean 'fiscal_amount'",))),
    ("missing-key", Case("schema.missing-key", appended("glossary:\n  - term: 名词\n"), 16, 5, ("缺少", "“definition”", "（解释）"), ("missing required key 'definition'", "Add it"))),
    ("enum-typo", Case("schema.enum", replaced("stage: budget", "stage: budgte"), 3, 8, ("“budgte”", "是不是“budget”", "允许的值：budget, final_accounts"), ("'budgte'", "Did you mean 'budget'", "Allowed values: budget, final_accounts"))),
    ("enum-chinese", Case("schema.enum", appended("three_public:\n  rows:\n    - item: 合计\n"), 17, 13, ("“合计”", "是不是“total”", "subtotal, abroad"), ("'合计'", "Did you mean 'total'", "Allowed values: total"))),
    ("enum-printed-row-name", Case("schema.enum", appended("three_public:\n  rows:\n    - item: 三、公务接待费\n"), 17, 13, ("是不是“reception”",), ("Did you mean 'reception'",))),
    ("enum-empty-table", Case("schema.enum", appended("procurement:\n  status: 空表列示\n"), 16, 11, ("是不是“disclosed_empty”", "disclosed, disclosed_empty"), ("Did you mean 'disclosed_empty'",))),
    ("thousands", Case("schema.number-as-text", appended(PROJECT + "    amount: '1,234.50'\n"), 18, 13, ("文字“1,234.50”", "请写成 1234.50", "千分位逗号"), ("the text '1,234.50'", "Write 1234.50", "thousands separators"))),
    ("unit-suffix", Case("schema.number-as-text", appended(PROJECT + "    amount: 12万\n"), 18, 13, ("请写成 12", "“万”", "×10,000", "amount_unit"), ("Write 12", "'万'", "amount_unit"))),
    ("full-width", Case("schema.number-as-text", appended(PROJECT + "    amount: １２３\n"), 18, 13, ("请写成 123", "半角数字"), ("Write 123", "ASCII digits"))),
    ("percent", Case("schema.number-as-text", appended(PROJECT + "    spending_plan:\n      - {month: 3, percent: 25%}\n"), 19, 29, ("请写成 25",), ("Write 25",))),
    ("nan", Case("schema.not-finite", appended(PROJECT + "    amount: .nan\n"), 18, 13, ("“.nan”", "不是有限的数字", "null"), ("'.nan'", "not a finite number", "null"))),
    ("negative", Case("schema.negative", appended(PROJECT + "    amount: -3\n"), 18, 13, ("不能为负数", "-3", "change_"), ("cannot be negative", "-3", "change_"))),
    ("admin-code", Case("schema.pattern", replaced('admin_code: "130532"', 'admin_code: "13053"'), 13, 17, ("“13053”", "6 位数字", '"130532"'), ("'13053'", "6-digit", '"130532"'))),
    ("func-code", Case("schema.pattern", appended("expenditure_by_function:\n  fund_scope: all\n  lines:\n    - code: '2013'\n      name: 组织事务\n"), 18, 13, ("“2013”", "3、5 或 7 位", '"2013201"'), ("'2013'", "3, 5 or 7 digits", '"2013201"'))),
    ("econ-code", Case("schema.pattern", appended("gpb_basic_by_economic:\n  fund_scope: general_public_budget\n  lines:\n    - {code: '201', name: 工资}\n"), 18, 14, ("以 3 开头", '"30101"'), ("starting with 3",))),
    ("date", Case("schema.date", appended("state_assets:\n  as_of: 2022/12/31\n"), 16, 10, ("“as_of”", "YYYY-MM-DD", "2022/12/31"), ("'as_of'", "YYYY-MM-DD", "'2022/12/31'"))),
    ("url", Case("schema.url", replaced("  original_format: pdf\n", "  original_format: pdf\n  url: www.gov.cn\n"), 8, 8, ("https://", "www.gov.cn"), ("https://", "'www.gov.cn'"))),
    ("control-escape", Case("schema.control-character", replaced("  name: 测试部门\n", '  name: "测试\\e[31m部门"\n'), 9, 9, ("控制字符 U+001B (ESC)", "删除", "转义"), ("control character U+001B (ESC)", "Remove", "escape"))),
    ("control-raw", Case("schema.control-character", replaced("  name: 测试部门\n", "  name: 测试\x07部门\n"), 9, 11, ("控制字符 U+0007",), ("control character U+0007",))),
    ("empty-text", Case("schema.empty-text", appended('glossary:\n  - term: ""\n    definition: 解释\n'), 16, 11, ("“term”", "空字符串", "null"), ("'term'", "empty string", "null"))),
    # -- record level ------------------------------------------------------ #
    ("file-name", Case("record.file-name", appended("", name="130532-102-2023-budget.yaml"), 1, 1, ("130532-101-2023-budget.yaml", "130532-102-2023-budget.yaml", "重命名"), ("'130532-101-2023-budget.yaml'", "Rename"))),
    ("duplicate-id", Case("record.duplicate-id", duplicate, 1, 1, ("130532-101-2023-budget", f"a/{NAME}", "只能有一个文件"), (f"a/{NAME}", "has one file"))),
    ("seq", Case("record.seq", appended("projects:\n  - seq: 1\n    name: 甲\n  - seq: 3\n    name: 乙\n"), 18, 10, ("第 2 个项目", "应为 2", "写的是 3"), ("project 2", "seq 2", "found 3"))),
    ("year", Case("record.year", replaced("fiscal_year: 2023", "fiscal_year: 1900", name="130532-101-1900-budget.yaml"), 2, 14, ("1900", "1949–2100"), ("1900", "1949–2100"))),
    ("empty-section", Case("record.empty-section", appended("government_fund_expenditure:\n  status: disclosed_empty\n  fund_scope: government_fund\n  lines:\n    - {code: '201', name: 一般公共服务支出, total: 1}\n"), 16, 11, ("disclosed_empty", "1 行", "status 改为 disclosed"), ("disclosed_empty", "1 rows", "status: disclosed"))),
    ("frictionless", Case("frictionless", frictionless("expenditure_by_function:\n  fund_scope: all\n  lines:\n    - {code: '2999999', name: 不存在的科目, total: 1}\n"), 18, 7, ("Frictionless", "foreign-key", "2999999", "代码表"), ("Frictionless", "foreign-key", "2999999"))),
]


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[f"{c.code}:{name}" for name, c in CASES])
def test_problem_is_located_and_explained(case: Case, tmp_path: Path, minimal_text: str) -> None:
    problems = case.make(tmp_path, minimal_text)
    assert problems, "no problem reported"
    problem = problems[0]
    assert [p.code for p in problems][:1] == [case.code], [p.format() for p in problems]
    assert (problem.location.line, problem.location.column) == (case.line, case.column), problem.format()
    zh, en = problem.message("zh"), problem.message("en")
    for part in case.zh:
        assert part in zh, f"{part!r} not in {zh!r}"
    for part in case.en:
        assert part in en, f"{part!r} not in {en!r}"


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[f"{c.code}:{name}" for name, c in CASES])
def test_message_is_complete_in_both_languages(case: Case, tmp_path: Path, minimal_text: str) -> None:
    """No unfilled field, no empty quotes, and the line a compiler would print."""
    problem = case.make(tmp_path, minimal_text)[0]
    for lang in ("zh", "en"):
        text = problem.message(lang)  # type: ignore[arg-type]
        assert not re.search(r"\{[a-z_]+\}", text), text
        assert "“”" not in text and "''" not in text and "（）" not in text, text
        assert problem.format(lang).startswith(f"{problem.location}: "), problem.format(lang)  # type: ignore[arg-type]
    assert problem.format("zh").split(": ", 1)[1].startswith(f"错误[{case.code}]")
    assert problem.format("en").split(": ", 1)[1].startswith(f"error[{case.code}]")


def test_every_message_code_has_a_case() -> None:
    covered = {case.code for _, case in CASES}
    assert covered == set(MESSAGES), f"codes without a case: {sorted(set(MESSAGES) - covered)}"


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_template_has_both_languages(code: str) -> None:
    zh, en = MESSAGES[code]
    assert zh.strip() and en.strip()
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh), "the Chinese template has no Chinese"
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en), "the English template has Chinese in it"


def test_messages_are_chinese_by_default(tmp_path: Path, minimal_text: str) -> None:
    problem = appended(PROJECT + "    amout: 5\n")(tmp_path, minimal_text)[0]
    assert problem.message() == problem.message("zh")
    assert "未知的键" in problem.format()
