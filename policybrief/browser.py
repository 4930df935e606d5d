"""The Chromium that the browser test and ``scripts/screenshot.py`` drive through Playwright.

Debian's package, installed by ``make browser`` (the Makefile's ``CHROMIUM`` names the same
path); Playwright downloads nothing. Not used by ``brief`` itself: PDF export uses WeasyPrint.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CHROMIUM = Path("/usr/bin/chromium")
# Headless in a container as root, and quiet: no sandbox, no GPU, no calls home.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def launch_chromium(playwright: Any) -> Any:
    """A headless browser on :data:`CHROMIUM`, from ``sync_playwright()``'s ``playwright``."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(CHROMIUM_FLAGS))
