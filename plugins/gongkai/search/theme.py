"""The theme override that puts the search box into Material's header.

Material renders its header search only when its own ``search`` plugin is
enabled, and ``partials/header.html`` has no block to hook into. So the override
is a copy of Material's ``partials/header.html`` in which the search block is
replaced by ``{% include "partials/gongkai-search.html" %}`` — nothing else
changes. :func:`header_override_from` makes that copy from Material's file, and a
test checks that the shipped copy equals ``header_override_from(installed
Material)``, so a Material upgrade that changes its header fails the tests
instead of silently reverting the header. To refresh the copy::

    python -m gongkai.search refresh-header
"""

from __future__ import annotations

import re
from pathlib import Path

from gongkai.search.indexer import SearchIndexError

SEARCH_PARTIAL = "partials/gongkai-search.html"
"""The search box partial; a site's ``custom_dir`` may override it."""

_THEME_DIR = Path(__file__).resolve().parent / "theme"

# Material 9.x: from the search condition up to (not including) the repository
# source block, or the end of the header's <nav>.
_SEARCH_BLOCK = re.compile(
    r'(?P<indent>[ \t]*)\{% if "material/search" in config\.plugins %\}.*?\n'
    r"(?=[ \t]*(?:\{% if config\.repo_url %\}|</nav>))",
    re.DOTALL,
)


_GENERATED = re.compile(r"\A\{#-.*?automatically generated.*?-#\}\n", re.DOTALL)
_NOTE = (
    "{#-\n"
    "  Gongkai: Material's partials/header.html with its search block replaced by\n"
    f'  {{% include "{SEARCH_PARTIAL}" %}}. Generated; do not edit. Refresh after a\n'
    "  Material upgrade with: python -m gongkai.search refresh-header\n"
    "-#}\n"
)


def theme_dir() -> Path:
    """The template directory to put before Material's in ``config.theme.dirs``.

    It holds ``partials/header.html`` (Material's header with our search box),
    ``partials/gongkai-search.html`` (the box) and ``assets/gongkai-search/``
    (``search.js``, ``search.css``), which MkDocs copies into the site like any
    static file of a theme directory.
    """
    return _THEME_DIR


def register_theme_dir(dirs: list[str]) -> list[str]:
    """Insert :func:`theme_dir` into a theme's template directories, in place.

    It goes right before Material's own ``templates`` directory: after a site's
    ``custom_dir`` and any directory a plugin registered earlier, so those can
    still override ``partials/gongkai-search.html`` or the header. Calling it
    twice does nothing more.

    Args:
        dirs: ``config.theme.dirs`` of an MkDocs config (in ``on_config``).

    Returns:
        The same list, for chaining.

    Raises:
        SearchIndexError: The theme is not Material.
    """
    ours = str(_THEME_DIR)
    if ours in dirs:
        return dirs
    for i, d in enumerate(dirs):
        parts = Path(d).parts
        if parts[-2:] == ("material", "templates"):
            dirs.insert(i, ours)
            return dirs
    raise SearchIndexError(
        "the search box needs the Material theme (theme: name: material); "
        f"theme directories are {dirs}"
    )


def header_override_from(material_header: str) -> str:
    """Material's ``partials/header.html`` with its search block replaced by ours.

    Args:
        material_header: The text of Material's ``partials/header.html``.

    Returns:
        The override's text.

    Raises:
        SearchIndexError: The search block was not found (a Material release
            changed the header): the override must be revisited by hand.
    """
    match = _SEARCH_BLOCK.search(material_header)
    if match is None:
        raise SearchIndexError(
            "Material's partials/header.html has no recognisable search block; "
            "update gongkai.search.theme for this Material version"
        )
    indent = match.group("indent")
    replacement = f'{indent}{{% include "{SEARCH_PARTIAL}" %}}\n'
    text = material_header[: match.start()] + replacement + material_header[match.end() :]
    return _NOTE + _GENERATED.sub("", text, count=1)


def material_header_path() -> Path:
    """The installed Material's ``partials/header.html``."""
    import material

    return Path(material.__file__).resolve().parent / "templates" / "partials" / "header.html"


def write_header_override() -> Path:
    """Rewrite the shipped header override from the installed Material; return its path."""
    text = header_override_from(material_header_path().read_text(encoding="utf-8"))
    target = _THEME_DIR / "partials" / "header.html"
    target.write_text(text, encoding="utf-8")
    return target
