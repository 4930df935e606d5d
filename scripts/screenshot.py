"""Render the sample briefing's HTML in headless Chromium and save docs/briefing.png.

    .venv/bin/python scripts/screenshot.py   (or: make screenshot)

Uses Debian's /usr/bin/chromium (`make browser`) through Playwright, with the browser test's
path and flags (policybrief/browser.py); nothing is downloaded.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

from policybrief.browser import launch_chromium

REPO = Path(__file__).resolve().parents[1]
HTML = REPO / "briefings" / "ai-independence" / "briefing.html"
PNG = REPO / "docs" / "briefing.png"


def main() -> None:
    PNG.parent.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 900, "height": 1200}, device_scale_factor=1)
        page.goto(HTML.as_uri())
        page.locator("a.cite").first.hover()  # show a citation's excerpt, as a reader would
        page.screenshot(path=str(PNG), full_page=False)
        browser.close()
    print(f"wrote {PNG}")


if __name__ == "__main__":
    main()
