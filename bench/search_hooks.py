"""MkDocs hooks used by bench/search_bench.py: Gongkai's header search box, no index.

The benchmark builds the synthetic site once with these hooks (the theme override
only, as the plugin's ``on_config`` will do) and then times ``index_site`` on the
built site separately, for each variant it measures.
"""

from __future__ import annotations

from gongkai.search import register_theme_dir


def on_config(config):
    register_theme_dir(config.theme.dirs)
    return config
