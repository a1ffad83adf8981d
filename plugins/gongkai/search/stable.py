"""Make Pagefind's bundle byte-for-byte reproducible (issue #8).

Pagefind 1.5 writes its page fragments and word-index chunks the same way on
every run, but not its *filter* indexes and the language's *metadata* file: it
lists filters, filter values and sort orders in the iteration order of Rust hash
maps, which changes from run to run (upstream issue Pagefind/pagefind#638). The
names of those files are content hashes, so the names change too, and with them
the metadata hash in ``pagefind-entry.json``.

:func:`canonicalise_bundle` rewrites those files after Pagefind has run:

* ``filter/<lang>_<hash>.pf_filter`` — ``[filter, [[value, [page, ...]], ...]]``:
  the values are sorted (by their UTF-8 bytes), each value's pages ascending.
  The browser side looks filter values up by name (``pagefind.filters()``
  returns an object; ``search.js`` sorts the values it shows), so neither order
  reaches a reader — checked by searching canonicalised bundles with filters
  and sorts (test_search.py's browser tests; by hand in Node for sorts).
* ``pagefind.<lang>_<hash>.pf_meta`` — ``[version, pages, index chunks, filters,
  sorts, meta fields]``: the ``filters`` list (``[name, file hash]``) and the
  ``sorts`` list (``[name, pages in sort order]``) are sorted by name; the filter
  file hashes are replaced by the new ones. Everything else keeps Pagefind's order:
  the pages (a page's number is its position), the index chunks (word ranges in
  word order), the pages of a sort (they *are* the order) and the meta fields
  (written sorted already).
* ``pagefind-entry.json`` — the language's ``hash`` names the new metadata file.

A rewritten file is ``pagefind_dcd`` followed by the CBOR, gzip-compressed at a
fixed level with a fixed header (no time stamp, no file name), as Pagefind writes
its own. Its name is Pagefind's: the language, ``_`` and the first hex digits of
the SHA-1 of the CBOR (7 for a filter, 10 for the metadata, as Pagefind's names
have; see :func:`content_hash`), so the names still change with the content — a browser never sees a stale
cached file — and two builds of the same site name the same files.

Fragments and word-index chunks are left alone (byte for byte as Pagefind wrote
them). The CBOR codec covers what these files hold: unsigned and negative
integers, text and byte strings, arrays, maps, ``false``/``true``/``null``; it
encodes every length and integer in its shortest form, as Pagefind does (a
decoded file re-encodes to the same bytes).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"
"""What every Pagefind data file starts with once decompressed."""

GZIP_LEVEL = 9
"""zlib compression level of the rewritten files (Pagefind's own files are level 9 too)."""

FILTER_HASH_LENGTH = 7
META_HASH_LENGTH = 10

CborValue = int | str | bytes | bool | None | list["CborValue"] | dict["CborValue", "CborValue"]


class BundleFormatError(ValueError):
    """A file is not what this module knows how to canonicalise."""


# --------------------------------------------------------------------------- CBOR


def cbor_decode(data: bytes) -> CborValue:
    """Decode one CBOR item that fills ``data`` exactly.

    Raises:
        BundleFormatError: Truncated data, trailing bytes, or a type outside the
            subset (floats, tags, indefinite lengths, other simple values).
    """
    try:
        value, end = _decode(data, 0)
    except IndexError as exc:
        raise BundleFormatError("truncated CBOR") from exc
    if end != len(data):
        raise BundleFormatError(f"{len(data) - end} bytes after the CBOR item")
    return value


def _decode(data: bytes, pos: int) -> tuple[CborValue, int]:
    initial = data[pos]
    major, info = initial >> 5, initial & 0x1F
    pos += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info in simple:
            return simple[info], pos
        raise BundleFormatError(f"unsupported CBOR simple value or float ({initial:#x})")
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        if pos + size > len(data):
            raise BundleFormatError("truncated CBOR")
        arg = int.from_bytes(data[pos : pos + size], "big")
        pos += size
    else:
        raise BundleFormatError(f"unsupported CBOR length ({initial:#x})")
    if major == 0:
        return arg, pos
    if major == 1:
        return -1 - arg, pos
    if major in (2, 3):
        if pos + arg > len(data):
            raise BundleFormatError("truncated CBOR")
        raw = data[pos : pos + arg]
        pos += arg
        if major == 2:
            return bytes(raw), pos
        try:
            return raw.decode("utf-8"), pos
        except UnicodeDecodeError as exc:
            raise BundleFormatError("CBOR text is not UTF-8") from exc
    if major == 4:
        items: list[CborValue] = []
        for _ in range(arg):
            item, pos = _decode(data, pos)
            items.append(item)
        return items, pos
    if major == 5:
        mapping: dict[CborValue, CborValue] = {}
        for _ in range(arg):
            key, pos = _decode(data, pos)
            if isinstance(key, (list, dict)) or key in mapping:
                raise BundleFormatError("unsupported or repeated CBOR map key")
            mapping[key], pos = _decode(data, pos)
        return mapping, pos
    raise BundleFormatError(f"unsupported CBOR tag ({initial:#x})")


def cbor_encode(value: CborValue) -> bytes:
    """Encode ``value`` with the shortest lengths; maps keep their key order."""
    out = bytearray()
    _encode(value, out)
    return bytes(out)


def cbor_head(major: int, arg: int) -> bytes:
    """The head of a CBOR item of major type ``major`` and length or value ``arg`` (shortest form)."""
    out = bytearray()
    _head(major, arg, out)
    return bytes(out)


def _head(major: int, arg: int, out: bytearray) -> None:
    if arg < 24:
        out.append(major << 5 | arg)
    elif arg < 1 << 8:
        out += bytes((major << 5 | 24, arg))
    elif arg < 1 << 16:
        out.append(major << 5 | 25)
        out += struct.pack(">H", arg)
    elif arg < 1 << 32:
        out.append(major << 5 | 26)
        out += struct.pack(">I", arg)
    elif arg < 1 << 64:
        out.append(major << 5 | 27)
        out += struct.pack(">Q", arg)
    else:
        raise BundleFormatError(f"integer too large for CBOR: {arg}")


def _encode(value: CborValue, out: bytearray) -> None:
    if value is False or value is True or value is None:
        out.append({False: 0xF4, True: 0xF5, None: 0xF6}[value])
    elif isinstance(value, int):
        if value >= 0:
            _head(0, value, out)
        else:
            _head(1, -1 - value, out)
    elif isinstance(value, str):
        raw = value.encode("utf-8")
        _head(3, len(raw), out)
        out += raw
    elif isinstance(value, bytes):
        _head(2, len(value), out)
        out += value
    elif isinstance(value, list):
        _head(4, len(value), out)
        for item in value:
            _encode(item, out)
    elif isinstance(value, dict):
        _head(5, len(value), out)
        for key, item in value.items():
            _encode(key, out)
            _encode(item, out)
    else:
        raise BundleFormatError(f"cannot encode {type(value).__name__} as CBOR")


# --------------------------------------------------------------------------- files


def read_data_file(path: Path) -> CborValue:
    """Decode a Pagefind CBOR file (gzip, then ``pagefind_dcd``, then CBOR)."""
    return cbor_decode(_body(path))


def _body(path: Path) -> bytes:
    try:
        raw = gzip.decompress(path.read_bytes())
    except (OSError, EOFError, zlib.error) as exc:
        raise BundleFormatError(f"{path.name} is not gzip data") from exc
    if not raw.startswith(SIGNATURE):
        raise BundleFormatError(f"{path.name} does not start with {SIGNATURE.decode()}")
    return raw[len(SIGNATURE) :]


def pack(body: bytes, level: int = GZIP_LEVEL) -> bytes:
    """``pagefind_dcd`` + ``body``, gzip-compressed the same way on every run.

    The gzip header is written here rather than by :mod:`gzip` (whose header
    bytes have changed between Python versions): no time stamp, no file name,
    "maximum compression" flag, OS "unknown" — the header Pagefind writes.
    ``level``: zlib's; the header says the same whatever it is (browsers ignore it).
    """
    raw = SIGNATURE + body
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, 8)
    deflated = compressor.compress(raw) + compressor.flush()
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = struct.pack("<II", zlib.crc32(raw), len(raw) & 0xFFFFFFFF)
    return header + deflated + trailer


def content_hash(language: str, body: bytes, length: int) -> str:
    """Pagefind's file hash: ``<language>_`` + the start of SHA-1(CBOR) in hex.

    Pagefind writes each byte of the digest in hex *without* zero padding
    (``0x0b`` → ``b``), so that is what this does too: its own files' names
    then agree with this function (the tests check it).
    """
    digest = hashlib.sha1(body, usedforsecurity=False).digest()
    return f"{language}_{''.join(f'{byte:x}' for byte in digest)[:length]}"


# --------------------------------------------------------------------------- canonical forms


def _name(pair: Any) -> bytes:
    """Sort key of a ``[name, ...]`` pair: the name's UTF-8 bytes (code point order)."""
    return str(pair[0]).encode("utf-8")


def _is_pair(item: CborValue, second: Callable[[CborValue], bool]) -> bool:
    return (
        isinstance(item, list) and len(item) == 2 and isinstance(item[0], str) and second(item[1])
    )


def _is_pages(value: CborValue) -> bool:
    return isinstance(value, list) and all(
        isinstance(p, int) and not isinstance(p, bool) and p >= 0 for p in value
    )


def canonical_filter(value: CborValue) -> list[CborValue]:
    """A filter chunk with its values sorted and each value's pages ascending."""
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)):
        raise BundleFormatError("a filter chunk is not [name, values]")
    values = value[1]
    if not (isinstance(values, list) and all(_is_pair(v, _is_pages) for v in values)):
        raise BundleFormatError("filter values are not [[value, [page, ...]], ...]")
    pairs: list[Any] = values
    canon: list[CborValue] = [[v[0], sorted(v[1])] for v in sorted(pairs, key=_name)]
    return [value[0], canon]


def canonical_meta(value: CborValue, renamed: dict[str, str]) -> list[CborValue]:
    """The metadata with filters and sorts sorted by name, filter hashes renamed."""
    if not (isinstance(value, list) and len(value) >= 5 and isinstance(value[0], str)):
        raise BundleFormatError("the metadata is not [version, pages, chunks, filters, sorts, ...]")
    filters, sorts = value[3], value[4]
    if not (
        isinstance(filters, list)
        and all(_is_pair(f, lambda h: isinstance(h, str)) for f in filters)
    ):
        raise BundleFormatError("the metadata's filters are not [[name, hash], ...]")
    if not (isinstance(sorts, list) and all(_is_pair(s, _is_pages) for s in sorts)):
        raise BundleFormatError("the metadata's sorts are not [[name, [page, ...]], ...]")
    pairs: list[Any] = filters
    new_filters: list[CborValue] = [
        [f[0], renamed.get(f[1], f[1])] for f in sorted(pairs, key=_name)
    ]
    new_sorts: list[CborValue] = sorted(sorts, key=_name)
    return [value[0], value[1], value[2], new_filters, new_sorts, *value[5:]]


# --------------------------------------------------------------------------- bundle


@dataclass(frozen=True)
class _Plan:
    writes: dict[Path, bytes]
    removals: list[Path]
    entry_text: str


def canonicalise_bundle(bundle_dir: Path) -> bool:
    """Rewrite a Pagefind bundle's filter and metadata files in canonical order.

    All files are read and checked before any is written: if one is not in the
    format described in this module's docstring (a Pagefind release changed it),
    nothing is changed. Running it again on its own output changes nothing.

    Args:
        bundle_dir: A Pagefind bundle directory (with ``pagefind-entry.json``).

    Returns:
        True if the bundle is now canonical; False if a file has an unknown
        format and the bundle was left as Pagefind wrote it (check the
        determinism test, then this module).
    """
    try:
        plan = _plan(Path(bundle_dir))
    except (BundleFormatError, OSError, ValueError, KeyError, TypeError):
        return False
    for path in plan.removals:
        path.unlink(missing_ok=True)
    for path, data in plan.writes.items():
        path.write_bytes(data)
    (Path(bundle_dir) / "pagefind-entry.json").write_text(plan.entry_text, encoding="utf-8")
    return True


def _plan(bundle_dir: Path) -> _Plan:
    entry_path = bundle_dir / "pagefind-entry.json"
    entry_text = entry_path.read_text(encoding="utf-8")
    languages = json.loads(entry_text)["languages"]
    writes: dict[Path, bytes] = {}
    removals: list[Path] = []
    for language, info in languages.items():
        old_meta_hash = info["hash"]
        if not (isinstance(old_meta_hash, str) and old_meta_hash.startswith(f"{language}_")):
            raise BundleFormatError(f"unexpected metadata hash {old_meta_hash!r}")
        old_meta = bundle_dir / f"pagefind.{old_meta_hash}.pf_meta"
        meta = read_data_file(old_meta)
        if not (isinstance(meta, list) and len(meta) >= 4 and isinstance(meta[3], list)):
            raise BundleFormatError("the metadata has no filter list")
        bodies: dict[str, bytes] = {}
        for item in meta[3]:
            if not _is_pair(item, lambda h: isinstance(h, str)):
                raise BundleFormatError("the metadata's filters are not [[name, hash], ...]")
            old_hash = item[1]  # type: ignore[index]
            assert isinstance(old_hash, str)
            old_file = bundle_dir / "filter" / f"{old_hash}.pf_filter"
            bodies[old_hash] = cbor_encode(canonical_filter(read_data_file(old_file)))
            removals.append(old_file)
        renamed = _filter_names(language, bodies)
        for old_hash, body in bodies.items():
            writes[bundle_dir / "filter" / f"{renamed[old_hash]}.pf_filter"] = pack(body)
        body = cbor_encode(canonical_meta(meta, renamed))
        new_meta_hash = content_hash(language, body, META_HASH_LENGTH)
        removals.append(old_meta)
        writes[bundle_dir / f"pagefind.{new_meta_hash}.pf_meta"] = pack(body)
        old_json, new_json = json.dumps(old_meta_hash), json.dumps(new_meta_hash)
        if entry_text.count(old_json) != 1:
            raise BundleFormatError(f"{old_json} is not named exactly once in pagefind-entry.json")
        entry_text = entry_text.replace(old_json, new_json)
    return _Plan(writes=writes, removals=removals, entry_text=entry_text)


def _filter_names(language: str, bodies: dict[str, bytes]) -> dict[str, str]:
    """New file hash per old one; the whole SHA-1 where two short ones would clash."""
    short = {old: content_hash(language, body, FILTER_HASH_LENGTH) for old, body in bodies.items()}
    clashing = {name for name in short.values() if list(short.values()).count(name) > 1}
    return {
        old: content_hash(language, bodies[old], 40) if name in clashing else name
        for old, name in short.items()
    }
