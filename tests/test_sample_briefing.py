"""The committed sample briefing: honest citations, and reproducible from the committed corpus."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from click.testing import Result

from policybrief.loaders import load_document
from policybrief.text import normalize_space
from tests.conftest import REPO

BRIEFING = REPO / "briefings" / "ai-independence"


def lock() -> dict:  # type: ignore[type-arg]
    return json.loads((BRIEFING / "sources.json").read_text("utf-8"))


def test_every_statement_cites_a_passage_that_contains_it() -> None:
    statements = [s for section in lock()["sections"] for s in section["statements"]]
    assert len(statements) >= 8
    for statement in statements:
        assert statement["citations"], statement["text"]
        for citation in statement["citations"]:
            doc = load_document(REPO / "corpus" / citation["doc_id"], citation["doc_id"])
            quoted = doc.text[citation["start"] : citation["end"]]
            assert normalize_space(quoted) == normalize_space(statement["text"])


def test_every_statement_in_the_markdown_carries_a_citation_number() -> None:
    markdown = (BRIEFING / "briefing.md").read_text("utf-8")
    bullets = [
        line
        for line in markdown.splitlines()
        if line.startswith("- ") and not line.startswith("- _Not answered")
    ]
    statements = [s["text"] for section in lock()["sections"] for s in section["statements"]]
    assert len(bullets) == len(statements)
    for line in bullets:
        assert re.search(r"\[\d+\]$", line), line
    assert "## Sources" in markdown and "1. Trump's H20 chip ban" in markdown


def test_the_committed_briefing_is_what_generate_produces(
    tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    root = tmp_path / "copy"
    for folder in ("corpus", "templates"):
        shutil.copytree(REPO / folder, root / folder)
    (root / "briefings" / "ai-independence").mkdir(parents=True)
    shutil.copy(BRIEFING / "spec.yaml", root / "briefings" / "ai-independence" / "spec.yaml")
    assert run_cli(root, "ingest").exit_code == 0
    assert run_cli(root, "generate", "ai-independence").exit_code == 0
    for name in ("briefing.md", "briefing.html"):
        produced = (root / "briefings" / "ai-independence" / name).read_text("utf-8")
        assert produced == (BRIEFING / name).read_text("utf-8"), f"{name} is out of date"


def test_the_briefing_names_every_company_product_and_figure_of_the_article() -> None:
    markdown = (BRIEFING / "briefing.md").read_text("utf-8")
    statements = markdown.split("## Sources")[0]
    for fact in (
        "Baidu",
        "Alibaba",
        "Tencent",
        "DeepSeek",
        "WeChat",
        "Hunyuan",
        "SiCarrier",
        "Huawei",
        "Shenzhen",
        "380 billion RMB",
        "$52.7 billion",
        "H20",
    ):
        assert fact in statements, fact
    assert "## Key figures" in markdown and "| 380 billion RMB |" in markdown
