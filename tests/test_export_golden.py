"""Golden descriptors, and the committed ``datapackages/`` kept up to date.

The golden files guard what the descriptors say — metadata, resources,
Table Schemas, paths — with ``bytes`` and ``hash`` masked: those change with
every content edit and are checked by ``frictionless validate`` instead.
After an intended change, rewrite them with::

    GONGKAI_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_export_golden.py

The committed ``datapackages/gongkai-budgets`` must be what
``gongkai export content --out datapackages/gongkai-budgets --formats csv``
writes today, so a content pull request has to regenerate it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from export_support import GOLDEN, REPO, UPDATE_GOLDEN, load_records, tree_digest
from gongkai.export.site_data import export_records, write_site_data
from gongkai.package import PackageMeta

BUDGET = "130532-203-2023-budget"
COMMITTED = REPO / "datapackages" / "gongkai-budgets"
REGENERATE = "gongkai export content --out datapackages/gongkai-budgets --formats csv"


@pytest.fixture(scope="module")
def records():
    return load_records(["content"])


def masked(descriptor: Any) -> Any:
    """The descriptor with file sizes and hashes replaced by placeholders."""
    if isinstance(descriptor, dict):
        return {
            k: ("<bytes>" if k == "bytes" else "<hash>" if k == "hash" else masked(v)) for k, v in descriptor.items()
        }
    if isinstance(descriptor, list):
        return [masked(v) for v in descriptor]
    return descriptor


def check_golden(name: str, descriptor_path: Path) -> None:
    actual = json.dumps(masked(json.loads(descriptor_path.read_text("utf-8"))), ensure_ascii=False, indent=2) + "\n"
    golden = GOLDEN / name
    if UPDATE_GOLDEN or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, "utf-8")
    assert actual == golden.read_text("utf-8"), f"{name} changed; if intended: GONGKAI_UPDATE_GOLDEN=1 pytest {__file__}"


def test_golden_descriptors(records, tmp_path):
    data = tmp_path / "data"
    write_site_data(records, data, PackageMeta(), ["csv"])
    check_golden("datapackage.json", data / "all" / "datapackage.json")
    check_golden(f"{BUDGET}.datapackage.json", data / "budgets" / BUDGET / "datapackage.json")


def test_golden_record_json(records, tmp_path):
    """The whole-record JSON, byte for byte: one row per line, keys in schema order, exact decimals."""
    data = tmp_path / "data"
    write_site_data(records, data, PackageMeta(), ["json"])
    actual = (data / "budgets" / BUDGET / f"{BUDGET}.json").read_bytes()
    golden = GOLDEN / f"{BUDGET}.json"
    if UPDATE_GOLDEN or not golden.exists():
        golden.write_bytes(actual)
    assert actual == golden.read_bytes(), f"{golden.name} changed; if intended: GONGKAI_UPDATE_GOLDEN=1 pytest {__file__}"
    assert json.loads(actual)["budget_id"] == BUDGET


def test_descriptor_metadata_is_complete(records, tmp_path):
    meta = PackageMeta(license_name="ODbL-1.0", license_title="Open Data Commons ODbL", license_path="https://opendatacommons.org/licenses/odbl/1-0/")
    data = tmp_path / "data"
    write_site_data(records, data, meta, ["csv"])
    for path in (data / "all" / "datapackage.json", data / "budgets" / BUDGET / "datapackage.json"):
        package = json.loads(path.read_text("utf-8"))
        for key in ("title", "description", "licenses", "sources", "contributors", "version", "created"):
            assert package[key], (path, key)
        assert package["licenses"] == [{"name": "ODbL-1.0", "title": "Open Data Commons ODbL", "path": meta.license_path}]
        for resource in package["resources"]:
            assert resource["bytes"] > 0 and resource["hash"].startswith("sha256:")
    budget = json.loads((data / "budgets" / BUDGET / "datapackage.json").read_text("utf-8"))
    assert budget["name"] == f"gongkai-budgets-{BUDGET}"
    assert budget["created"] == "2023-01-01T00:00:00Z" and len(budget["sources"]) == 1


def test_committed_datapackages_are_up_to_date(records, tmp_path):
    out = tmp_path / "gongkai-budgets"
    export_records(records, dataset_dir=out, budgets_dir=None, formats=["csv"])
    fresh, committed = tree_digest(out), tree_digest(COMMITTED) if COMMITTED.exists() else {}
    stale = sorted(k for k in set(fresh) | set(committed) if fresh.get(k) != committed.get(k))
    assert not stale, f"datapackages/ is out of date ({', '.join(stale[:5])}…); run: {REGENERATE}"
