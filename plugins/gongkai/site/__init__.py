"""The site generator core: page contexts, charts and HTML, with no MkDocs import.

MkDocs 2.0 drops plugins and Material reaches end of life in 2027, so the
rendering lives here as a plain library that any front end (the MkDocs
adapter in :mod:`gongkai.mkdocs_plugin`, a future static generator, tests)
drives with loaded and validated records:

* :mod:`.format` — money, counts and percentages as the pages show them;
* :mod:`.charts` — server-side SVG charts (no JavaScript chart library);
* :mod:`.budget_view` — the department-year page context;
* :mod:`.catalogue` — the collection view: departments, regions, years, rows;
* :mod:`.collection_views` — contexts of the index, comparison and quality pages;
* :mod:`.pages` — which pages exist and where (URLs only from validated ids);
* :mod:`.render` — Jinja2 templates, looked up in a site's directory first;
* :mod:`.build` — the page set and rendered HTML for a set of reports;
* :mod:`.source` — loading and validating the content directory (summaries, record store);
* :mod:`.pickles` — the on-disk caches' file handling.
"""
