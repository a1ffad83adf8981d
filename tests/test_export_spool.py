"""``gongkai export`` renders each record's dataset rows where it validates it.

The whole-dataset export used to load every record twice: once to validate
it, once to write it. Now the validation worker spools the rows it renders
(:mod:`gongkai.export.spool`). The files must be the bytes an export of the
loaded records writes, for any number of processes; every file is read once;
an export that fails leaves nothing behind, not even its spool.
"""

from __future__ import annotations

from pathlib import Path

import gongkai.export as export_module
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


def test_a_failed_export_writes_nothing_and_leaves_no_spool(synth_site, tmp_path, monkeypatch, capsys):
    site = tmp_path / "site"
    site.mkdir()
    (site / "content").symlink_to(synth_site / "content")
    broken = tmp_path / "broken"
    broken.mkdir()
    first = sorted((synth_site / "content").rglob("*.yaml"))[0]
    text = first.read_text("utf-8").replace("fiscal_year:", "fiscal_year: 二〇二三\nx_unused:", 1)
    (broken / first.name).write_text(text, "utf-8")
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    assert main(["export", "site/content", "broken", "--out", str(out), "--jobs", "1"]) == 1
    assert not out.exists()
    assert _leftovers(tmp_path) == []
    assert first.name in capsys.readouterr().err


def test_the_hook_sees_each_valid_report_with_its_rows_and_position(synth_site):
    paths = sorted((synth_site / "content").rglob("*.yaml"))[:10]
    seen: list[tuple[int, str, bool]] = []
    reports = list(
        validate_files(paths, jobs=1, hook=lambda i, r: seen.append((i, r.display, r.tables is not None)))
    )
    assert [(i, display) for i, display, _ in seen] == [(i, str(p)) for i, p in enumerate(paths)]
    assert all(has_rows for *_, has_rows in seen)
    assert [r.display for r in reports] == [str(p) for p in paths]
