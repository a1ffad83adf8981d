"""What keeps a ``mkdocs serve`` rebuild fast must never keep stale output.

* :func:`frame_fingerprint` does not walk installed theme folders (Material's
  14,000 files), but still sees any change in the docs and template folders
  a site owns, and a replaced (upgraded) installed folder;
* :class:`MemoryBytecodeCache` reuses compiled templates across Jinja
  environments, and compiles an edited template again.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import jinja2
from gongkai.mkdocs_plugin.reuse import INSTALLED, frame_fingerprint
from gongkai.site.render import TEMPLATE_CODE, MemoryBytecodeCache, Renderer, search_path


def _tree(root: Path, files: int) -> Path:
    for i in range(files):
        path = root / f"d{i % 3}" / f"f{i}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"<p>{i}</p>", encoding="utf-8")
    return root


def _touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))


def test_an_installed_theme_folder_is_not_walked_but_owned_folders_are(tmp_path: Path) -> None:
    owned = _tree(tmp_path / "overrides", 5)
    site_packages = tmp_path / "site-packages"
    theme = _tree(site_packages / "material" / "templates", 30)
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\n", encoding="utf-8")

    def fingerprint() -> str:
        return frame_fingerprint(config, [owned, theme], installed=[site_packages])

    first = fingerprint()
    _touch(theme / "d1" / "f1.html", "<p>changed inside the installed theme</p>")
    assert fingerprint() == first  # not walked: the package does not change while serving
    _touch(owned / "d0" / "f3.html", "<p>an edited override</p>")
    second = fingerprint()
    assert second != first
    shutil.rmtree(theme)  # an upgrade replaces the package's folder
    _tree(theme, 30)
    assert fingerprint() != second
    # without the installed roots, the same folder is walked file by file
    walked = frame_fingerprint(config, [owned, theme], installed=[])
    _touch(theme / "d2" / "f2.html", "<p>seen now</p>")
    assert frame_fingerprint(config, [owned, theme], installed=[]) != walked


def test_the_installed_roots_are_this_interpreters_package_folders() -> None:
    import mkdocs

    assert any(Path(mkdocs.__file__).resolve().is_relative_to(root) for root in INSTALLED)
    assert not any(Path(__file__).resolve().is_relative_to(root) for root in INSTALLED)


def test_compiled_templates_are_reused_and_an_edited_one_is_compiled_again(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "page.html").write_text("<h1>{{ title }}</h1>", encoding="utf-8")
    code = MemoryBytecodeCache()
    compiled: list[str] = []
    real_compile = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real_compile(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)

    def render(title: str) -> str:
        env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(tmp_path)), bytecode_cache=code)
        return env.get_template("page.html").render(title=title)

    assert render("a") == "<h1>a</h1>"
    assert render("b") == "<h1>b</h1>"  # a new environment, as in each serve rebuild
    assert compiled == ["page.html"]
    (tmp_path / "page.html").write_text("<h2>{{ title }}</h2>", encoding="utf-8")
    assert render("c") == "<h2>c</h2>"  # edited: compiled again, never the stale code
    assert compiled == ["page.html", "page.html"]


def test_the_site_renderer_uses_the_process_wide_template_code() -> None:
    renderer = Renderer(search_path())
    assert renderer.env.bytecode_cache is TEMPLATE_CODE


def test_a_build_compiles_the_theme_templates_into_the_shared_code(tmp_path: Path, monkeypatch) -> None:
    """``on_env`` hands MkDocs' theme environment the process-wide cache: Material's main.html lands in it."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    project = tmp_path / "basic"
    shutil.copytree(Path(__file__).parent / "fixtures" / "sites" / "basic", project)
    cached: list[str] = []
    real_key = TEMPLATE_CODE.get_cache_key

    def recording(name: str, filename: str | None = None) -> str:
        cached.append(filename or name)
        return real_key(name, filename)

    monkeypatch.setattr(TEMPLATE_CODE, "get_cache_key", recording)
    monkeypatch.setenv("NO_MKDOCS_2_WARNING", "1")
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(tmp_path / "out"))
    config.plugins.on_startup(command="build", dirty=False)
    build(config)
    assert (tmp_path / "out" / "index.html").is_file()
    assert any(path.endswith(os.path.join("material", "templates", "main.html")) for path in cached), cached[:5]
    assert any(os.path.join("gongkai", "department_year.html") in path for path in cached), cached[:5]


def test_tables_set_aside_come_back_exactly_as_markdown_writes_them() -> None:
    """The downloads page's tables skip Markdown; the page is the same bytes as converting them."""
    import markdown
    import pytest
    from gongkai.export.pages import POLICIES
    from gongkai.mkdocs_plugin.plugin import _put_back_tables, _set_aside_tables
    from mkdocs.exceptions import PluginError

    def table(rows: int) -> str:
        body = "\n".join(f'<tr><td><a href="../data/b{i}/">部门 {i} &amp; *x*</a></td><td>{i}</td></tr>' for i in range(rows))
        return f"<table>\n<thead><tr><th>部门</th><th>年度</th></tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"

    text = "\n".join(
        ["# 数据下载", "", "说明 **加粗**。", "", "## 全部数据", "", table(3), "### 各数据表", "", table(1),
         "## 各部门年度", "", "共 2 条。", "", table(40), POLICIES.format(dictionary="dictionary.md")]
    )  # fmt: skip
    extensions = ["tables", "toc", "admonition", "attr_list"]
    expected = markdown.markdown(text, extensions=extensions)
    listing, tables = _set_aside_tables(text)
    assert len(tables) == 3 and "<tr>" not in listing
    assert _put_back_tables(markdown.markdown(listing, extensions=extensions), tables) == expected
    with pytest.raises(PluginError, match="第 1 个表格"):
        _put_back_tables("<p>nothing</p>", tables)
