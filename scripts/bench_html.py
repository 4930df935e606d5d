"""Main text of web pages: the HTML loader against hand-written checks on 150 real pages.

    .venv/bin/python scripts/bench_html.py [--shared ../shared] [--pages N]

Reads ``../shared/eval/html-extraction/`` (never copied into the project): per page, strings the
main text must keep (``with``) and boilerplate it must drop (``without``). Scored as trafilatura's
own evaluation does: white space normalised; tp = kept strings found, fn = kept strings missing,
fp = boilerplate found; summed over pages. Three extractors in the same run: the loader
(``parse_html``), the BeautifulSoup extractor it falls back to, and trafilatura's ``extract()``.
A page the extractor cannot read counts every ``with`` string as missing. The loaders keep
headings beside the text (chunk headings, not quotable sentences); they count as extracted.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from benchkit import REPO, table_head

from policybrief.errors import LoadError
from policybrief.loaders import decode, parse_html, parse_html_by_blocks
from policybrief.types import Document


def score(extract: Callable[[str], str], pages: list[tuple[str, dict]]) -> dict[str, float]:
    tp = fn = fp = failed = 0
    began = time.perf_counter()
    for html, checks in pages:
        try:
            text = " ".join(extract(html).split())
        except LoadError:
            text, failed = "", failed + 1
        tp += sum(" ".join(s.split()) in text for s in checks["with"])
        fn += sum(" ".join(s.split()) not in text for s in checks["with"])
        fp += sum(" ".join(s.split()) in text for s in checks["without"])
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    seconds = (time.perf_counter() - began) / max(len(pages), 1)
    return {"precision": precision, "recall": recall, "f1": f1, "failed": failed, "s": seconds}


def extracted(document: Document) -> str:
    """What a loader took from the page: its text, with the headings it keeps beside the text
    (for chunk headings, not as quotable text) put back where they stand."""
    text = document.text
    for offset, heading in sorted(document.headings, reverse=True):
        text = f"{text[:offset]}\n{heading}\n{text[offset:]}"
    return text


def load_pages(shared: Path, limit: int | None = None) -> list[tuple[str, dict]]:
    folder = shared / "eval" / "html-extraction"
    checks = json.loads((folder / "evaldata.json").read_text("utf-8"))
    pages = []
    for item in sorted(checks.values(), key=lambda c: c["file"])[:limit]:
        html = decode((folder / "pages" / item["file"]).read_bytes(), item["file"])
        pages.append((html, item))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--pages", type=int, default=None, help="only the first N pages")
    args = parser.parse_args()
    pages = load_pages(args.shared, args.pages)

    def trafilatura_extract(html: str) -> str:
        import trafilatura

        return trafilatura.extract(html) or ""

    extractors = {
        "loader (parse_html)": lambda html: extracted(parse_html(html, "p", "p", "p")),
        "BeautifulSoup blocks (the loader before)": lambda html: extracted(
            parse_html_by_blocks(html, "p", "p", "p")
        ),
        "trafilatura.extract()": trafilatura_extract,
    }
    print(f"{len(pages)} pages\n")
    print(table_head("extractor", "precision", "recall", "F1", "pages failing", "ms per page"))
    for name, extract in extractors.items():
        r = score(extract, pages)
        print(
            f"| {name} | {r['precision']:.3f} | {r['recall']:.3f} | {r['f1']:.3f} | "
            f"{r['failed']} | {r['s'] * 1000:.0f} |"
        )


if __name__ == "__main__":
    main()
