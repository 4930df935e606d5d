"""Precision and recall of the citation verifier on a hand-labelled set of statements.

    .venv/bin/python scripts/bench_verifier.py [--shared ../shared]

`scripts/data/verifier_statements.jsonl` holds statements written for this benchmark about the
sample article, five corpus-dev documents and fifteen SciFact abstracts (referenced by id; the
abstracts are read from ../shared at run time, never copied). Each is labelled `supported`
(a faithful paraphrase), `unsupported` (on topic but not said) or `altered` (a supported
statement with one number or date changed). Every statement cites all chunks of its document.

"Positive" means the verifier calls the statement unsupported. The similarity threshold is
chosen on the calibration half (documents alternately assigned by sorted source name) by best F1,
then reported on the held-out half.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from pathlib import Path

from benchkit import REPO, flagged_by, scifact_records, table_head

from policybrief.chunking import chunk_document
from policybrief.citations import Verifier
from policybrief.config import ChunkingSettings, EmbeddingSettings
from policybrief.embedders import create_embedder
from policybrief.loaders import load_document
from policybrief.types import Chunk, Document

DATA = REPO / "scripts" / "data" / "verifier_statements.jsonl"
SIMILARITY = [round(0.30 + 0.05 * i, 2) for i in range(11)]  # 0.30 … 0.80
COVERAGE = [0.0, 0.5, 0.6, 0.7, 0.75, 0.8, 0.85, 0.9]


@dataclass(frozen=True)
class Case:
    source: str
    label: str
    statement: str


def load_source(source: str, shared: Path) -> Document:
    kind, _, name = source.partition(":")
    if kind == "corpus":
        return load_document(REPO / "corpus" / name, name)
    if kind == "dev":
        return load_document(shared / "corpus-dev" / name, name)
    if kind == "scifact":
        for record in scifact_records(shared):
            if record["_id"] == name:
                return Document(name, source, record["title"], record["text"])
    raise SystemExit(f"unknown source {source}")


def scores(cases: list[Case], predicted: list[bool]) -> tuple[float, float, float]:
    truth = [c.label != "supported" for c in cases]
    tp = sum(p and t for p, t in zip(predicted, truth, strict=True))
    fp = sum(p and not t for p, t in zip(predicted, truth, strict=True))
    fn = sum(t and not p for p, t in zip(predicted, truth, strict=True))
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    embedder = create_embedder(EmbeddingSettings(), REPO)
    settings = ChunkingSettings()
    cases = [
        Case(**{k: v for k, v in json.loads(line).items() if k != "id"})
        for line in DATA.read_text("utf-8").splitlines()
    ]
    chunks: dict[str, list[Chunk]] = {}
    for source in sorted({c.source for c in cases}):
        chunks[source] = chunk_document(
            load_source(source, args.shared),
            embedder.count_tokens,
            model_max_tokens=embedder.max_tokens,
            max_tokens=settings.max_tokens,
            overlap_tokens=settings.overlap_tokens,
        )
    sources = sorted(chunks)
    calibration = {s for i, s in enumerate(sources) if i % 2 == 0}

    verifier = Verifier(embedder, 0.0)  # one verifier, so embeddings are computed once

    def verdicts(threshold: tuple[float, float]) -> list[bool]:
        verifier.min_support, verifier.min_coverage = threshold
        return [flagged_by(verifier, case.statement, chunks[case.source])[0] for case in cases]

    grid = [(s, c) for s in SIMILARITY for c in COVERAGE]
    runs = {t: verdicts(t) for t in grid}
    cal = [i for i, c in enumerate(cases) if c.source in calibration]
    held = [i for i, c in enumerate(cases) if c.source not in calibration]

    def part(indices: list[int], threshold: tuple[float, float]) -> tuple[float, float, float]:
        return scores([cases[i] for i in indices], [runs[threshold][i] for i in indices])

    best = max(grid, key=lambda t: (part(cal, t)[2], part(cal, t)[0], -t[1]))
    print(
        f"{len(cases)} statements: "
        + ", ".join(
            f"{label} {sum(c.label == label for c in cases)}"
            for label in ("supported", "unsupported", "altered")
        )
    )
    print(
        f"calibration {len(cal)} statements, held-out {len(held)}; chosen: similarity "
        f"{best[0]}, coverage {best[1]}\n"
    )
    print(
        table_head(
            "min similarity", "min coverage", "calibration P / R / F1", "held-out P / R / F1"
        )
    )
    shown = [(s, 0.0) for s in SIMILARITY[::2]] + [(best[0], c) for c in COVERAGE]
    for t in dict.fromkeys([*shown, best]):
        c, h = part(cal, t), part(held, t)
        mark = " (chosen)" if t == best else ""
        print(
            f"| {t[0]}{mark} | {t[1]} | {c[0]:.2f} / {c[1]:.2f} / {c[2]:.2f} | "
            f"{h[0]:.2f} / {h[1]:.2f} / {h[2]:.2f} |"
        )
    print("\nAt the chosen threshold, held-out, by label (share called unsupported):")
    for label in ("supported", "unsupported", "altered"):
        rows = [i for i in held if cases[i].label == label]
        share = sum(runs[best][i] for i in rows) / len(rows)
        print(f"- {label}: {share:.2f} of {len(rows)}")
    print("\nMisjudged on held-out:")
    for i in held:
        if runs[best][i] != (cases[i].label != "supported"):
            print(f"- [{cases[i].label}] {cases[i].statement}")


if __name__ == "__main__":
    main()
