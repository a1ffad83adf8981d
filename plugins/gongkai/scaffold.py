"""``gongkai new``: scaffold a commented department-year record.

A contributor with a PDF and no knowledge of the codebase starts here. The
file it writes is valid as written (identity filled in, every section
present as a commented example), carries the JSON Schema line so the editor
completes keys, and lands where the loader expects it, under the name the
record id requires.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

ADMIN_CODE = re.compile(r"[0-9]{6}")  # ASCII digits only, checked with fullmatch
DEPT_CODE = re.compile(r"^[0-9A-Za-z]{1,20}$")


@dataclass
class Identity:
    name: str
    dept_code: str
    admin_code: str
    province: str
    prefecture: str | None
    county: str | None
    admin_level: str
    year: int
    stage: str
    unit: str
    title: str
    source_format: str

    @property
    def record_id(self) -> str:
        return f"{self.admin_code}-{self.dept_code}-{self.year}-{self.stage}"


QUESTIONS: list[tuple[str, str, str | None]] = [
    ("name", "部门名称（原文所印）", None),
    ("dept_code", "部门编码（原文所印，如 203）", None),
    ("admin_code", "行政区划代码（6位，如 130532）", None),
    ("province", "省级名称（如 河北省）", None),
    ("prefecture", "地级名称（可留空）", ""),
    ("county", "县级名称（可留空）", ""),
    ("admin_level", "行政级别 province/prefecture/county/district", "county"),
    ("year", "预算年度（如 2024）", None),
    ("stage", "阶段 budget（预算）/final_accounts（决算）", "budget"),
    ("unit", "原文表格的金额单位 元/万元", "万元"),
    ("title", "原文标题", None),
    ("source_format", "原文格式 docx/doc/pdf/html/xls/xlsx/other", "pdf"),
]

CHOICES = {
    "admin_level": {"province", "prefecture", "county", "district"},
    "stage": {"budget", "final_accounts"},
    "unit": {"元", "万元"},
    "source_format": {"docx", "doc", "pdf", "html", "xls", "xlsx", "other"},
}


def _check(key: str, value: str) -> str | None:
    """An error message for an answer, or None when it is acceptable."""
    if key == "admin_code" and not ADMIN_CODE.fullmatch(value):
        return "行政区划代码应为6位数字，如 130532。"
    if key == "dept_code" and not DEPT_CODE.match(value):
        return "部门编码只能包含数字和字母，如 203 或 203002。"
    if key == "year" and not (value.isdigit() and 1949 <= int(value) <= 2100):
        return "预算年度应为4位年份，如 2024。"
    if key in CHOICES and value not in CHOICES[key]:
        return f"允许的值：{' / '.join(sorted(CHOICES[key]))}。"
    if key in ("name", "province", "title") and not value.strip():
        return "这一项必须填写。"
    return None


def gather(args: argparse.Namespace, interactive: bool) -> tuple[dict[str, str], list[str]]:
    """Answers from flags, asking for the missing ones when interactive."""
    answers: dict[str, str] = {}
    errors: list[str] = []
    for key, question, default in QUESTIONS:
        given = getattr(args, key, None)
        value = str(given) if given is not None else None
        while value is None and interactive:
            prompt = f"{question}{f' [{default}]' if default else ''}: "
            reply = input(prompt).strip()
            candidate = reply or (default or "")
            message = _check(key, candidate) if (candidate or default is None) else None
            if message:
                print(message)
                continue
            value = candidate
        if value is None:
            if default is None:
                errors.append(f"缺少 --{key.replace('_', '-')}（{question}）")
                continue
            value = default
        if value:
            message = _check(key, value)
            if message:
                errors.append(f"--{key.replace('_', '-')} {value}: {message}")
        answers[key] = value
    return answers, errors


def render(identity: Identity, schema_path: str) -> str:
    env = Environment(
        loader=PackageLoader("gongkai", "data"),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    template = env.get_template("new_record.yaml.j2")
    return template.render(i=identity, schema_path=schema_path)


def _yaml_text(value: str) -> str:
    """Quote a value for YAML when it could be read as something else."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def run_new(args: argparse.Namespace) -> int:
    interactive = not args.no_input and sys.stdin.isatty()
    answers, errors = gather(args, interactive)
    if errors:
        for error in errors:
            print(f"gongkai new: {error}", file=sys.stderr)
        return 2
    identity = Identity(
        name=_yaml_text(answers["name"]),
        dept_code=answers["dept_code"],
        admin_code=answers["admin_code"],
        province=_yaml_text(answers["province"]),
        prefecture=_yaml_text(answers["prefecture"]) if answers["prefecture"] else None,
        county=_yaml_text(answers["county"]) if answers["county"] else None,
        admin_level=answers["admin_level"],
        year=int(answers["year"]),
        stage=answers["stage"],
        unit=answers["unit"],
        title=_yaml_text(answers["title"]),
        source_format=answers["source_format"],
    )
    folder = Path(args.content) / identity.admin_code
    target = folder / f"{identity.record_id}.yaml"
    if target.exists() and not args.force:
        print(f"gongkai new: {target} 已存在；如需覆盖请加 --force。", file=sys.stderr)
        return 1
    folder.mkdir(parents=True, exist_ok=True)
    schema = Path(__file__).parent / "data" / "budget.schema.json"
    schema_path = os.path.relpath(schema.resolve(), folder.resolve())
    target.write_text(render(identity, Path(schema_path).as_posix()), encoding="utf-8")
    print(f"已创建 {target}")
    print(f"下一步：对照原文填写各部分，然后运行  gongkai validate {target}")
    return 0
