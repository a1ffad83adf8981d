"""Merge Pagefind bundles of disjoint page sets into one bundle.

Pagefind holds every page it indexes in memory until it writes the bundle:
about 0.25 MB per department-year page, 2.5 GB for 10,000 of them and 3.7 GB
for the second bundle's 12,500 pages. Memory then grows with the site
without bound. So a large page set is indexed in shards, one Pagefind run
after the other (each holding only its shard), and the shards' bundles are
merged here into the one bundle a browser loads, as if one run had indexed
every page. Memory is bounded by the shard, not the site.

The merge, in the format :mod:`gongkai.search.stable` describes:

* **pages** — the metadata's ``[fragment hash, word count]`` list: the shards'
  lists one after the other, so a page of shard *i* gets its number plus the
  pages of the shards before it. Fragments are per page and named by their
  content; they are moved over unchanged.
* **words** — each index chunk is ``[[word, [[page, locations, meta locations], …], []], …]``,
  words in UTF-8 order, a word's pages ascending and each page number stored
  as the step from the one before (the first from 0). The shards' words are
  merged in that order; a word found in several shards gets their pages one
  shard after the other, only the first step of each shard's changed. The result
  is cut into chunks of about :data:`CHUNK_BYTES` of CBOR, as Pagefind's
  own chunks are, and the metadata lists each chunk's first and last word.
* **filters** — each value's pages, renumbered and joined.

Search results are then the same as from one run: the scores depend on each
page's word count and locations, on how many pages hold a word and on the
average page length, all of which the merge keeps (a test compares the
results of a merged bundle and of one run in a browser). Anything outside
that format (a word with variants, sort orders, more than one language)
raises :class:`~gongkai.search.stable.BundleFormatError`; the caller then
indexes the pages in one run instead.

Memory: one decoded chunk per shard and the chunk being written. Time: at
10,000 department-year pages, about 4 s decoding and encoding the words with
cbor2's C codec (20 s with :mod:`gongkai.search.stable`'s own) and 2 s of gzip.
"""

from __future__ import annotations

import heapq
import json
import os
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import cbor2

from gongkai.search.stable import (
    META_HASH_LENGTH,
    BundleFormatError,
    _body,
    canonical_filter,
    cbor_encode,
    cbor_head,
    content_hash,
    pack,
    read_data_file,
)

CHUNK_BYTES = 45_000
"""An index chunk is closed once its CBOR reaches this size (Pagefind's chunks are 45–60 KB)."""

INDEX_GZIP_LEVEL = 6
"""zlib level of the merged index chunks: level 9 took 8.4 s for the 32 MB of a
10,000-page bundle and level 6 takes 1.7 s, for 2 % more bytes (Pagefind's own
chunks are between the two)."""

CHUNK_HASH_LENGTH = 7
"""Hex digits in an index chunk's or filter's file name, as Pagefind names them."""

MERGE_FORMAT_EXIT = 3
"""Exit status of ``python -m gongkai.search.merge`` for shards in a format it does not know."""

_DATA_FILES = ("pagefind-entry.json",)
_DATA_DIRS = ("index", "fragment", "filter")


@dataclass(frozen=True)
class _Shard:
    """One shard's bundle as the merge reads it."""

    path: Path
    language: str
    meta: list[Any]
    offset: int  # page number of its first page in the merged bundle


@dataclass(frozen=True)
class MergeStats:
    """What the merge wrote (for the build log)."""

    pages: int
    words: int
    chunks: int
    filters: int


def merge_bundles(shards: Sequence[Path], out: Path) -> MergeStats:
    """Merge the Pagefind bundles ``shards`` (disjoint pages) into a new bundle ``out``.

    The shards' fragments are moved, not copied: the shards are spent. The
    loader, worker and WebAssembly files are the first shard's.

    Raises:
        BundleFormatError: A shard is not in the format this module knows, or the
            shards disagree (Pagefind version, language).
    """
    if not shards:
        raise BundleFormatError("no bundles to merge")
    parts = _read_shards(shards)
    language = parts[0].language
    out.mkdir(parents=True, exist_ok=True)
    _copy_loader(shards[0], out)
    for name in _DATA_DIRS:
        (out / name).mkdir(exist_ok=True)
    for part in parts:
        _move_fragments(part.path / "fragment", out / "fragment")
    chunks, words = _write_index(parts, language, out / "index")
    filters = _write_filters(parts, language, out / "filter")
    pages: list[Any] = [page for part in parts for page in part.meta[1]]
    meta: list[Any] = [parts[0].meta[0], pages, chunks, filters, []]
    if any(len(part.meta) > 5 for part in parts):  # the meta fields' names, sorted as Pagefind writes them
        meta.append(sorted({f for part in parts if len(part.meta) > 5 for f in part.meta[5]}))
    body = cbor_encode(meta)
    meta_hash = content_hash(language, body, META_HASH_LENGTH)
    (out / f"pagefind.{meta_hash}.pf_meta").write_bytes(pack(body))
    entry = json.loads((shards[0] / "pagefind-entry.json").read_text(encoding="utf-8"))
    entry["languages"] = {language: {**entry["languages"][language], "hash": meta_hash, "page_count": len(pages)}}
    (out / "pagefind-entry.json").write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return MergeStats(pages=len(pages), words=words, chunks=len(chunks), filters=len(filters))


def _read_shards(shards: Sequence[Path]) -> list[_Shard]:
    parts: list[_Shard] = []
    offset = 0
    for path in shards:
        entry = json.loads((path / "pagefind-entry.json").read_text(encoding="utf-8"))
        languages = entry.get("languages", {})
        if len(languages) != 1:
            raise BundleFormatError(f"{path}: a bundle of {len(languages)} languages")
        [(language, info)] = languages.items()
        meta: Any = read_data_file(path / f"pagefind.{info['hash']}.pf_meta")
        if not (isinstance(meta, list) and len(meta) in (5, 6) and all(isinstance(m, list) for m in meta[1:])):
            raise BundleFormatError(f"{path}: the metadata is not [version, pages, chunks, filters, sorts, fields]")
        if meta[4]:
            raise BundleFormatError(f"{path}: sort orders are not merged")
        if parts and (language != parts[0].language or meta[0] != parts[0].meta[0]):
            raise BundleFormatError(f"{path}: another language or Pagefind version than {parts[0].path}")
        parts.append(_Shard(path, language, meta, offset))
        offset += len(meta[1])
    return parts


def _copy_loader(shard: Path, out: Path) -> None:
    """The loader, worker, WebAssembly and UI files (the same in every shard)."""
    for item in shard.iterdir():
        if item.is_file() and item.name not in _DATA_FILES and not item.name.endswith(".pf_meta"):
            shutil.copyfile(item, out / item.name)


def _move_fragments(source: Path, dest: Path) -> None:
    for item in os.scandir(source):
        target = dest / item.name
        try:
            os.replace(item.path, target)
        except OSError:  # another file system
            shutil.copyfile(item.path, target)


def _words(part: _Shard) -> Iterator[tuple[str, list[Any]]]:
    """The shard's words in order, each with its pages renumbered."""
    offset = part.offset
    for chunk_ref in part.meta[2]:
        try:  # cbor2's C decoder: the words' locations are most of a bundle (8 million items at 10,000 pages)
            chunk = cbor2.loads(_body(part.path / "index" / f"{chunk_ref[2]}.pf_index"))
        except cbor2.CBORDecodeError as exc:
            raise BundleFormatError(f"{part.path}: index chunk {chunk_ref[2]}: {exc}") from exc
        if not (isinstance(chunk, list) and len(chunk) == 1 and isinstance(chunk[0], list)):
            raise BundleFormatError(f"{part.path}: index chunk {chunk_ref[2]} is not [[word, …]]")
        for word in chunk[0]:
            if not (isinstance(word, list) and len(word) == 3 and isinstance(word[0], str) and word[2] == []):
                raise BundleFormatError(f"{part.path}: a word entry is not [word, pages, []]")
            postings = word[1]
            if postings:  # the first page number is absolute, the others are steps from the one before
                postings[0][0] += offset
            yield word[0], postings


def _merged_words(parts: Sequence[_Shard]) -> Iterator[list[Any]]:
    """Every word once, in UTF-8 order (= code point order), with the pages of all shards.

    A word's pages are ascending and stored as steps (the first from 0): the
    pages a later shard adds start with a step from the last page so far.
    ``heapq.merge`` keeps the shards' order for a word found in several.
    """
    current: list[Any] | None = None
    last_page = 0
    for text, postings in heapq.merge(*(_words(p) for p in parts), key=lambda w: w[0]):
        if current is not None and current[0] == text:
            if postings:
                postings[0][0] -= last_page
                current[1].extend(postings)
                last_page += sum(p[0] for p in postings)
            continue
        if current is not None:
            yield current
        current = [text, postings, []]
        last_page = sum(p[0] for p in postings)
    if current is not None:
        yield current


def _write_index(parts: Sequence[_Shard], language: str, index_dir: Path) -> tuple[list[Any], int]:
    """Write the merged chunks; return the metadata's chunk list and the word count."""
    chunks: list[Any] = []
    pending: list[bytes] = []
    first = last = ""
    size = words = 0

    def close() -> None:
        body = b"\x81" + cbor_head(4, len(pending)) + b"".join(pending)  # the chunk is [[word, …]]
        name = content_hash(language, body, CHUNK_HASH_LENGTH)
        (index_dir / f"{name}.pf_index").write_bytes(pack(body, INDEX_GZIP_LEVEL))
        chunks.append([first, last, name])

    for word in _merged_words(parts):
        encoded = cbor2.dumps(word)  # shortest forms, definite lengths: Pagefind's own bytes
        if not pending:
            first = word[0]
        pending.append(encoded)
        last = word[0]
        size += len(encoded)
        words += 1
        if size >= CHUNK_BYTES:
            close()
            pending, size = [], 0
    if pending:
        close()
    return chunks, words


def _write_filters(parts: Sequence[_Shard], language: str, filter_dir: Path) -> list[Any]:
    """Each filter's values with the pages of all shards; the metadata's filter list."""
    merged: dict[str, dict[str, list[int]]] = {}
    for part in parts:
        for ref in part.meta[3]:
            name, file_hash = ref
            value: Any = read_data_file(part.path / "filter" / f"{file_hash}.pf_filter")
            if not (isinstance(value, list) and len(value) == 2 and value[0] == name):
                raise BundleFormatError(f"{part.path}: filter {name!r} is not [name, values]")
            values = merged.setdefault(name, {})
            for item in value[1]:
                values.setdefault(item[0], []).extend(page + part.offset for page in item[1])
    listed: list[Any] = []
    for name in sorted(merged, key=lambda n: n.encode("utf-8")):
        values_pages: list[Any] = [[v, pages] for v, pages in merged[name].items()]
        body = cbor_encode(canonical_filter([name, values_pages]))
        file_hash = content_hash(language, body, CHUNK_HASH_LENGTH)
        (filter_dir / f"{file_hash}.pf_filter").write_bytes(pack(body))
        listed.append([name, file_hash])
    return listed


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m gongkai.search.merge OUT SHARD…``: the merge as the indexer runs it, in a child process.

    Prints the :class:`MergeStats` as one line of JSON. Exit 3
    (:data:`MERGE_FORMAT_EXIT`) with the reason for shards in a format this
    module does not know; the indexer then indexes the pages in one run.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 2:
        print("usage: python -m gongkai.search.merge OUT SHARD...", file=sys.stderr)
        return 2
    try:
        stats = merge_bundles([Path(a) for a in args[1:]], Path(args[0]))
    except BundleFormatError as exc:
        print(exc, file=sys.stderr)
        return MERGE_FORMAT_EXIT
    print(json.dumps(asdict(stats)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
