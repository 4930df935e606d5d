"""Does the verifier catch statements that change the source's meaning? Recall per kind of change.

    .venv/bin/python scripts/bench_meaning.py [--shared ../shared] [--show]

Two labelled sets, both read with the project's default verifier settings:

- ``scripts/data/verifier/statements_*.jsonl``: statements an LLM might write about the sample
  article and corpus-dev, written blind (by helpers who saw no code) from the documents alone.
  Each paraphrases one or two source sentences (stored as character offsets into the document,
  which is read from ``corpus/`` or ``../shared`` at run time) and cites the chunk holding them,
  as an LLM cites the passage it was given. ``faithful`` ones are supported; every other class
  changes one thing (another name, a negation, an opposite, swapped roles, a stronger quantifier
  or modal, a plan told as done, an invented cause, a number or date).
- SciFact train claims (``../shared/eval/scifact/claims_train.jsonl``) labelled SUPPORT or
  CONTRADICT against their abstracts by experts; each claim cites every chunk of its abstract.

Documents are split in halves by a hash of their name: ``calibration`` (read while building the
rules) and ``held-out`` (reported, not looked at while building them). "Flagged" = the verifier
calls the statement unsupported. Each figure is given without the meaning rules
(``policybrief.meaning``, the "before") and with them, in the same run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

from bench_verifier import load_source
from benchkit import REPO, default_verifier, flagged_by, scifact_records, table_head

from policybrief import citations
from policybrief.chunking import chunk_document
from policybrief.config import ChunkingSettings, EmbeddingSettings
from policybrief.embedders import Embedder, create_embedder
from policybrief.types import Chunk, Document

DATA = REPO / "scripts" / "data" / "verifier"


@dataclass(frozen=True)
class Case:
    doc: str  # "sample:…", "dev:…" or "scifact:…" (the split hashes this name)
    statement: str
    kind: str  # "faithful" or the class of change; SciFact: "support" / "contradict"
    start: int = -1  # the paraphrased source span, -1 = cite the whole document
    end: int = -1
    id: str = ""
    note: str = ""  # what was changed

    @property
    def changed(self) -> bool:
        return self.kind not in ("faithful", "support")

    @property
    def half(self) -> str:
        digest = hashlib.sha256(self.doc.encode()).digest()[0]
        return "calibration" if digest % 2 == 0 else "held-out"


def scifact_cases(shared: Path) -> tuple[list[Case], dict[str, Document]]:
    folder = shared / "eval" / "scifact"
    wanted: dict[str, str] = {}
    cases = []
    for line in (folder / "claims_train.jsonl").read_text("utf-8").splitlines():
        claim = json.loads(line)
        for doc_id, evidence in claim["evidence"].items():
            labels = {e["label"] for e in evidence}
            if len(labels) == 1:
                kind = labels.pop().lower()
                cases.append(Case(f"scifact:{doc_id}", claim["text"], kind))
                wanted[doc_id] = ""
    documents = {}
    for record in scifact_records(shared):
        if record["_id"] in wanted:
            name = f"scifact:{record['_id']}"
            documents[name] = Document(name, name, record["title"], record["text"])
    return cases, documents


def load_cases(shared: Path) -> tuple[list[Case], list[Case], dict[str, list[Chunk]], Embedder]:
    """The written statements, the SciFact claims, every document's chunks (as the index would
    cut them) and the packaged embedder."""
    statements = [
        Case(**json.loads(line))
        for path in sorted(DATA.glob("statements_*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
    ]
    claims, documents = scifact_cases(shared)
    for case in statements:
        if case.doc not in documents:
            # "sample:" names the demo article, which bench_verifier calls "corpus:"
            documents[case.doc] = load_source(case.doc.replace("sample:", "corpus:"), shared)
    embedder = create_embedder(EmbeddingSettings(), REPO)
    settings = ChunkingSettings()
    chunks = {
        name: chunk_document(
            document,
            embedder.count_tokens,
            model_max_tokens=embedder.max_tokens,
            max_tokens=settings.max_tokens,
            overlap_tokens=settings.overlap_tokens,
        )
        for name, document in documents.items()
    }
    return statements, claims, chunks, embedder


def cited_chunks(case: Case, chunks: dict[str, list[Chunk]]) -> list[Chunk]:
    """What the case cites: the chunks holding its source span, or the whole document."""
    every = chunks[case.doc]
    if case.start < 0:
        return every
    return [c for c in every if c.start < case.end and case.start < c.end] or every


def cases_with_citations(
    shared: Path,
) -> tuple[list[Case], list[list[Chunk]], citations.Verifier]:
    """Every case (the written statements, then the SciFact claims), what each cites, and a
    verifier with the project's default settings."""
    written, claims, chunks, embedder = load_cases(shared)
    cases = written + claims
    return cases, [cited_chunks(case, chunks) for case in cases], default_verifier(embedder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    parser.add_argument("--show", action="store_true", help="print misjudged calibration cases")
    parser.add_argument("--reasons", action="store_true", help="count why faithful ones fail")
    args = parser.parse_args()
    statements, claims, chunks, embedder = load_cases(args.shared)

    def cited(case: Case) -> list[Chunk]:
        return cited_chunks(case, chunks)

    def judge(cases: list[Case]) -> tuple[list[bool], list[str], float]:
        # A new verifier per run, so that no run reuses another's sentence embeddings.
        verifier = default_verifier(embedder)
        flagged, reasons = [], []
        began = time.perf_counter()
        for case in cases:
            flag, reason = flagged_by(verifier, case.statement, cited(case))
            flagged.append(flag)
            reasons.append(reason)
        return flagged, reasons, (time.perf_counter() - began) / max(len(cases), 1)

    every = statements + claims
    written = set(statements)
    judge(every[:20])  # warm the model and the WordNet table
    with mock.patch.object(citations, "conflicts", lambda statement, source: ""):
        before, _, before_time = judge(every)
    spent = [0.0, 0]
    rules = citations.conflicts

    def timed(statement: str, source: str) -> str:
        began = time.perf_counter()
        try:
            return rules(statement, source)
        finally:
            spent[0] += time.perf_counter() - began
            spent[1] += 1

    with mock.patch.object(citations, "conflicts", timed):
        after, reasons, after_time = judge(every)

    print(
        f"{len(statements)} written statements, {len(claims)} SciFact claim-abstract pairs.\n"
        f"Verification per statement, each citing its passages afresh (no embedding reused): "
        f"{before_time * 1000:.1f} ms without the meaning rules, {after_time * 1000:.1f} ms "
        f"with them; the rules alone {spent[0] / max(spent[1], 1) * 1000:.2f} ms per statement "
        f"they ran on ({spent[1]}).\n"
    )
    for title, group in (("Written statements", statements), ("SciFact train claims", claims)):
        members = set(group)
        print(f"## {title}\n")
        print(table_head("half", "kind", "n", "flagged before", "flagged after"))
        for half in ("calibration", "held-out"):
            rows: dict[str, list[int]] = defaultdict(list)
            for i, case in enumerate(every):
                if case in members and case.half == half:
                    rows[case.kind].append(i)
            for kind in sorted(rows, key=lambda k: (k in ("faithful", "support"), k)):
                n = len(rows[kind])
                b = sum(before[i] for i in rows[kind])
                a = sum(after[i] for i in rows[kind])
                print(f"| {half} | {kind} | {n} | {b} ({b / n:.0%}) | {a} ({a / n:.0%}) |")
            indices = [i for i, case in enumerate(every) if case in members and case.half == half]
            for label, run in (("before", before), ("after", after)):
                print(f"| {half} | **{label}** | {summary(indices, every, run)} | | |")
        print()
    if args.reasons:  # the kinds of reason, not the statements: safe to read for held-out
        for half in ("calibration", "held-out"):
            kinds = Counter(
                re.sub(r"“[^”]*”|\(similarity [\d.]+\)", "X", reasons[i])
                for i, case in enumerate(every)
                if case.half == half and not case.changed and after[i] and case in written
            )
            print(f"faithful statements flagged, {half}:", dict(kinds.most_common()))
    if args.show:
        for i, case in enumerate(every):
            if after[i] != case.changed and case.half == "calibration":
                print(f"[{case.kind}] {case.statement[:200]}\n    {reasons[i][:150]}")
                if case.start >= 0:
                    chunk = cited(case)[0]
                    source = chunk.text[case.start - chunk.start : case.end - chunk.start]
                    print(f"    source: {source[:200]}")


def summary(indices: list[int], cases: list[Case], flagged: list[bool]) -> str:
    changed = [i for i in indices if cases[i].changed]
    kept = [i for i in indices if not cases[i].changed]
    tp = sum(flagged[i] for i in changed)
    fp = sum(flagged[i] for i in kept)
    recall = tp / len(changed) if changed else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    specificity = 1 - fp / len(kept) if kept else 1.0
    balanced = (recall + specificity) / 2
    return f"P {precision:.2f} / R {recall:.2f} / BA {balanced:.2f}"


if __name__ == "__main__":
    main()
