"""Reuse of the previous build's downloads (``cache_dir``): faster, never different.

A record whose key (file digest, display path, validation code) did not
change gets its department-year folder linked from the cache instead of
rendered, and when no record changed the whole-dataset files are linked
too. Every test compares with an export that has no cache at all: the
bytes must be the same whatever the cache held, and nothing the export
writes may ever change a cached file through a hard link.
"""

from __future__ import annotations

import errno
import hashlib
import os
from dataclasses import replace
from pathlib import Path

import pytest
from export_support import REPO, load_records, tree_digest
from gongkai.export import reuse, site_data
from gongkai.export.csv_package import csv_from_texts, csv_head_bytes, texts_from_csv
from gongkai.export.prepared import Prepared
from gongkai.export.site_data import LazyRecord, write_site_data
from gongkai.package import PackageMeta, RecordData
from gongkai.tables import TABLES_BY_NAME

META = PackageMeta()


@pytest.fixture(scope="module")
def records() -> list[RecordData]:
    return load_records(["content"])


@pytest.fixture(scope="module")
def cold(records, tmp_path_factory) -> Path:
    """The export without any cache: what every cached build must equal."""
    data = tmp_path_factory.mktemp("cold") / "data"
    write_site_data(records, data, META)
    return data


class Items:
    """Lazy items with keys over ``records``, counting the loads."""

    def __init__(self, records: list[RecordData], version: str = "v1") -> None:
        self.records = {r.budget.budget_id: r for r in records}
        self.version = version
        self.loads: list[str] = []

    def items(self) -> list[LazyRecord]:
        return [LazyRecord(budget_id, self._loader(budget_id), self.key(budget_id)) for budget_id in sorted(self.records)]

    def key(self, budget_id: str) -> str:
        record = self.records[budget_id]
        return f"{budget_id}:{record.source_file}:{self.version}"

    def _loader(self, budget_id: str):
        def load() -> RecordData:
            self.loads.append(budget_id)
            return self.records[budget_id]

        return load


def _export(items: Items, data: Path, cache: Path, meta: PackageMeta = META, **options):
    return write_site_data(items.items(), data, meta, cache_dir=cache, **options)


def _cache_files(cache: Path) -> dict[str, str]:
    return {
        p.relative_to(cache).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(cache.rglob("*"))
        if p.is_file()
    }


def _cached_copy(cache: Path, data_file: Path) -> Path:
    """The cache's file with the same inode as ``data_file`` (they are linked)."""
    inode = data_file.stat().st_ino
    found = [p for p in cache.rglob("*") if p.is_file() and p.stat().st_ino == inode]
    assert found, f"{data_file} is not linked from the cache"
    return found[0]


def test_a_cold_build_with_a_cache_writes_the_same_bytes(records, cold, tmp_path):
    index = _export(Items(records), tmp_path / "data", tmp_path / "cache")
    assert tree_digest(tmp_path / "data") == tree_digest(cold)
    assert sorted(index.budgets) == sorted(r.budget.budget_id for r in records)
    assert any((tmp_path / "cache").rglob("*.manifest"))


def test_an_unchanged_build_loads_nothing_and_links_every_file(records, cold, tmp_path):
    cache = tmp_path / "cache"
    first = _export(Items(records), tmp_path / "first", cache)
    items = Items(records)
    again = tmp_path / "again"
    index = _export(items, again, cache)
    assert items.loads == []
    assert tree_digest(again) == tree_digest(cold)
    assert index.to_json() == first.to_json() and index.budgets == first.budgets
    budget = records[0].budget.budget_id
    for path in [again / "budgets" / budget / "projects.csv", again / "all" / "gongkai-budgets.sqlite"]:
        assert path.stat().st_nlink >= 2  # a hard link into the cache, not a copy


def test_a_changed_record_alone_is_rendered_and_the_dataset_rebuilt(records, tmp_path):
    cache = tmp_path / "cache"
    _export(Items(records), tmp_path / "first", cache)
    changed = records[1].budget.budget_id
    edited = [replace(r, source_file="content/renamed.yaml") if r.budget.budget_id == changed else r for r in records]
    items = Items(edited)
    data = tmp_path / "data"
    _export(items, data, cache)
    assert items.loads == [changed]
    fresh = tmp_path / "fresh"
    write_site_data(edited, fresh, META)
    assert tree_digest(data) == tree_digest(fresh)
    assert tree_digest(data)["all/budgets.csv"] != tree_digest(tmp_path / "first")["all/budgets.csv"]


def test_a_removed_record_leaves_the_site_and_the_cache(records, tmp_path):
    cache = tmp_path / "cache"
    data = tmp_path / "data"
    _export(Items(records), data, cache)
    entries = len(list(cache.rglob("*.manifest")))
    _export(Items(records[1:]), data, cache)
    fresh = tmp_path / "fresh"
    write_site_data(records[1:], fresh, META)
    assert tree_digest(data) == tree_digest(fresh)
    assert not (data / "budgets" / records[0].budget.budget_id).exists()
    assert len(list(cache.rglob("*.manifest"))) == entries - 1  # its folder (the dataset entry was replaced)


def test_other_settings_start_a_new_generation_and_the_old_one_goes(records, tmp_path):
    cache = tmp_path / "cache"
    _export(Items(records), tmp_path / "a", cache)
    before = {p.name for p in cache.iterdir()}
    other = replace(META, title="另一个标题")
    items = Items(records)
    _export(items, tmp_path / "b", cache, other)
    assert len(items.loads) == len(records)  # nothing reused across settings
    after = {p.name for p in cache.iterdir()}
    assert len(after) == 1 and not after & before
    fresh = tmp_path / "fresh"
    write_site_data(records, fresh, other)
    assert tree_digest(tmp_path / "b") == tree_digest(fresh)


def test_source_date_epoch_is_a_setting(records, tmp_path, monkeypatch):
    """It dates every package and workbook: a build with it set reuses nothing from one without."""
    cache = tmp_path / "cache"
    _export(Items(records), tmp_path / "a", cache)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    items = Items(records)
    _export(items, tmp_path / "b", cache)
    assert len(items.loads) == len(records)
    fresh = tmp_path / "fresh"
    write_site_data(records, fresh, META)
    assert tree_digest(tmp_path / "b") == tree_digest(fresh) != tree_digest(tmp_path / "a")


def test_a_published_file_edited_in_place_is_not_reused(records, cold, tmp_path):
    """A tool writing through the link changes the cached file too: its size or mtime says so."""
    cache = tmp_path / "cache"
    data = tmp_path / "data"
    _export(Items(records), data, cache)
    budget = records[2].budget.budget_id
    target = data / "budgets" / budget / "projects.csv"
    with target.open("r+b") as handle:  # in place, same size
        handle.write(b"X")
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    (data / "all" / "projects.csv").open("ab").write(b"extra\n")
    items = Items(records)
    again = tmp_path / "again"
    _export(items, again, cache)
    assert items.loads == [budget]
    assert tree_digest(again) == tree_digest(cold)
    _export(Items(records), tmp_path / "third", cache)
    assert tree_digest(tmp_path / "third") == tree_digest(cold)


def test_later_exports_never_write_through_a_link_into_the_cache(records, cold, tmp_path):
    """``mkdocs build --dirty`` or ``gongkai export`` over a folder whose files are cache links."""
    cache = tmp_path / "cache"
    data = tmp_path / "data"
    _export(Items(records), data, cache)
    kept = _cache_files(cache)
    write_site_data(records, data, replace(META, title="改过的标题"))  # every file different, no cache
    assert _cache_files(cache) == kept
    again = tmp_path / "again"
    items = Items(records)
    _export(items, again, cache)
    assert items.loads == [] and tree_digest(again) == tree_digest(cold)


def test_a_reused_folder_over_an_old_one_replaces_its_files(records, cold, tmp_path):
    cache = tmp_path / "cache"
    data = tmp_path / "data"
    write_site_data(records, data, replace(META, title="旧标题"))
    _export(Items(records), tmp_path / "seed", cache)
    items = Items(records)
    _export(items, data, cache)
    assert items.loads == [] and tree_digest(data) == tree_digest(cold)


def test_without_hard_links_the_cache_copies(records, cold, tmp_path, monkeypatch):
    def no_link(source, target):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(reuse.os, "link", no_link)
    cache = tmp_path / "cache"
    _export(Items(records), tmp_path / "first", cache)
    items = Items(records)
    again = tmp_path / "again"
    _export(items, again, cache)
    assert items.loads == [] and tree_digest(again) == tree_digest(cold)
    assert (again / "all" / "projects.csv").stat().st_nlink == 1


def test_an_entry_without_its_manifest_or_a_file_is_rendered_again(records, cold, tmp_path):
    cache = tmp_path / "cache"
    _export(Items(records), tmp_path / "first", cache)
    budget = records[0].budget.budget_id
    copy = _cached_copy(cache, tmp_path / "first" / "budgets" / budget / f"{budget}.json")
    copy.unlink()
    items = Items(records)
    again = tmp_path / "again"
    _export(items, again, cache)
    assert items.loads == [budget]
    assert tree_digest(again) == tree_digest(cold)


@pytest.mark.slow
def test_worker_processes_with_a_cache(records, cold, tmp_path, monkeypatch):
    monkeypatch.setattr(site_data, "MIN_PARALLEL", 0)
    cache = tmp_path / "cache"
    _export(Items(records), tmp_path / "first", cache, jobs=2)
    assert tree_digest(tmp_path / "first") == tree_digest(cold)
    changed = Items(records)
    changed.version = "v2"  # every key new: nothing reused, everything re-stored
    _export(changed, tmp_path / "second", cache, jobs=2)
    items = Items(records, "v2")
    _export(items, tmp_path / "third", cache, jobs=2)
    assert tree_digest(tmp_path / "third") == tree_digest(cold)
    assert len(list(cache.rglob("*.manifest"))) == len(records) + 1  # v1 entries pruned


def test_without_a_cache_dir_nothing_is_kept(records, tmp_path):
    write_site_data(Items(records).items(), tmp_path / "data", META)
    assert not any(p.name.endswith(".manifest") for p in tmp_path.rglob("*"))


# --------------------------------------------------------------------------- #
# Reading a cached folder's tables back from its data CSVs
# --------------------------------------------------------------------------- #

AWKWARD = ["", " lead", "trail ", "a,b", 'q"uote', '"', "line\nbreak", "\u2028sep\x0bv\x1cw", "=1+2", "-3", "中文，逗号"]


@pytest.mark.parametrize("resource", ["projects", "project_indicators", "budgets"])
def test_texts_come_back_exactly_from_the_data_csv(resource):
    width = len(TABLES_BY_NAME[resource].columns)
    texts = [[AWKWARD[(i + j) % len(AWKWARD)] for j in range(width)] for i in range(len(AWKWARD) * 2)]
    body = csv_from_texts(resource, texts).encode("utf-8")
    assert texts_from_csv(resource, body, len(texts)) == texts


PLAIN = ["", " lead", "trail ", "\u2028sep\x0bv\x1cw", "=1+2", "-3", "中文，逗号", "nul\x00"]  # nothing the writer quotes


@pytest.mark.parametrize("cells", [AWKWARD, PLAIN], ids=["quoted", "plain"])
@pytest.mark.parametrize("resource", ["projects", "budgets"])
def test_a_cached_table_is_read_back_as_the_csv_module_reads_it(resource, cells):
    """The export splits a body without quoted cells itself: the same texts as :func:`texts_from_csv`."""
    width = len(TABLES_BY_NAME[resource].columns)
    texts = [[cells[(i + j) % len(cells)] for j in range(width)] for i in range(len(cells) * 2)]
    body = csv_from_texts(resource, texts).encode("utf-8")
    assert (b'"' in body) == (cells is AWKWARD)
    prepared = Prepared.from_csv(resource, len(texts), csv_head_bytes(resource) + body)
    assert prepared is not None and prepared.texts == texts and prepared.csv_bytes == body
    assert prepared.excel_csv_bytes == Prepared.from_forms(resource, len(texts), {"texts": texts}).excel_csv_bytes


def test_a_cached_table_that_is_not_what_the_writer_wrote_is_refused():
    width = len(TABLES_BY_NAME["projects"].columns)
    head = csv_head_bytes("projects")
    row = ",".join(["x"] * width).encode()
    assert Prepared.from_csv("projects", 2, head + row + b"\n") is None  # not the number of rows
    assert Prepared.from_csv("projects", 1, head + row + b",x\n") is None  # not the resource's width
    assert Prepared.from_csv("projects", 1, head + row) is None  # no line end
    assert Prepared.from_csv("projects", 1, head + b"\xff" + row[1:] + b"\n") is None  # not UTF-8
    assert Prepared.from_csv("budgets", 1, head + row + b"\n") is None  # another resource's header
    assert Prepared.from_csv("projects", 1, head + row + b"\n") is not None


def test_texts_that_csv_cannot_give_back_are_refused():
    width = len(TABLES_BY_NAME["projects"].columns)
    texts = [["a\rb", *[""] * (width - 1)], ["x\r", *[""] * (width - 1)]]
    body = csv_from_texts("projects", texts).encode("utf-8")
    assert texts_from_csv("projects", body, 2) is None
    plain = csv_from_texts("projects", [["a"] * width]).encode("utf-8")
    assert texts_from_csv("projects", plain, 2) is None  # not the number of rows written
    assert texts_from_csv("budgets", plain, 1) is None  # not the resource's width
    assert texts_from_csv("projects", b"\xff\n", 1) is None


# --------------------------------------------------------------------------- #
# The site's plumbing: keys from the record store, ExportJob(cache_dir=…)
# --------------------------------------------------------------------------- #


def test_the_plugin_export_job_reuses_with_keys_from_the_summaries(cold, tmp_path):
    from gongkai.mkdocs_plugin.downloads import ExportJob, lazy_records
    from gongkai.site.source import load_reports

    summaries = load_reports(REPO / "content", REPO)
    lazy = lazy_records(summaries)
    assert all(item.key and item.key.startswith(s.digest) for item, s in zip(lazy, summaries, strict=True))
    cache = tmp_path / "cache"
    ExportJob(lazy, tmp_path / "first", META, None, None, cache_dir=cache).run()
    assert tree_digest(tmp_path / "first") == tree_digest(cold)
    forbidden = [LazyRecord(item.budget_id, _fail, item.key) for item in lazy]
    ExportJob(forbidden, tmp_path / "again", META, None, None, cache_dir=cache).run()
    assert tree_digest(tmp_path / "again") == tree_digest(cold)


def _fail() -> RecordData:
    raise AssertionError("an unchanged record was loaded")


# --------------------------------------------------------------------------- #
# Primed by the validation workers (site_data.BudgetPrimer)
# --------------------------------------------------------------------------- #


def test_primed_folders_make_the_export_a_cache_hit(records, cold, tmp_path) -> None:
    """Folders written ahead by a primer: the export loads no record and writes the same bytes."""
    cache = tmp_path / "cache"
    lazy = Items(records)
    primer = site_data.BudgetPrimer(META, None, None, cache)
    for record in records:
        primer(record, lazy.key(record.budget.budget_id))
    assert not list((cache / site_data.PRIME_DIR).rglob("*.csv"))  # scratch folders removed
    site_data.clear_primers(cache)
    assert not (cache / site_data.PRIME_DIR).exists()
    data = tmp_path / "data"
    write_site_data(lazy.items(), data, META, cache_dir=cache)
    assert lazy.loads == []  # every folder and every table came from the cache
    assert tree_digest(data) == tree_digest(cold)


def test_a_primer_keeps_two_files_of_one_budget_id_apart(records, tmp_path) -> None:
    """Two files claiming one budget id are primed under their own keys, never mixed."""
    cache = tmp_path / "cache"
    record = records[0]
    other = replace(record, source_file=record.source_file.replace(".yaml", " copy.yaml"))
    primer = site_data.BudgetPrimer(META, None, None, cache)
    primer(record, "first")
    primer(other, "second")
    budget_id = record.budget.budget_id
    first = tmp_path / "first"
    write_site_data([LazyRecord(budget_id, lambda: record, "first")], first, META, cache_dir=cache)
    cold_first = tmp_path / "cold-first"
    write_site_data([record], cold_first, META)
    assert tree_digest(first) == tree_digest(cold_first)


def _primed(records: list[RecordData], tmp_path: Path) -> tuple[Items, Path, Path]:
    """Every record primed as the site's validation workers do: the folders left in a staging area."""
    cache, staged = tmp_path / "cache", tmp_path / "data" / site_data.PRIMED_DIR
    items = Items(records)
    primer = site_data.BudgetPrimer(META, None, None, cache, stage_dir=staged)
    for record in records:
        primer(record, items.key(record.budget.budget_id))
    site_data.clear_primers(cache)
    return items, cache, staged


def _export_staged(items: Items, tmp_path: Path, cache: Path, staged: Path) -> Path:
    data = tmp_path / "data"
    write_site_data(items.items(), data, META, cache_dir=cache, staged_dir=staged)
    return data


def test_staged_folders_are_moved_into_place_whole(records, cold, tmp_path) -> None:
    """A folder the primer staged becomes the site's folder by one rename: the same directory, its files the cache's."""
    items, cache, staged = _primed(records, tmp_path)
    ids = [r.budget.budget_id for r in records]
    assert sorted(p.name for p in staged.iterdir()) == sorted(ids)
    folders = {budget_id: (staged / budget_id).stat().st_ino for budget_id in ids}
    data = _export_staged(items, tmp_path, cache, staged)
    assert items.loads == []
    assert tree_digest(data) == tree_digest(cold)  # and nothing left of the staging area
    assert {budget_id: (data / "budgets" / budget_id).stat().st_ino for budget_id in ids} == folders
    _cached_copy(cache, data / "budgets" / ids[0] / "projects.csv")


def test_a_staged_folder_that_is_not_its_entry_is_linked_instead(records, cold, tmp_path) -> None:
    """A file or folder more, or a file that is a copy and not the cache's: not used; the bytes stay right."""
    items, cache, staged = _primed(records, tmp_path)
    extra, copied, folder = (r.budget.budget_id for r in records[:3])
    (staged / extra / "notes.csv").write_text("stale\n")
    (staged / folder / "excel" / "old").mkdir()
    target = staged / copied / "projects.csv"
    content = target.read_bytes()
    target.unlink()
    target.write_bytes(content)
    moved = {budget_id: (staged / budget_id).stat().st_ino for budget_id in (extra, copied, folder)}
    data = _export_staged(items, tmp_path, cache, staged)
    assert items.loads == []
    assert tree_digest(data) == tree_digest(cold)
    assert not (data / "budgets" / folder / "excel" / "old").exists()
    assert all((data / "budgets" / budget_id).stat().st_ino != inode for budget_id, inode in moved.items())


def test_of_two_files_of_one_budget_id_the_second_is_linked_from_its_own_entry(records, tmp_path) -> None:
    """The first file's folder holds the staging place; the second file's export does not take it."""
    cache, staged = tmp_path / "cache", tmp_path / "data" / site_data.PRIMED_DIR
    record = records[0]
    other = replace(record, source_file=record.source_file.replace(".yaml", " copy.yaml"))
    primer = site_data.BudgetPrimer(META, None, None, cache, stage_dir=staged)
    primer(record, "first")
    primer(other, "second")
    assert not list((cache / site_data.PRIME_DIR).rglob("*.csv"))  # the second folder was removed, not staged
    budget_id = record.budget.budget_id
    write_site_data([LazyRecord(budget_id, _fail, "second")], tmp_path / "data", META, cache_dir=cache, staged_dir=staged)
    cold_other = tmp_path / "cold-other"
    write_site_data([other], cold_other, META)
    assert tree_digest(tmp_path / "data") == tree_digest(cold_other)
