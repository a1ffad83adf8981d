"""gongkai.search.stable: Pagefind's bundle made byte-for-byte reproducible (issue #8).

Pagefind writes its filter indexes and the metadata file in hash-map order. The
tests run the real Pagefind on small sites, then check that the CBOR codec
re-encodes every file to Pagefind's own bytes, that two bundles differing only in
that order (one of them shuffled here, as another Pagefind run would) come out
identical, and that the names still match the contents. The browser tests in
test_search.py search canonicalised bundles (``index_site`` canonicalises by default).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import random
import shutil
from pathlib import Path

import pytest
from gongkai.search import index_site
from gongkai.search.stable import (
    SIGNATURE,
    BundleFormatError,
    _body,
    canonicalise_bundle,
    cbor_decode,
    cbor_encode,
    content_hash,
    pack,
    read_data_file,
)

STATIC_SITE = Path(__file__).parent / "fixtures" / "search_site"

PAGE = """<html lang="zh"><body><main data-pagefind-body><h1>页面 {i}</h1>
<div hidden data-pagefind-ignore><span data-pagefind-meta="title">标题{i}</span>
<span data-pagefind-meta="author">作者{a}</span>
<span data-pagefind-sort="weight">{w}</span><span data-pagefind-sort="alpha">a{z}</span>
<span data-pagefind-filter="颜色">色{c}</span><span data-pagefind-filter="tag">t{t}</span>
<span data-pagefind-filter="tag">u{i}</span><span data-pagefind-filter="year">202{i}</span></div>
<p>预算 经费 驻村 工作 {i}</p></main></body></html>
"""


def _multi_site(root: Path) -> Path:
    """Six pages with four filters (one multi-valued) and two sort orders."""
    site = root / "multi"
    site.mkdir()
    for i in range(6):
        text = PAGE.format(i=i, a=i % 3, w=i * 7 % 5, z=7 - i, c=i % 4, t=i % 2)
        (site / f"p{i}.html").write_text(text, encoding="utf-8")
    return site


def _files(bundle: Path) -> dict[str, bytes]:
    return {
        p.relative_to(bundle).as_posix(): p.read_bytes()
        for p in sorted(bundle.rglob("*"))
        if p.is_file()
    }


def _meta_path(bundle: Path) -> Path:
    entry = json.loads((bundle / "pagefind-entry.json").read_text("utf-8"))
    return bundle / f"pagefind.{entry['languages']['zh']['hash']}.pf_meta"


def _shuffle(bundle: Path, seed: int) -> None:
    """Reorder what Pagefind writes in hash-map order, as another run could have,
    and rename the files after their new contents the way Pagefind does."""
    rng = random.Random(seed)
    meta_path = _meta_path(bundle)
    meta = read_data_file(meta_path)
    assert isinstance(meta, list)
    for item in meta[3]:
        old = bundle / "filter" / f"{item[1]}.pf_filter"
        chunk = read_data_file(old)
        assert isinstance(chunk, list)
        rng.shuffle(chunk[1])
        body = cbor_encode(chunk)
        item[1] = content_hash("zh", body, 7)
        old.unlink()
        (bundle / "filter" / f"{item[1]}.pf_filter").write_bytes(gzip.compress(SIGNATURE + body))
    rng.shuffle(meta[3])
    rng.shuffle(meta[4])
    body = cbor_encode(meta)
    new_hash = content_hash("zh", body, 10)
    meta_path.unlink()
    (bundle / f"pagefind.{new_hash}.pf_meta").write_bytes(gzip.compress(SIGNATURE + body))
    entry = bundle / "pagefind-entry.json"
    old_hash = meta_path.name.removeprefix("pagefind.").removesuffix(".pf_meta")
    entry.write_text(entry.read_text("utf-8").replace(old_hash, new_hash), "utf-8")


# --------------------------------------------------------------------------- codec


@pytest.mark.parametrize(
    "value",
    [0, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1, -1, -24, -25, -(2**64),
     "", "驻村", "a" * 300, b"\x00\xff", [], [1, [2, ["三"]]], {"k": [1, -2]}, {}, True, False, None],
)  # fmt: skip
def test_cbor_round_trip(value: object) -> None:
    assert cbor_decode(cbor_encode(value)) == value  # type: ignore[arg-type]


def test_cbor_uses_the_shortest_head() -> None:
    assert cbor_encode(23) == b"\x17"
    assert cbor_encode(24) == b"\x18\x18"
    assert cbor_encode(-25) == b"\x38\x18"
    assert cbor_encode(3538) == b"\x19\x0d\xd2"
    assert cbor_encode(["驻"]) == b"\x81\x63" + "驻".encode()


@pytest.mark.parametrize(
    "data",
    [
        b"\xf9\x3c\x00",
        b"\xc1\x00",
        b"\x9f\xff",
        b"\x82\x01",
        b"\x01\x02",
        b"\x63ab",
        b"\x62\xff\xfe",
    ],
)
def test_cbor_rejects_what_it_does_not_know(data: bytes) -> None:
    with pytest.raises(BundleFormatError):
        cbor_decode(data)


def test_pack_is_fixed_gzip() -> None:
    body = cbor_encode(["year", [["2023", [0, 1]]]])
    packed = pack(body)
    assert packed[:10] == b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"  # no time stamp, no name
    assert gzip.decompress(packed) == SIGNATURE + body
    assert pack(body) == packed


# --------------------------------------------------------------------------- real bundles


@pytest.mark.slow
def test_every_pagefind_file_decodes_and_re_encodes_to_the_same_bytes(tmp_path: Path) -> None:
    site = _multi_site(tmp_path)
    shutil.copytree(STATIC_SITE, site / "static")
    stats = index_site(site, canonical=False)
    files = [p for p in stats.bundle_dir.rglob("*.pf_*") if p.suffix != ".pf_fragment"]
    assert {p.suffix for p in files} == {".pf_index", ".pf_filter", ".pf_meta"}
    for path in files:
        body = _body(path)
        assert cbor_encode(cbor_decode(body)) == body, path.name
        # Pagefind names a file after the SHA-1 of its CBOR: so do we.
        name = path.name.split(".")[-2]
        assert name == content_hash("zh", body, len(name) - 3), path.name


@pytest.mark.slow
def test_shuffled_bundles_come_out_identical(tmp_path: Path) -> None:
    stats = index_site(_multi_site(tmp_path), canonical=False)
    bundles = []
    for seed in (1, 2, 3):
        bundle = tmp_path / f"bundle-{seed}"
        shutil.copytree(stats.bundle_dir, bundle)
        _shuffle(bundle, seed)
        bundles.append(bundle)
    assert len({_meta_path(b).name for b in bundles}) == 3  # the shuffles did differ

    for bundle in bundles:
        assert canonicalise_bundle(bundle)
    first = _files(bundles[0])
    assert _files(bundles[1]) == first
    assert _files(bundles[2]) == first
    assert canonicalise_bundle(bundles[0])  # idempotent
    assert _files(bundles[0]) == first

    # Sorted: filters and sorts by name, each filter's values; the rest as written.
    meta = read_data_file(_meta_path(bundles[0]))
    original = read_data_file(_meta_path(stats.bundle_dir))
    assert isinstance(meta, list) and isinstance(original, list)
    assert [f[0] for f in meta[3]] == ["tag", "year", "颜色"]
    assert meta[4] == sorted(original[4])  # each sort's page order kept
    assert meta[:3] == original[:3] and meta[5:] == original[5:]
    for name, file_hash in meta[3]:
        path = bundles[0] / "filter" / f"{file_hash}.pf_filter"
        chunk = read_data_file(path)
        assert isinstance(chunk, list) and chunk[0] == name
        values = [v[0] for v in chunk[1]]
        assert values == sorted(values, key=lambda v: v.encode())
        assert file_hash == content_hash("zh", _body(path), 7)  # the name matches the bytes
    assert len(list((bundles[0] / "filter").iterdir())) == len(meta[3])  # no stale file


@pytest.mark.slow
def test_index_site_canonicalises(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(STATIC_SITE, site)
    stats = index_site(site)
    assert stats.canonical
    before = _files(stats.bundle_dir)
    assert canonicalise_bundle(stats.bundle_dir)
    assert _files(stats.bundle_dir) == before
    # The entry names the metadata file, which names the filter files.
    meta = read_data_file(_meta_path(stats.bundle_dir))
    assert isinstance(meta, list)
    names = {f"filter/{h}.pf_filter" for _, h in meta[3]}
    assert names == {p for p in before if p.startswith("filter/")}


@pytest.mark.slow
def test_an_unknown_format_leaves_the_bundle_alone(tmp_path: Path) -> None:
    stats = index_site(_multi_site(tmp_path), canonical=False)
    bundle = stats.bundle_dir
    victim = sorted((bundle / "filter").iterdir())[-1]
    victim.write_bytes(gzip.compress(SIGNATURE + cbor_encode({"a future": "format"})))
    before = _files(bundle)
    assert not canonicalise_bundle(bundle)
    assert _files(bundle) == before
    digest = hashlib.sha256(victim.read_bytes()).hexdigest()
    assert digest == hashlib.sha256(before[f"filter/{victim.name}"]).hexdigest()
