"""``python -m gongkai.search``: index a built site, or refresh the header override.

Usage::

    python -m gongkai.search index SITE_DIR [--output-subdir pagefind] [--json]
    python -m gongkai.search refresh-header
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path

from gongkai.search.indexer import DEFAULT_OUTPUT_SUBDIR, SearchIndexError, index_site
from gongkai.search.theme import write_header_override


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m gongkai.search")
    sub = parser.add_subparsers(dest="command", required=True)
    idx = sub.add_parser("index", help="run Pagefind over a built site")
    idx.add_argument("site_dir", type=Path)
    idx.add_argument("--output-subdir", default=DEFAULT_OUTPUT_SUBDIR)
    idx.add_argument("--json", action="store_true", help="print the statistics as JSON")
    sub.add_parser("refresh-header", help="rewrite the header override from Material")
    args = parser.parse_args(argv)
    try:
        if args.command == "index":
            stats = index_site(args.site_dir, output_subdir=args.output_subdir)
            if args.json:
                data = asdict(stats)
                data.pop("output")
                data["bundle_dir"] = str(stats.bundle_dir)
                print(json.dumps(data, ensure_ascii=False, indent=2))
            else:
                print(stats.summary())
        else:
            print(f"wrote {write_header_override()}", file=sys.stderr)
    except SearchIndexError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
