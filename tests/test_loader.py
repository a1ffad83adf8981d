"""The loader: typed binding, exact decimals, and hostile or broken input.

Every case asserts the problem code and its location, and that the loader
returns (never raises) for the user's mistake.
"""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest
from gongkai.loader import add_duplicate_problems, load_bytes, load_file
from gongkai.model import Budget


def codes(record) -> list[tuple[str, int | None]]:
    return [(p.code, p.location.line) for p in record.problems]


def test_minimal_record_binds_to_typed_model(write_record, minimal_text):
    record = load_file(write_record(minimal_text))
    assert record.ok, [p.format() for p in record.problems]
    assert isinstance(record.budget, Budget)
    assert record.budget.budget_id == "130532-101-2023-budget"
    assert record.locations["department.name"].line == 9


def test_amounts_are_exact_decimals_never_floats(write_record, minimal_text):
    text = minimal_text + "projects:\n  - {seq: 1, name: 项目, amount: 0.1, fiscal_amount: 2184.44, other_amount: 233.00}\n"
    budget = load_file(write_record(text)).budget
    project = budget.projects[0]
    assert project.amount == Decimal("0.1") and isinstance(project.amount, Decimal)
    assert str(project.other_amount) == "233.00"  # printed decimals kept
    assert project.fiscal_amount * 10000 == Decimal("21844400.00")


def test_unquoted_codes_keep_their_digits(write_record, minimal_text):
    text = minimal_text.replace('code: "101"', "code: 0101").replace("130532-101", "x")
    record = load_bytes(text.encode(), Path("130532-0101-2023-budget.yaml"), "f.yaml")
    assert record.budget.department.code == "0101"


@pytest.mark.parametrize(
    "snippet, code, line",
    [
        ("projects:\n  - {seq: 1, name: x, amount: '1,234.00'}\n", "schema.number-as-text", 16),
        ("projects:\n  - {seq: 1, name: x, amount: 12万}\n", "schema.number-as-text", 16),
        ("projects:\n  - {seq: 1, name: x, amount: １２３}\n", "schema.number-as-text", 16),
        ("projects:\n  - {seq: 1, name: x, amount: .nan}\n", "schema.not-finite", 16),
        ("projects:\n  - {seq: 1, name: x, amount: .inf}\n", "schema.not-finite", 16),
        ("projects:\n  - {seq: 1, name: x, amount: -5}\n", "schema.negative", 16),
        ("projects:\n  - {seq: 1, name: x, amonut: 5}\n", "schema.unknown-key", 16),
        ("projects:\n  - {seq: 1}\n", "schema.missing-key", 16),
        ("projects:\n  - {seq: one, name: x}\n", "schema.type", 16),
        ("expenditure_by_function:\n  fund_scope: al\n", "schema.enum", 16),
        ("expenditure_by_function:\n  fund_scope: all\n  lines:\n    - {code: '20A', name: x}\n", "schema.pattern", 18),
        ("expenditure_by_function:\n  fund_scope: all\n  lines:\n    - {code: '2013', name: x}\n", "schema.pattern", 18),
        ("state_assets:\n  as_of: 2022-13-45\n", "schema.date", 16),
    ],
)
def test_structural_problems_are_located(write_record, minimal_text, snippet, code, line):
    record = load_file(write_record(minimal_text + snippet))
    assert record.budget is None
    assert (code, line) in codes(record), [p.format() for p in record.problems]


def test_all_problems_are_reported_not_just_the_first(write_record, minimal_text):
    text = minimal_text + "projects:\n  - {seq: 1, name: x, amount: -1, fiscal_amount: '3'}\n  - {seq: 2}\n"
    found = {c for c, _ in codes(load_file(write_record(text)))}
    assert {"schema.negative", "schema.number-as-text", "schema.missing-key"} <= found


def test_duplicate_keys_are_refused(write_record, minimal_text):
    record = load_file(write_record(minimal_text + "fiscal_year: 2024\n"))
    assert ("yaml.duplicate-key", 15) in codes(record)
    assert record.problems[0].params["first_line"] == 2


def test_file_name_must_match_record_id(write_record, minimal_text):
    record = load_file(write_record(minimal_text, name="wrong-name.yaml"))
    assert [p.code for p in record.problems] == ["record.file-name"]
    assert "130532-101-2023-budget.yaml" in record.problems[0].message()


def test_two_files_claiming_the_same_department_year(tmp_path, minimal_text):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    paths = []
    for folder in ("a", "b"):
        path = tmp_path / folder / "130532-101-2023-budget.yaml"
        path.write_text(minimal_text, encoding="utf-8")
        paths.append(path)
    records = [load_file(p) for p in paths]
    add_duplicate_problems(records)
    assert records[0].ok
    assert [p.code for p in records[1].problems] == ["record.duplicate-id"]


def test_project_seq_must_run_from_one(write_record, minimal_text):
    text = minimal_text + "projects:\n  - {seq: 1, name: a}\n  - {seq: 3, name: b}\n"
    record = load_file(write_record(text))
    assert ("record.seq", 17) in codes(record)


def test_disclosed_empty_section_cannot_have_rows(write_record, minimal_text):
    text = minimal_text + (
        "government_fund_expenditure:\n  status: disclosed_empty\n  fund_scope: government_fund\n"
        "  lines:\n    - {code: '201', name: x, total: 1}\n"
    )
    assert ("record.empty-section", 16) in codes(load_file(write_record(text)))


# -- hostile and broken files ------------------------------------------------- #


@pytest.mark.parametrize(
    "data, code",
    [
        (b"", "file.empty"),
        (b"# only a comment\n", "file.empty"),
        (b"\x00\x01binary", "file.binary"),
        ("名称: 测试".encode("gbk"), "file.not-utf8"),
        (b"a: 'unclosed\n", "yaml.syntax"),
        (b"a:\n\t- b\n", "yaml.tab"),
        (b"a: 1\n---\nb: 2\n", "yaml.multiple-documents"),
        (b"a: !!python/object:os.system {}\n", "yaml.tag"),
        (b"a: !custom 1\n", "yaml.tag"),
        (b"a: &x [1]\nb: *x\n", "yaml.alias"),
    ],
)
def test_broken_and_hostile_files(data, code):
    record = load_bytes(data, Path("x.yaml"), "x.yaml")
    assert record.budget is None
    assert [p.code for p in record.problems][:1] == [code]
    assert record.problems[0].location.file == "x.yaml"


def test_billion_laughs_is_refused_quickly():
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    start = time.perf_counter()
    record = load_bytes("\n".join(lines).encode(), Path("x.yaml"), "x.yaml")
    assert time.perf_counter() - start < 1.0
    assert [p.code for p in record.problems] == ["yaml.alias"]


def test_deep_nesting_is_refused_before_parsing():
    record = load_bytes(b"a: " + b"[" * 100_000 + b"]" * 100_000, Path("x.yaml"), "x.yaml")
    assert [p.code for p in record.problems] == ["yaml.too-deep"]


def test_oversized_file_is_refused_without_parsing():
    data = b"a: " + b"x" * (6 * 1024 * 1024)
    record = load_bytes(data, Path("x.yaml"), "x.yaml")
    assert [p.code for p in record.problems] == ["file.too-large"]


def test_missing_file_is_a_problem_not_a_traceback(tmp_path):
    record = load_file(tmp_path / "nope.yaml")
    assert [p.code for p in record.problems] == ["file.not-found"]


def test_oversized_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    """load_file looks at the size first: a stray huge file costs no memory."""
    from gongkai.yamlio import MAX_BYTES

    path = tmp_path / "130532-101-2023-budget.yaml"
    with path.open("wb") as handle:
        handle.truncate(MAX_BYTES + 1)  # sparse: nothing written
    opened: list[Path] = []
    real_open = Path.open
    monkeypatch.setattr(Path, "open", lambda self, *a, **k: opened.append(self) or real_open(self, *a, **k))
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail("read_bytes called"))
    record = load_file(path, "big.yaml")
    assert opened == []
    assert [(p.code, str(p.location)) for p in record.problems] == [("file.too-large", "big.yaml")]
    assert record.problems[0].params == {"found": MAX_BYTES + 1, "expected": MAX_BYTES}


def test_a_file_at_the_size_limit_is_read(tmp_path, minimal_text):
    from gongkai.yamlio import MAX_BYTES

    path = tmp_path / "130532-101-2023-budget.yaml"
    padding = MAX_BYTES - len(minimal_text.encode())
    path.write_text(minimal_text + "#" * (padding - 1) + "\n", encoding="utf-8")
    assert path.stat().st_size == MAX_BYTES
    assert load_file(path).ok


# -- locations count newlines only --------------------------------------------- #

SEPARATORS = ["\u2028", "\u2029", "\u0085"]


@pytest.mark.parametrize("separator", SEPARATORS)
def test_locations_after_a_unicode_line_separator_are_an_editors(minimal_text, separator):
    """libyaml counts U+2028, U+2029 and U+0085 as line breaks; editors and GitHub do not."""
    text = minimal_text.replace("name: 测试部门", f'name: "测试{separator}部门"') + (
        "projects:\n  - {seq: 1, name: a}\n  - {seq: 3, name: b}\n"
    )
    record = load_bytes(text.encode(), Path("130532-101-2023-budget.yaml"), "x.yaml")  # the fast path
    assert record.budget is not None  # (a quoted NEL is folded into a space, as YAML 1.1 says)
    assert str(record.locations["department.region.admin_code"]) == "x.yaml:13:17"
    assert [str(p.location) for p in record.problems] == ["x.yaml:17:11"]  # record.seq
    broken = text.replace("{seq: 1, name: a}", "{seq: 1, name: a, amount: 12万}")
    column = "  - {seq: 1, name: a, amount: 12万}".index("12万") + 1
    record = load_bytes(broken.encode(), Path("130532-101-2023-budget.yaml"), "x.yaml")  # the full path
    assert [(p.code, str(p.location)) for p in record.problems] == [("schema.number-as-text", f"x.yaml:16:{column}")]
    assert str(record.locations["department.region.admin_code"]) == "x.yaml:13:17"


def test_locations_with_crlf_line_ends_are_unchanged(minimal_text):
    text = (minimal_text + "projects:\n  - {seq: 2, name: a}\n").replace("\n", "\r\n")
    record = load_bytes(text.encode(), Path("130532-101-2023-budget.yaml"), "x.yaml")
    assert str(record.locations["department.region.admin_code"]) == "x.yaml:13:17"
    assert [str(p.location) for p in record.problems] == ["x.yaml:16:11"]


def test_a_duplicate_key_after_a_line_separator_names_the_right_line(minimal_text):
    text = minimal_text.replace("  title: 测试部门", '  title: "测试\u2028部门') + "department: x\n"
    text = text.replace("年部门预算\n", '年部门预算"\n', 1)
    record = load_bytes(text.encode(), Path("130532-101-2023-budget.yaml"), "x.yaml")
    assert [(p.code, str(p.location), p.params.get("first_line")) for p in record.problems] == [
        ("yaml.duplicate-key", "x.yaml:15:1", 8)
    ]


# -- compact nesting: refused before any libyaml parse -------------------------- #


@pytest.mark.parametrize("indicator", ["- ", "? ", "-\t", "- ? "])
def test_compact_nesting_is_refused_on_both_paths(minimal_text, indicator):
    from gongkai.loader import _bind_plain
    from gongkai.yamlio import MAX_DEPTH, compose, plain_yaml

    text = minimal_text + "glossary:\n  " + indicator * (MAX_DEPTH + 1) + "x\n"
    assert not plain_yaml(text)
    assert _bind_plain(text, "x.yaml") is None
    assert [p.code for p in compose(text, "x.yaml").problems] == ["yaml.too-deep"]
    record = load_bytes(text.encode(), Path("130532-101-2023-budget.yaml"), "x.yaml")
    width = len(indicator) // len(indicator.split())
    assert [(p.code, str(p.location)) for p in record.problems] == [
        ("yaml.too-deep", f"x.yaml:16:{2 + MAX_DEPTH * width + 1}")
    ]


def test_the_depth_check_runs_before_any_libyaml_parse(minimal_text, monkeypatch):
    """Neither the fast path (events) nor the full path (compose) lets libyaml see the text."""
    import gongkai.loader
    import gongkai.yamlio

    def refuse(*args, **kwargs):
        raise AssertionError("libyaml was given a text that is too deep")

    monkeypatch.setattr(gongkai.yamlio, "_BaseLoader", refuse)
    monkeypatch.setattr(gongkai.yamlio, "_Loader", refuse)
    monkeypatch.setattr(gongkai.loader, "PlainEvents", refuse)
    for text in (
        minimal_text + "glossary:\n  " + "- " * 1000 + "x\n",
        minimal_text + "glossary: " + "[" * 1000 + "]" * 1000 + "\n",
        minimal_text + "glossary:\n" + "".join(" " * i + "- x:\n" for i in range(0, 400, 2)),
    ):
        record = load_bytes(text.encode(), Path("130532-101-2023-budget.yaml"), "x.yaml")
        assert [p.code for p in record.problems] == ["yaml.too-deep"]


def test_compact_indicators_up_to_the_limit_are_read(minimal_text):
    from gongkai.yamlio import MAX_DEPTH

    text = minimal_text + "glossary:\n  " + "- " * MAX_DEPTH + "x\n"
    record = load_bytes(text.encode(), Path("130532-101-2023-budget.yaml"), "x.yaml")
    assert [(p.code, str(p.location)) for p in record.problems] == [("schema.type", "x.yaml:16:5")]


# -- control characters ---------------------------------------------------------- #


@pytest.mark.parametrize(
    "escape, found",
    [("\\0", "U+0000 (NUL)"), ("\\e", "U+001B (ESC)"), ("\\x1b", "U+001B (ESC)"), ("\\u001B", "U+001B (ESC)"),
     ("\\a", "U+0007 (BEL)"), ("\\r", "U+000D (CR)"), ("\\x7f", "U+007F (DEL)"), ("\\x9b", "U+009B (CSI)"),
     ("\\N", "U+0085 (NEL)"), ("\\U0000001f", "U+001F")],
)  # fmt: skip
def test_control_characters_written_as_escapes_are_refused(minimal_text, escape, found):
    text = minimal_text.replace("name: 测试部门", f'name: "测试{escape}部门"')
    record = load_bytes(text.encode(), Path("130532-101-2023-budget.yaml"), "x.yaml")
    assert record.budget is None
    assert [(p.code, str(p.location), p.path) for p in record.problems] == [
        ("schema.control-character", "x.yaml:9:9", "department.name")
    ]
    assert record.problems[0].params == {"found": found}


@pytest.mark.parametrize("escape", ["\\t", "\\n", "\\\\e", "\\u4e2d", "\\x41", "\\L", "\\_"])
def test_tab_newline_and_printable_escapes_are_accepted(minimal_text, escape):
    text = minimal_text.replace("name: 测试部门", f'name: "测试{escape}部门"')
    record = load_bytes(text.encode(), Path("130532-101-2023-budget.yaml"), "x.yaml")
    assert record.ok, [p.format() for p in record.problems]


def test_control_characters_in_keys_and_numbers_are_refused_and_never_echoed(minimal_text):
    text = minimal_text + 'projects:\n  - seq: 1\n    name: x\n    "amo\\eunt": 1\n    fiscal_amount: "1\\e[2J"\n'
    record = load_bytes(text.encode(), Path("130532-101-2023-budget.yaml"), "x.yaml")
    assert [(p.code, str(p.location), p.path) for p in record.problems] == [
        ("schema.control-character", "x.yaml:18:5", "projects[0].amo\\x1bunt"),
        ("schema.control-character", "x.yaml:19:20", "projects[0].fiscal_amount"),
    ]
    for problem in record.problems:
        assert "\x1b" not in problem.format("zh") + problem.format("en")


def test_a_raw_control_character_is_located(minimal_text):
    text = minimal_text.replace("name: 测试部门", "name: 测试\x1b部门")
    for name in ("x.yaml",):
        record = load_bytes(text.encode(), Path(name), name)
        assert [(p.code, str(p.location)) for p in record.problems] == [("schema.control-character", "x.yaml:9:11")]
        assert record.problems[0].params == {"found": "U+001B (ESC)"}


# -- a misnamed copy does not take the id from the original --------------------- #


def test_the_correctly_named_file_claims_its_id_before_a_misnamed_copy(tmp_path, minimal_text):
    original = tmp_path / "130532-101-2023-budget.yaml"
    copy = tmp_path / "130532-101-2023-budget copy.yaml"
    for path in (copy, original):
        path.write_text(minimal_text, encoding="utf-8")
    records = [load_file(copy), load_file(original)]  # file order: the copy sorts first
    add_duplicate_problems(records)
    assert records[1].ok
    assert [p.code for p in records[0].problems] == ["record.file-name", "record.duplicate-id"]
    assert records[0].problems[1].params == {"found": "130532-101-2023-budget", "first": str(original)}


def test_two_misnamed_copies_keep_the_first_as_claimant(tmp_path, minimal_text):
    paths = [tmp_path / "a.yaml", tmp_path / "b.yaml"]
    for path in paths:
        path.write_text(minimal_text, encoding="utf-8")
    records = [load_file(path) for path in paths]
    add_duplicate_problems(records)
    assert [p.code for p in records[0].problems] == ["record.file-name"]
    assert [p.code for p in records[1].problems] == ["record.file-name", "record.duplicate-id"]


@pytest.mark.parametrize("chunk", [1, 2, 8])
def test_streaming_validation_lets_the_correctly_named_file_claim_its_id(tmp_path, minimal_text, monkeypatch, chunk):
    """validate_files decides as add_duplicate_problems does, whatever the chunks and workers."""
    from gongkai import validate
    from gongkai.loader import discover
    from gongkai.validate import slim, validate_files, validate_records

    monkeypatch.setitem(validate.CHUNK_SIZE, "native", chunk)
    other = minimal_text.replace('code: "101"', 'code: "102"')
    files = {
        "a/130532-101-2023-budget copy.yaml": minimal_text,  # misnamed, sorts first
        "a/130532-101-2023-budget.yaml": minimal_text,  # the original
        "a/130532-102-2023-budget (2).yaml": other,  # misnamed, and no original anywhere
        "a/130532-102-2023-budget (3).yaml": other,
        "b/130532-101-2023-budget.yaml": minimal_text,  # a second correctly named file
        "c/x.yaml": minimal_text,
        "z/130532-101-2023-budget.yaml": minimal_text.replace("fiscal_year: 2023", "fiscal_year: 2024"),
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    paths, _ = discover([tmp_path])
    records = [load_file(p) for p in paths]
    loaded = [list(r.problems) for r in records]
    add_duplicate_problems(records)
    expected = [slim(r, p) for r, p in zip(validate_records(records), loaded, strict=True)]
    for jobs in (1, 2):
        assert list(validate_files(paths, jobs=jobs)) == expected
    by_name = {Path(r.display).relative_to(tmp_path).as_posix(): r for r in expected}
    assert by_name["a/130532-101-2023-budget.yaml"].problems == []
    assert [p.code for p in by_name["a/130532-101-2023-budget copy.yaml"].problems] == [
        "record.file-name", "record.duplicate-id"
    ]
    assert by_name["a/130532-101-2023-budget copy.yaml"].problems[1].params["first"] == str(
        tmp_path / "a/130532-101-2023-budget.yaml"
    )
    assert [p.code for p in by_name["a/130532-102-2023-budget (2).yaml"].problems] == ["record.file-name"]
    assert [p.code for p in by_name["a/130532-102-2023-budget (3).yaml"].problems] == [
        "record.file-name", "record.duplicate-id"
    ]
    assert [p.code for p in by_name["b/130532-101-2023-budget.yaml"].problems] == ["record.duplicate-id"]
    assert [p.code for p in by_name["c/x.yaml"].problems] == ["record.file-name", "record.duplicate-id"]
