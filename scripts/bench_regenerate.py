"""Time `brief regenerate` when nothing changed and when one cited document changed.

    .venv/bin/python scripts/bench_regenerate.py [--docs 5000] [--repeats 3] [--workdir DIR]

Two projects: the sample corpus with its briefing, and a corpus of SciFact abstracts written as
Markdown files with a three-section spec. Every figure is the wall time of a `brief` process
(what a user waits for), median over repeats; the full `brief generate` of the same briefing,
measured in the same run, is the baseline for the ratios. The SciFact project is built once in
the work folder (its first ingest embeds the corpus: several minutes).
"""

from __future__ import annotations

import argparse
import itertools
import json
import shutil
import statistics
import tempfile
from pathlib import Path

from benchkit import REPO, brief_command, scifact_records, table_head, wall_time, write_markdown

SCIFACT_SPEC = """title: Evidence digest
audience: Research staff
sections:
  - heading: Vitamin D
    questions: ["Is vitamin D deficiency associated with disease risk?"]
    max_statements: 3
  - heading: Cancer genetics
    questions: ["Which gene mutations are associated with colorectal cancer?"]
    max_statements: 3
  - heading: Malaria prevention
    questions: ["How effective are drugs for preventing malaria?"]
    max_statements: 3
"""


def brief(project: Path, *args: str) -> float:
    """Run `brief` in a fresh process; returns its wall time in seconds."""
    return wall_time(brief_command(project, *args))


def sample_project(root: Path) -> tuple[Path, str]:
    shutil.copytree(REPO / "corpus", root / "corpus")
    shutil.copytree(
        REPO / "briefings" / "ai-independence",
        root / "briefings" / "ai-independence",
        ignore=shutil.ignore_patterns("history", "briefing.*", "sources.json"),
    )
    return root, "ai-independence"


def scifact_project(root: Path, shared: Path, count: int) -> tuple[Path, str]:
    corpus = root / "corpus"
    if not corpus.is_dir():
        write_markdown(corpus, itertools.islice(scifact_records(shared), count))
    spec = root / "briefings" / "digest" / "spec.yaml"
    if not spec.exists():  # a project copied from scripts/bench.py has the corpus only
        spec.parent.mkdir(parents=True)
        spec.write_text(SCIFACT_SPEC, encoding="utf-8")
    return root, "digest"


def measure(project: Path, name: str, repeats: int) -> dict[str, float]:
    figures = {"ingest (first, or no-op on a reused project)": brief(project, "ingest")}
    figures["generate (full, baseline)"] = statistics.median(
        brief(project, "generate", name) for _ in range(repeats)
    )
    figures["regenerate, nothing changed"] = statistics.median(
        brief(project, "regenerate") for _ in range(repeats)
    )
    lock = json.loads((project / "briefings" / name / "sources.json").read_text("utf-8"))
    cited = lock["sections"][0]["statements"][0]["citations"][0]["doc_id"]
    path = project / "corpus" / cited
    changed = []
    for repeat in range(repeats):
        note = f"A note added in benchmark round {repeat} about this evidence.\n\n"
        text = path.read_text("utf-8")
        # Before the sample's trailing boilerplate, which the loader drops; else at the end.
        cut = text.find("Opinions") if "Opinions" in text else len(text)
        path.write_text(text[:cut] + "\n" + note + text[cut:], encoding="utf-8")
        changed.append(brief(project, "regenerate"))
    figures["regenerate, one cited document changed"] = statistics.median(changed)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-regenerate-"))
    sample_root = work / "sample"
    shutil.rmtree(sample_root, ignore_errors=True)
    projects = {
        "sample corpus (1 document)": sample_project(sample_root),
        f"SciFact abstracts ({args.docs} documents)": scifact_project(
            work / f"scifact-{args.docs}", args.shared, args.docs
        ),
    }
    print(f"work folder: {work}; median of {args.repeats}; seconds (ratio to full generate)\n")
    print(table_head("corpus", "step", "seconds", "ratio to generate"))
    for label, (project, name) in projects.items():
        figures = measure(project, name, args.repeats)
        baseline = figures["generate (full, baseline)"]
        for step, seconds in figures.items():
            ratio = "" if step.startswith("ingest") else f"{seconds / baseline:.2f}"
            print(f"| {label} | {step} | {seconds:.2f} | {ratio} |", flush=True)


if __name__ == "__main__":
    main()
