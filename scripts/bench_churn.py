"""Churn: how many statements change in each section after an unrelated change to the corpus.

    .venv/bin/python scripts/bench_churn.py [--shared ../shared]
    PYTHONPATH=/path/to/older/checkout .venv/bin/python scripts/bench_churn.py   # a baseline

A project of eight corpus-dev documents with a four-section spec (a bottom line of three
statements, CHIPS Act funding, critical minerals, the AI Diffusion Rule) is generated; then,
each from that same start:

- ``add``: a document on none of the sections' topics is added (the April 2024 BIS
  clarifications), and ``brief regenerate`` runs;
- ``delete``: a document no section cites is deleted, and ``brief regenerate`` runs.

For each section it prints the statements that changed (in one version and not the other) and
whether any source number of a kept statement changed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from benchkit import REPO, table_head
from click.testing import CliRunner

from policybrief.cli import cli

DOCS = [
    "wikipedia-chips-and-science-act.md",
    "2024-12-13_select-committee-weekly-recap-critical-minerals.md",
    "2025-04-11_senate-ricketts-letter-ai-diffusion-rule.md",
    "2025-07-31_senate-warren-rounds-ai-infrastructure-letter.md",
    "2022-10-07_bis-press-release-advanced-computing-controls-prc.md",
    "2022-10-13_fr-2022-22037-public-briefing-advanced-computing-rule.md",
    "2023-10-17_bis-press-release-strengthens-restrictions.md",
    "2025-12-03_senate-warren-h200-statement.md",
]
UNRELATED = "2024-04-04_bis-press-release-clarifications-advanced-computing-rules.md"
SPEC = """
title: Chips, minerals and the AI Diffusion Rule
sections:
  - heading: Bottom line
    questions: ["What is the bottom line on US chip policy toward China?"]
    max_statements: 3
  - heading: CHIPS Act funding
    questions: ["How much funding does the CHIPS and Science Act provide for semiconductors?"]
  - heading: Critical minerals
    questions: ["What is Congress doing about US dependence on China for critical minerals?"]
  - heading: AI Diffusion Rule
    questions: ["What have senators said about the AI Diffusion Rule?"]
"""


def brief(root: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["--project", str(root), *args], catch_exceptions=False)
    if result.exit_code != 0:
        raise SystemExit(result.output)
    return str(result.output)


def said(root: Path) -> tuple[dict[str, set[str]], dict[str, int]]:
    lock = json.loads((root / "briefings" / "b" / "sources.json").read_text("utf-8"))
    sections = {s["heading"]: {st["text"] for st in s["statements"]} for s in lock["sections"]}
    return sections, {s["doc_id"]: s["number"] for s in lock["sources"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    dev = args.shared / "corpus-dev"
    with tempfile.TemporaryDirectory() as tmp:
        start = Path(tmp) / "start"
        (start / "corpus").mkdir(parents=True)
        for name in DOCS:
            shutil.copy(dev / name, start / "corpus" / name)
        (start / "briefings" / "b").mkdir(parents=True)
        (start / "briefings" / "b" / "spec.yaml").write_text(SPEC, "utf-8")
        brief(start, "ingest")
        brief(start, "generate", "b")
        before, numbers = said(start)
        cited = set(numbers)
        uncited = next(name for name in DOCS if name not in cited)
        print(
            table_head("change", "section", "statements before", "changed", "source numbers kept")
        )
        for change in ("add", "delete"):
            root = Path(tmp) / change
            shutil.copytree(start, root)
            if change == "add":
                shutil.copy(dev / UNRELATED, root / "corpus" / UNRELATED)
            else:
                (root / "corpus" / uncited).unlink()
            brief(root, "regenerate")
            after, renumbered = said(root)
            kept = all(renumbered[d] == numbers[d] for d in renumbered if d in numbers)
            for heading, statements in before.items():
                changed = len(statements ^ after.get(heading, set()))
                print(f"| {change} | {heading} | {len(statements)} | {changed} | {kept} |")


if __name__ == "__main__":
    main()
