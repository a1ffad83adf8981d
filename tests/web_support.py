"""Helpers for the tests that look at built pages: a local static server, HTML facts.

The browser tests serve a built site on 127.0.0.1 the way any static host
would, with nothing but the standard library; the page checks share the
HTML void elements.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

#: Elements without an end tag (https://html.spec.whatwg.org/multipage/syntax.html#void-elements).
VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


@contextmanager
def serve_directory(directory: Path) -> Iterator[str]:
    """Serve ``directory`` on a free port of 127.0.0.1; yields the origin, ``http://127.0.0.1:PORT``.

    Serving starts at once, so a test can build the site into ``directory``
    after learning the port (Material's instant navigation needs it in ``site_url``).
    """
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(directory))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
