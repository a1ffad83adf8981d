"""Every option of the gongkai MkDocs plugin is documented, with its default and an example."""

from __future__ import annotations

import re
from pathlib import Path

from gongkai.mkdocs_plugin.config import GongkaiConfig

DOC = Path(__file__).resolve().parents[1] / "docs" / "reference" / "plugin-options.md"


def _sections() -> dict[str, str]:
    text = DOC.read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z_]+)`\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts), 2)}


def _yaml(default: object) -> str | None:
    """How the default is written in YAML (``None``: there is none, e.g. taken from MkDocs)."""
    if default is None:
        return None
    if isinstance(default, bool):
        return "true" if default else "false"
    if default == "":
        return '""'
    return str(default)


def test_every_option_has_a_section_with_default_and_example():
    sections = _sections()
    options = [name for name, _ in GongkaiConfig._schema]
    assert options[0] == "enabled"
    missing = [name for name in options if name not in sections]
    assert not missing, f"undocumented plugin options: {missing} (add a section to {DOC.name})"
    for name, option in GongkaiConfig._schema:
        body = sections[name]
        shown = _yaml(option.default)
        assert "默认" in body, name
        if shown is not None:
            assert f"`{shown}`" in body or "默认使用" in body, (
                f"{name}: default {shown!r} not stated"
            )
        assert f"```yaml\n- gongkai:\n    {name}:" in body, f"{name}: no YAML example"


def test_no_section_for_an_option_that_does_not_exist():
    options = {name for name, _ in GongkaiConfig._schema}
    assert set(_sections()) <= options
