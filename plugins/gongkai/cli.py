"""The ``gongkai`` command: validate, new, export, schema, reference.

A thin front end over the library. Exit codes: 0 success, 1 invalid input
(the records did not pass), 2 usage error (argparse's own convention). A
user's mistake is reported as a message, never as a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from gongkai import __version__
from gongkai.errors import ConfigError, GongkaiError

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


def _add_validate(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("validate", help="校验预算记录 / validate budget records")
    p.add_argument("paths", nargs="*", default=["content"], help="YAML 文件或目录（默认 content）")
    p.add_argument("--format", choices=["text", "json", "github"], default="text", help="输出格式")
    p.add_argument("--strict", action="store_true", help="未确认的会计错误也使记录不通过")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="消息语言（默认中文）")
    p.add_argument("--quiet", action="store_true", help="只显示结构错误，不列出会计校验结果")
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="并行进程数（默认：CPU 数；文件少时 1）。输出与进程数无关",
    )
    p.add_argument(
        "--engine",
        choices=["native", "frictionless"],
        default="native",
        help="表格校验（Table Schema：类型、约束、主键、外键）的引擎：native 内置实现（默认，快），"
        "frictionless 由 frictionless-py 本身校验（参照实现，慢得多）",
    )
    p.set_defaults(run=_run_validate)


def _add_new(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("new", help="生成一个新的部门年度预算记录 / scaffold a record")
    p.add_argument("--name", help="部门名称（原文所印）")
    p.add_argument("--dept-code", help="部门编码（原文所印）")
    p.add_argument("--admin-code", help="行政区划代码（6位）")
    p.add_argument("--province", help="省级名称")
    p.add_argument("--prefecture", help="地级名称")
    p.add_argument("--county", help="县级名称")
    p.add_argument("--admin-level", choices=["province", "prefecture", "county", "district"])
    p.add_argument("--year", type=int, help="预算年度")
    p.add_argument("--stage", choices=["budget", "final_accounts"], default=None)
    p.add_argument("--unit", choices=["元", "万元"], help="原文表格的金额单位")
    p.add_argument("--title", help="原文标题")
    p.add_argument("--format-of-source", dest="source_format", choices=["docx", "doc", "pdf", "html", "xls", "xlsx", "other"])
    p.add_argument("--content", default="content", help="内容目录（默认 content）")
    p.add_argument("--force", action="store_true", help="覆盖已有文件")
    p.add_argument("--no-input", action="store_true", help="不提问；缺少的参数视为错误")
    p.set_defaults(run=_run_new)


def _add_export(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("export", help="导出规范化数据包 / export the data package")
    p.add_argument("paths", nargs="*", default=["content"], help="YAML 文件或目录（默认 content）")
    p.add_argument("--out", required=True, help="输出目录")
    p.add_argument("--lang", choices=["zh", "en"], default="zh")
    p.add_argument(
        "--formats",
        default="all",
        help="逗号分隔的下载格式：csv,csv-excel,json,xlsx,yaml,sqlite,zip（默认 all）",
    )
    p.add_argument(
        "--per-budget",
        action="store_true",
        help="同时写出每个部门年度的文件夹（与网站 data/ 相同的结构：all/、budgets/、index.json）",
    )
    p.add_argument(
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="并行进程数（默认：CPU 数；文件少时 1）。输出与进程数无关，逐字节相同",
    )
    p.set_defaults(run=_run_export)


def _add_schema(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("schema", help="输出 YAML 格式的 JSON Schema / print the JSON Schema")
    p.add_argument("--out", help="写入文件（默认输出到标准输出）")
    p.set_defaults(run=_run_schema)


def _add_reference(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("reference", help="输出格式参考文档 / print the format reference (Markdown)")
    p.add_argument("--out", help="写入文件（默认输出到标准输出）")
    p.set_defaults(run=_run_reference)


def _add_synth(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("synth", help="生成合成数据站点（测试和性能基准用） / write a synthetic site")
    p.add_argument("--count", type=int, required=True, help="记录（部门年度）数")
    p.add_argument("--out", required=True, help="输出目录（写入 mkdocs.yml、docs/ 和 content/）")
    p.add_argument("--seed", type=int, default=0, help="随机种子；相同参数生成完全相同的文件（默认 0）")
    p.add_argument("--findings-rate", type=float, default=0.03, help="含一处注入错误的记录比例（默认 0.03）")
    p.add_argument("--force", action="store_true", help="覆盖输出目录中已有的 content/")
    p.set_defaults(run=_run_synth)


def _run_synth(args: argparse.Namespace) -> int:
    from gongkai.synth import run_synth

    return run_synth(args)


def _add_diff(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("diff", help="比较预算记录的两个版本 / summarise changes between two versions")
    p.add_argument("paths", nargs="*", help="OLD NEW 两个文件；或与 --git 一起：要比较的文件（默认范围内改动的全部 .yaml）")
    p.add_argument("--git", metavar="REV[..REV]", help="比较两个 git 版本（如 origin/main..HEAD）；只给一个版本时与工作区比较")
    p.add_argument("--format", choices=["markdown", "text"], default="text", help="输出格式（markdown 用于 PR 评论）")
    p.add_argument("--lang", choices=["zh", "en"], default="zh", help="语言（默认中文）")
    p.add_argument("--out", help="写入文件（默认输出到标准输出）")
    p.set_defaults(run=_run_diff)


def _run_diff(args: argparse.Namespace) -> int:
    from gongkai.diff import run_diff

    return run_diff(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gongkai",
        description="公开 Gongkai：部门预算公开数据的校验、导出和网站生成。",
    )
    parser.add_argument("--version", action="version", version=f"gongkai {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in (_add_validate, _add_new, _add_export, _add_schema, _add_reference, _add_synth, _add_diff):
        add(sub)
    return parser


def _run_validate(args: argparse.Namespace) -> int:
    """Stream: load, validate and report a chunk of files at a time (see :func:`gongkai.validate.validate_files`)."""
    from gongkai.loader import discover
    from gongkai.report import ReportWriter
    from gongkai.validate import validate_files

    files, path_problems = discover(args.paths)
    if path_problems:
        for problem in path_problems:
            print(problem.format(args.lang), file=sys.stderr)
        return EXIT_USAGE
    if not files:
        print("没有找到 .yaml 文件。" if args.lang == "zh" else "no .yaml files found.", file=sys.stderr)
        return EXIT_USAGE
    _check_jobs(args.jobs)
    writer = ReportWriter(sys.stdout, args.format, args.lang, args.strict, args.quiet)
    for report in validate_files(files, jobs=args.jobs, engine=args.engine):
        writer.write(report)
    writer.close()
    return EXIT_OK if writer.passed else EXIT_INVALID


def _run_new(args: argparse.Namespace) -> int:
    from gongkai.scaffold import run_new

    return run_new(args)


def _run_export(args: argparse.Namespace) -> int:
    from gongkai.export import export_content

    _check_jobs(args.jobs)
    out = Path(args.out)
    if out.exists() and not out.is_dir():  # said before minutes of validation
        raise ConfigError(f"--out {out} 已存在且不是文件夹 / exists and is not a folder")
    formats = None if args.formats == "all" else [f.strip() for f in args.formats.split(",") if f.strip()]
    try:
        return export_content(
            args.paths, out, lang=args.lang, formats=formats, per_budget=args.per_budget, jobs=args.jobs
        )
    except OSError as exc:  # an unwritable --out, a full disk: said, not a traceback
        raise ConfigError(f"无法写出 / cannot write {exc.filename or out}：{exc.strerror or exc}") from exc


def _check_jobs(jobs: int | None) -> None:
    """``--jobs`` is a positive number of processes, or absent (one per CPU)."""
    if jobs is not None and jobs < 1:
        raise ConfigError("--jobs 应为正整数 / --jobs must be at least 1")


def _run_schema(args: argparse.Namespace) -> int:
    from gongkai.jsonschema import schema_text

    _write_or_print(schema_text(), args.out)
    return EXIT_OK


def _run_reference(args: argparse.Namespace) -> int:
    from gongkai.reference import reference_markdown

    _write_or_print(reference_markdown(), args.out)
    return EXIT_OK


def _write_or_print(text: str, out: str | None) -> None:
    if out:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except GongkaiError as exc:
        print(f"gongkai: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
