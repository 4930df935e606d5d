"""Render the sample briefing's HTML in headless Chromium and save docs/briefing.png, and the
page `brief serve` shows, after a question and an opened source, as docs/serve.png.

    .venv/bin/python scripts/screenshot.py   (or: make screenshot; after `make demo`)

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
SERVED = REPO / "docs" / "serve.png"
QUESTION = "How are Baidu, Alibaba and Tencent responding to the H20 ban?"


def served_page(playwright: object) -> None:
    """The demo project served on a free port, a question asked and its first source opened."""
    from policybrief.api import Project
    from policybrief.serving import access_for, create_app, open_service, running

    service = open_service(Project.open(REPO))
    with running(create_app(service, access_for("127.0.0.1"))) as url:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1280, "height": 1700}, device_scale_factor=1)
        page.goto(url + "/")
        page.fill("#question", QUESTION)
        page.click("#ask button[type=submit]")
        page.locator("#answer button.cite").first.wait_for()
        page.locator("#answer button.cite").first.click()
        page.locator("#source-text mark").wait_for()
        page.locator("li.briefing").first.click()
        page.frame_locator("#view").locator("h1").first.wait_for()
        page.screenshot(path=str(SERVED))
        browser.close()
    service.close()


def main() -> None:
    PNG.parent.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 900, "height": 1200}, device_scale_factor=1)
        page.goto(HTML.as_uri())
        page.locator("a.cite").first.hover()  # show a citation's excerpt, as a reader would
        page.screenshot(path=str(PNG), full_page=False)
        browser.close()
        served_page(playwright)
    print(f"wrote {PNG} and {SERVED}")


if __name__ == "__main__":
    main()
