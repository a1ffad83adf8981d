"""``gongkai export`` renders each record's dataset rows where it validates it.

The whole-dataset export used to load every record twice: once to validate
it, once to write it, after validation. Now the validation worker spools the
rows it renders and a thread writes them while validation goes on
(:mod:`gongkai.export.spool`). The files must be the bytes an export of the
loaded records writes, for any number of processes; every file is read once;
the writing starts before validation ends; an export that fails leaves the
output folder as it was, and no spool behind.
"""

from __future__ import annotations

import threading
from pathlib import Path

import gongkai.export as export_module
import gongkai.export.spool as spool_module
import gongkai.validate as validate_module
import pytest
from export_support import load_records, tree_digest
from gongkai.cli import main
from gongkai.export.site_data import export_records
from gongkai.synth import write_site
from gongkai.validate import validate_files


@pytest.fixture(scope="module")
def synth_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("spool") / "site"
    write_site(root, 60, 5, 0.3, False)  # some records with findings (findings.csv)
    return root


@pytest.fixture(scope="module")
def loaded_export(synth_site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The whole dataset written from the loaded records (no spool involved)."""
    out = tmp_path_factory.mktemp("loaded") / "out"
    export_records(load_records([synth_site / "content"], base=synth_site), dataset_dir=out, budgets_dir=None)
    return tree_digest(out)


def _leftovers(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if "spool" in p.name)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_spooled_export_writes_the_bytes_of_an_export_of_the_loaded_records(
    synth_site, loaded_export, tmp_path, monkeypatch, jobs
):
    monkeypatch.chdir(synth_site)
    monkeypatch.setattr(validate_module, "PARALLEL_THRESHOLD", 0, raising=False)
    out = tmp_path / "out"
    assert main(["export", "content", "--out", str(out), "--jobs", jobs]) == 0
    assert tree_digest(out) == loaded_export
    assert _leftovers(tmp_path) == []  # the spool is gone


def test_each_file_is_loaded_once(synth_site, loaded_export, tmp_path, monkeypatch):
    monkeypatch.chdir(synth_site)
    loads: list[str] = []
    real = validate_module.load_file
    monkeypatch.setattr(validate_module, "load_file", lambda path, *a, **k: loads.append(str(path)) or real(path, *a, **k))
    monkeypatch.setattr(export_module, "load_file", lambda *a, **k: pytest.fail("a record was loaded again"))
    out = tmp_path / "out"
    assert main(["export", "content", "--out", str(out), "--jobs", "1"]) == 0
    assert len(loads) == len(set(loads)) == 60
    assert tree_digest(out) == loaded_export


def _content_with_a_broken_record(synth_site: Path, root: Path) -> str:
    """``root/content``: the synthetic records, one of them (in the middle) unreadable as a year."""
    content = root / "content"
    files = sorted((synth_site / "content").rglob("*.yaml"))
    for path in files:
        target = content / path.relative_to(synth_site / "content")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(path)
    broken = files[len(files) // 2]
    target = content / broken.relative_to(synth_site / "content")
    target.unlink()
    target.write_text(broken.read_text("utf-8").replace("fiscal_year:", "fiscal_year: 二〇二三\nx_unused:", 1), "utf-8")
    return broken.name


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_failed_export_writes_nothing_and_leaves_no_spool(synth_site, tmp_path, monkeypatch, capsys, jobs):
    broken = _content_with_a_broken_record(synth_site, tmp_path)
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert main(["export", "content", "--out", str(out), "--jobs", jobs]) == 1
    assert not out.exists()
    assert _leftovers(tmp_path) == []
    assert broken in capsys.readouterr().err


def test_a_failed_export_leaves_the_previous_export_as_it_was(synth_site, tmp_path, monkeypatch):
    monkeypatch.chdir(synth_site)
    out = tmp_path / "out"
    assert main(["export", "content", "--out", str(out), "--jobs", "2"]) == 0
    before = tree_digest(out)
    _content_with_a_broken_record(synth_site, tmp_path / "next")
    monkeypatch.chdir(tmp_path / "next")
    assert main(["export", "content", "--out", str(out), "--jobs", "2"]) == 1
    assert tree_digest(out) == before
    assert _leftovers(tmp_path) == []


def test_exporting_again_replaces_the_files_and_removes_stale_ones(synth_site, loaded_export, tmp_path, monkeypatch):
    monkeypatch.chdir(synth_site)
    out = tmp_path / "out"
    out.mkdir()
    (out / "README.md").write_text("kept", "utf-8")
    (out / "stale_table.csv").write_text("old", "utf-8")
    (out / "budgets.csv").write_text("old", "utf-8")
    assert main(["export", "content", "--out", str(out), "--jobs", "1"]) == 0
    assert (out / "README.md").read_text("utf-8") == "kept"  # not a download file: never pruned
    assert {k: v for k, v in tree_digest(out).items() if k != "README.md"} == loaded_export


def test_the_writer_starts_before_validation_ends(synth_site, loaded_export, tmp_path, monkeypatch):
    """Validation of the last file waits until the writer has read a record: without streaming, it never would."""
    monkeypatch.chdir(synth_site)
    first_read = threading.Event()
    real_result, real_prepare = spool_module.SpooledRecord.result, spool_module.DatasetPreparer.__call__

    def result(self):
        first_read.set()
        return real_result(self)

    def prepare(self, index, report):
        real_prepare(self, index, report)
        if index == 59:
            assert first_read.wait(60), "the writer read nothing while the files were being validated"

    monkeypatch.setattr(spool_module.SpooledRecord, "result", result)
    monkeypatch.setattr(spool_module.DatasetPreparer, "__call__", prepare)
    out = tmp_path / "out"
    assert main(["export", "content", "--out", str(out), "--jobs", "1"]) == 0
    assert tree_digest(out) == loaded_export


def test_the_hook_sees_each_valid_report_with_its_rows_and_position(synth_site):
    paths = sorted((synth_site / "content").rglob("*.yaml"))[:10]
    seen: list[tuple[int, str, bool]] = []
    reports = list(
        validate_files(paths, jobs=1, hook=lambda i, r: seen.append((i, r.display, r.tables is not None)))
    )
    assert [(i, display) for i, display, _ in seen] == [(i, str(p)) for i, p in enumerate(paths)]
    assert all(has_rows for *_, has_rows in seen)
    assert [r.display for r in reports] == [str(p) for p in paths]
