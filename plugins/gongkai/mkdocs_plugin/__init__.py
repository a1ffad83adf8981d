"""The MkDocs adapter: a thin plugin that feeds MkDocs the pages of :mod:`gongkai.site`.

Kept deliberately small (configuration and event handlers only) because
MkDocs 2.0 drops plugins: everything that decides what a page says lives in
the front-end-independent core.
"""
