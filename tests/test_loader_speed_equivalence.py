"""The loader's fast paths give exactly what libyaml and the full path give.

:func:`gongkai.yamlio.scan_plain` reads the everyday subset of YAML without
libyaml. For every text it accepts, its entries must be the ones
:meth:`gongkai.yamlio.PlainEvents.entries` derives from libyaml's events
(keys, values, plain or quoted, and each node's ``start_mark.index``); what it
cannot read it must refuse, so that libyaml reads it. A record bound from
either must equal, location for location, the one the full path (compose and
:class:`gongkai.binder.Binder`) binds, and a record with a problem must get
the same problems whichever path first saw it.
"""

from __future__ import annotations

import random
from pathlib import Path

import gongkai.loader
import pytest
import yaml
from conftest import CONTENT, MINIMAL_RECORD
from gongkai.loader import LoadedRecord, load_bytes
from gongkai.synth import generate
from gongkai.yamlio import Entry, Irregular, PlainEvents, plain_yaml, scan_plain

NAME = "130532-101-2023-budget.yaml"


def events_entries(text: str) -> list[Entry] | str:
    """What libyaml's events say about ``text``, as entries (or the exception's name)."""
    try:
        with PlainEvents(text) as events:
            return list(events.entries())
    except (Irregular, yaml.YAMLError) as exc:
        return type(exc).__name__


def assert_scans_like_libyaml(text: str) -> bool:
    """Whether ``text`` was scanned; when it was, its entries are libyaml's."""
    scanned = scan_plain(text)
    if scanned is not None:
        assert scanned == events_entries(text), repr(text)
    return scanned is not None


# -- the scanner against libyaml ------------------------------------------------- #

SCANNED = [
    "a: 𠀀b\nc: 😀\n",
    'a: "😀x"\nb: 1\n',
    "a: ---\nb: ...\nc: --\nd: -x\ne: -1.5\n",
    "a: |\n  x\n\n  y\n\n\nb: 1\n",
    "a: |-\n  x\n  \n   y\nb: 2",
    "a: |\n  x",
    "a: |-\n  # not a comment\nb: 1\n",
    "a:\n  - |-\n    x\n  - y\n",
    'a: {b: 1, c: "x", d: \'y\'}\n',
    "a: {b: 1,c: 2}\n",
    "a: {b:  1 , c: 2 }  # x\n",
    "a:\n  - {month: 3, percent: 25}\n  - {month: 6, percent: 50.5}\n",
    "- a\n- b\n",
    "a: x # c\n  # d\nb: y\n",
    "a:    # c\n  b: 1\n",
    "a: b c  \n",
    "a: 'x' \n",
    "  a: 1\n  b: 2\n",
    "a:\n    - x\n    - y\nb: 1\n",
    "a:\n - x: 1\n   y: 2\n - z: 3\n",
    "a: x\u3000\nb: \xa0x\n",
    "a: x#y\nb: x:y\nc: a, b [c] {d}\n",
    "a:\n  -   b: 1\n      c: 2\n",
    "a: null\nb: ~\nc: yes\nd: 2020-01-01\ne: 0x1f\n",
]

REFUSED = [
    "a: b\r\nc: d\r\n",  # CRLF: libyaml's line breaks
    "a: b\tc\n",
    "a: \ufeffx\n",
    "a:\n- x\n",  # an indentless sequence
    "a: x\n  y\n",  # a continued plain scalar
    "a:\nb: 1\n",  # an empty value
    "a: [x, y]\n",
    "a: {}\n",
    "a: {b: 1,}\n",
    'a: "x\\ty"\n',
    "a: 'it''s'\n",
    "a: >\n  x\n",
    "a: |+\n  x\n",
    "a: |2\n   x\n",
    "a: |\n\n  x\n",  # a blank line before the first
    "a: |\nb: 1\n",  # an empty block scalar
    "a: *x\n",
    "a: b: c\n",
    "a: b:\n",
    "---\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "? a\n: b\n",
    '"a": 1\n',
    "a: - x\n",
    "- \n",
    "-\n",
    "a: 'x' y\n",
    'a: "x"#c\n',
    "a:\n  b: 1\n c: 2\n",
    "a: 1\n  b: 2\n",
    "a: x\x85y\n",
]


@pytest.mark.parametrize("text", SCANNED)
def test_everyday_yaml_is_scanned_as_libyaml_reads_it(text: str) -> None:
    assert assert_scans_like_libyaml(text)


@pytest.mark.parametrize("text", REFUSED)
def test_other_yaml_is_left_to_libyaml(text: str) -> None:
    assert scan_plain(text) is None


CHARS = list("abcxyz0123456789.-_ ") + list("中文≥%（）：，\u3000\xa0#:,[]{}'\"?!&*|>@`\\/~=")
KEYS = ["a", "b", "name", "k_1", "x", "seq", "_y", "Ab", "null"]


def _text(rng: random.Random, longest: int = 6) -> str:
    return "".join(
        rng.choice(CHARS) if rng.random() < 0.3 else rng.choice("abc中文12 ")
        for _ in range(rng.randrange(1, longest))
    )


def _scalar(rng: random.Random, indent: int) -> list[str]:
    """A value's text after ``key: `` or ``- ``, and the lines of a literal block."""
    kind = rng.random()
    if kind < 0.55:
        plain = rng.choice([_text(rng), "1", "-5", "null", "~", "true", "x:y", "x #y", "a#b", "-x"])
        return [plain + rng.choice(["", "", " ", "  # c"])]
    if kind < 0.7:
        return ['"' + _text(rng) + '"' + rng.choice(["", " # c", " "])]
    if kind < 0.8:
        return ["'" + _text(rng) + "'" + rng.choice(["", " # c"])]
    width = indent + rng.choice([1, 2, 2, 4])
    lines = [rng.choice(["|", "|-", "|-  # c", "| "])]
    for _ in range(rng.randrange(1, 4)):
        roll = rng.random()
        if roll < 0.15:
            lines.append("")
        elif roll < 0.2:
            lines.append(" " * rng.randrange(0, width + 2))
        else:
            lines.append(" " * (width + rng.choice([0, 0, 0, 1, 2])) + _text(rng, 10) + rng.choice(["", " "]))
    return lines


def _flow(rng: random.Random) -> str:
    pairs = [
        f"{rng.choice(KEYS)}:{rng.choice([' ', '  '])}"
        + rng.choice([_text(rng), f'"{_text(rng)}"', f"'{_text(rng)}'", "null", "1.0"])
        for _ in range(rng.randrange(1, 4))
    ]
    return "{" + rng.choice(["", " "]) + rng.choice([", ", ",", " , "]).join(pairs) + rng.choice(["}", " }", "}  # c"])


def _mapping(rng: random.Random, depth: int, indent: int, step: int, out: list[str]) -> None:
    for _ in range(rng.randrange(1, 5)):
        head = " " * indent + rng.choice(KEYS) + ":"
        if rng.random() < 0.07:
            out.append(" " * rng.randrange(0, 8) + rng.choice(["# comment", ""]))
        roll = rng.random()
        if roll < 0.55 or depth > 3:
            lines = _scalar(rng, indent)
            out.append(head + rng.choice([" ", "  "]) + lines[0])
            out.extend(lines[1:])
        elif roll < 0.65:
            out.append(head + " " + _flow(rng))
        elif roll < 0.8:
            out.append(head + rng.choice(["", " # c"]))
            _mapping(rng, depth + 1, indent + step, step, out)
        else:
            out.append(head)
            column = indent + rng.choice([step, step, 0])
            for _ in range(rng.randrange(1, 4)):
                dash = " " * column + "-" + rng.choice([" ", "  "])
                roll = rng.random()
                if roll < 0.4:
                    lines = _scalar(rng, column)
                    out.extend([dash + lines[0], *lines[1:]])
                elif roll < 0.55:
                    out.append(dash + _flow(rng))
                else:
                    inner: list[str] = []
                    _mapping(rng, depth + 1, len(dash), step, inner)
                    out.extend([dash + inner[0].lstrip(" "), *inner[1:]])


def _perturbed(rng: random.Random, text: str) -> str:
    lines = text.split("\n")
    for _ in range(rng.randrange(1, 3)):
        at = rng.randrange(len(lines))
        line = lines[at]
        roll = rng.random()
        if roll < 0.25:
            lines[at] = " " + line
        elif roll < 0.4:
            lines[at] = line[1:]
        elif roll < 0.7:
            cut = rng.randrange(len(line) + 1)
            lines[at] = line[:cut] + rng.choice([*CHARS, ": ", " #", "- ", "\t", "\r"]) + line[cut:]
        else:
            lines.insert(at, rng.choice(["", "  ", "# x", "---", "x", "  - y"]))
    return "\n".join(lines)


def test_random_documents_are_scanned_as_libyaml_reads_them() -> None:
    """Documents in (and just beyond) the scanner's subset: accepted ones match libyaml exactly."""
    rng = random.Random(20240601)
    scanned = 0
    for _ in range(3000):
        out: list[str] = []
        _mapping(rng, 0, rng.choice([0, 0, 1]), rng.choice([1, 2, 2, 3, 4]), out)
        text = "\n".join(out) + rng.choice(["\n", "", "\n\n"])
        if rng.random() < 0.5:
            text = _perturbed(rng, text)
        scanned += assert_scans_like_libyaml(text)
    assert scanned > 600  # the subset is exercised, not only refused


@pytest.mark.parametrize("path", sorted(CONTENT.rglob("*.yaml")), ids=lambda p: p.name)
def test_the_seed_records_are_scanned(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert plain_yaml(text)
    assert assert_scans_like_libyaml(text)


# -- every path binds the same record --------------------------------------------- #


def _snapshot(record: LoadedRecord) -> tuple[object, ...]:
    """Everything a caller sees of a record, Decimal spellings and location order included."""
    return (
        repr(record.budget),
        list(getattr(record.locations, "marks", {}).items()),
        [str(record.locations[path]) for path in record.locations],
        [(p.format("zh"), p.format("en"), p.params) for p in record.problems],
    )


def _on_every_path(data: bytes, name: str, monkeypatch: pytest.MonkeyPatch) -> list[tuple[object, ...]]:
    """The record of ``data`` from the scanner, from libyaml's events, and from the full path."""
    path = Path(name)
    results = [_snapshot(load_bytes(data, path, name))]
    with monkeypatch.context() as patch:
        patch.setattr(gongkai.loader, "scan_plain", lambda text: None)
        results.append(_snapshot(load_bytes(data, path, name)))
    with monkeypatch.context() as patch:
        patch.setattr(gongkai.loader, "_bind_plain", lambda *args: None)
        results.append(_snapshot(load_bytes(data, path, name)))
    return results


def _variants(text: str) -> list[str]:
    """The same record written other ways (some beyond the scanner, some within it)."""
    lines = text.split("\n")
    quoted = [line.replace("name: ", 'name: "', 1) + '"' if line.strip().startswith("name: ") else line for line in lines]
    literal = [
        line.replace("description: ", "description: |-\n" + " " * (len(line) - len(line.lstrip()) + 2), 1)
        if line.strip().startswith("description: ")
        else line
        for line in lines
    ]
    commented = [line + "   # 注" if line.strip().startswith("amount: ") else line for line in lines]
    return [
        text,
        text.replace("\n", "\r\n"),
        "\n".join(quoted),
        "\n".join(literal),
        "\n".join(commented),
        "---\n" + text,
    ]


@pytest.mark.parametrize("index", range(4))
def test_synthetic_records_bind_the_same_on_every_path(index: int, monkeypatch: pytest.MonkeyPatch) -> None:
    record = list(generate(index + 1, seed=7))[index]
    for text in _variants(record.text):
        scanner, events, full = _on_every_path(text.encode(), f"{record.budget_id}.yaml", monkeypatch)
        assert scanner == events == full


@pytest.mark.parametrize("path", sorted(CONTENT.rglob("*.yaml")), ids=lambda p: p.name)
def test_the_seed_records_bind_the_same_on_every_path(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scanner, events, full = _on_every_path(path.read_bytes(), path.name, monkeypatch)
    assert scanner == events == full


PROBLEMS = [
    # A text quoted first and plain later: the plain "yes" is a boolean.
    "projects:\n  - seq: 1\n    name: 'yes'\n  - seq: 2\n    name: yes\n",
    # A number plain first and quoted later: the quoted one is text.
    "projects:\n  - seq: 1\n    name: a\n    amount: 1.50\n  - seq: 2\n    name: b\n    amount: '1.50'\n",
    # null where a value is required, and where it is optional.
    "projects:\n  - seq: 1\n    name: null\n  - seq: 2\n    name: b\n    goal: null\n",
    "projects:\n  - {seq: 1, name: a, amount: -1}\n  - {seq: 3, name: b}\n",
    "projects:\n  - seq: 1\n    name: a\n    seq: 2\n",
    "projects:\n  - seq: 1\n    nmae: a\n",
    "notes: |-\n  x\n",
    "department: {name: a}\n",
]


@pytest.mark.parametrize("tail", PROBLEMS)
def test_a_record_with_a_problem_gets_the_same_problems_on_every_path(
    tail: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scanner, events, full = _on_every_path((MINIMAL_RECORD + tail).encode(), NAME, monkeypatch)
    assert scanner == events == full
    assert scanner[3]  # there is a problem to report
