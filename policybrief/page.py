"""The page ``brief serve`` shows at ``/`` (``page.html``): one self-contained document, with
no external assets.

Everything a document says reaches the page through ``textContent`` (never ``innerHTML``), and
a briefing is shown in a sandboxed frame that runs no script, so a source cannot inject any.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path


@cache
def _page() -> str:
    return Path(__file__).with_name("page.html").read_text("utf-8")


def render_page(token: str, needs_token: bool) -> str:
    """The page, with the write token built in only when the service is bound to loopback
    (``token`` empty otherwise: the page asks for it, at once when reads need it too)."""
    # (a JSON string, with "<" escaped, so that the token cannot end the script element)
    page = _page().replace("__TOKEN__", json.dumps(token).replace("<", "\\u003c"))
    return page.replace("__NEEDS_TOKEN__", "true" if needs_token else "false")
