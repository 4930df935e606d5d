"""Main text of real web pages: the loader against the hand-written checks in
../shared/eval/html-extraction, on a slice of its 150 pages (scripts/bench_html.py runs all)."""

from __future__ import annotations

import sys

from tests.conftest import REPO, SHARED

sys.path.insert(0, str(REPO / "scripts"))
from bench_html import extracted, load_pages, score

from policybrief.loaders import parse_html


def test_the_loader_keeps_main_text_as_well_as_trafilatura_and_fails_no_page() -> None:
    import trafilatura

    pages = load_pages(SHARED, limit=40)
    ours = score(lambda html: extracted(parse_html(html, "p", "p", "p")), pages)
    theirs = score(lambda html: trafilatura.extract(html) or "", pages)
    assert ours["failed"] == 0
    assert ours["f1"] >= theirs["f1"] - 0.005
    assert ours["precision"] >= 0.85 and ours["recall"] >= 0.85
