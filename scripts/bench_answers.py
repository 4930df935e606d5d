"""What gets quoted: answers and briefings scored against labelled questions and key facts.

    .venv/bin/python scripts/bench_answers.py [--json OUT] [--show] [--splits news-e,news-f]

The labels in ``scripts/data/answers/`` were written from the source documents alone, before any
tuning, by someone who did not see the tool's output; about 40% of them are held out
(``split: heldout``) and reported apart. Two projects are built in a temporary folder: the sample
article (``corpus/``) and ``../shared/corpus-dev`` (its README left out), each indexed with the
packaged model and asked every question of its corpus through ``Project.ask``.

Questions (``questions.jsonl``): an answerable question counts as answered with its fact when, for
every fact group, some shown statement contains one of the group's strings; an unanswerable one
counts as abstained when no statement is shown. A shown statement is off-topic when it contains
none of the question's topic terms.

Three more corpora, ``web``, ``web2`` and ``web3``, are English pages among those of
``../shared/eval/html-extraction`` (listed in ``web_pages.txt``, ``web2_pages.txt`` and
``web3_pages.txt``), with questions written for them blind. Six small news corpora written
for this benchmark, each with its questions, live in ``corpora/news-a`` … ``corpora/news-f``
(``news-d``, ``news-e`` and ``news-f`` held out: never read). ``--splits`` asks only those
splits' questions and builds no briefings.

Briefings (``specs/*.yaml`` over corpus-dev, and the sample's own spec): key-fact recall (a fact
counts when one statement contains a string of each of its groups), questions the sections
report answered, sources cited per section, and near-duplicate statement pairs (content-word
Jaccard >= 0.6, within or across sections).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "scripts" / "data" / "answers"
SHARED = REPO.parent / "shared"
SAMPLE_SPEC = REPO / "briefings" / "ai-independence" / "spec.yaml"
DUPLICATE_JACCARD = 0.6


def plain(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.casefold().split())


def carries(texts: Iterable[str], groups: Sequence[Sequence[str]]) -> bool:
    """Whether one of ``texts`` holds an alternative of every group."""
    return any(
        all(any(plain(a) in t for a in group) for group in groups) for t in map(plain, texts)
    )


def groups_met(texts: Sequence[str], groups: Sequence[Sequence[str]]) -> int:
    return sum(carries(texts, [group]) for group in groups)


def build_project(root: Path, files: Iterable[Path]) -> Any:
    from policybrief.api import Project

    (root / "corpus").mkdir(parents=True)
    for file in files:
        shutil.copy(file, root / "corpus" / file.name)
    (root / "brief.toml").write_text("", encoding="utf-8")
    project = Project.open(root)
    project.ingest()
    return project


def corpus_files(corpus: str) -> list[Path]:
    if corpus == "sample":
        return sorted((REPO / "corpus").iterdir())
    if corpus.startswith("web"):  # English articles among the main-text extraction pages
        pages = SHARED / "eval" / "html-extraction" / "pages"
        names = (DATA / f"{corpus}_pages.txt").read_text(encoding="utf-8").splitlines()
        return [pages / name for name in names if name.strip()]
    own = DATA / "corpora" / corpus  # corpora written for this benchmark
    if own.is_dir():
        return sorted(p for p in own.iterdir() if p.is_file())
    if corpus != "corpus-dev":
        raise SystemExit(f"unknown corpus {corpus!r} in the questions")
    return sorted(p for p in (SHARED / "corpus-dev").glob("*.md") if p.name != "README.md")


def load_questions(keep: Callable[[dict[str, Any]], bool]) -> list[dict[str, Any]]:
    """Every labelled question of ``questions*.jsonl`` that ``keep`` keeps, in file order."""
    return [
        row
        for path in sorted(DATA.glob("questions*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for row in [json.loads(line)]
        if keep(row)
    ]


def ask_all(projects: dict[str, Any], questions: list[dict[str, Any]], show: bool) -> list[dict]:
    rows = []
    for q in questions:
        answer = projects[q["corpus"]].ask(q["question"])
        texts = [s.text for s in answer.statements]
        off_topic = [t for t in texts if not any(term in plain(t) for term in q["topic_terms"])]
        row = {
            "id": q["id"],
            "split": q["split"],
            "kind": q["kind"],
            "answerable": q["answerable"],
            "shown": len(texts),
            "with_fact": bool(texts) and all(carries(texts, [g]) for g in q["facts"]),
            "parts_met": groups_met(texts, q["facts"]),
            "parts": len(q["facts"]),
            "off_topic": len(off_topic),
            "note": answer.note,
        }
        rows.append(row)
        if show:
            verdict = (
                ("OK " if row["with_fact"] else "MISS")
                if q["answerable"]
                else ("ABST" if not texts else "LEAK")
            )
            print(f"{verdict} {q['id']} [{q['split']}/{q['kind']}] {q['question']}")
            for text in texts:
                print(f"       - {text[:160]}")
            if answer.note:
                print(f"       note: {answer.note[:160]}")
    return rows


def question_figures(rows: list[dict]) -> dict[str, Any]:
    answerable = [r for r in rows if r["answerable"]]
    unanswerable = [r for r in rows if not r["answerable"]]
    shown = sum(r["shown"] for r in answerable)
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for r in rows:
        by_kind[r["kind"]].append(r)
    return {
        "questions": len(rows),
        "answered_with_fact": _rate(sum(r["with_fact"] for r in answerable), len(answerable)),
        "parts_answered": _rate(
            sum(r["parts_met"] for r in answerable), sum(r["parts"] for r in answerable)
        ),
        "abstained": _rate(sum(r["shown"] == 0 for r in unanswerable), len(unanswerable)),
        "off_topic_statements": _rate(sum(r["off_topic"] for r in answerable), shown),
        "answers_with_off_topic": _rate(
            sum(r["off_topic"] > 0 for r in answerable), len(answerable)
        ),
        "by_kind": {
            kind: (
                _rate(sum(r["with_fact"] for r in group), len(group))
                if group[0]["answerable"] or kind not in {"unanswerable-far", "unanswerable-near"}
                else _rate(sum(r["shown"] == 0 for r in group), len(group))
            )
            for kind, group in sorted(by_kind.items())
        },
    }


def _rate(hits: int, total: int) -> dict[str, Any]:
    return {"hits": hits, "total": total, "rate": round(hits / total, 3) if total else None}


def content_set(text: str) -> set[str]:
    from policybrief.text import content_words

    return set(content_words(text))


def briefing_figures(project: Any, spec_path: Path, facts_path: Path, show: bool) -> dict:
    name = spec_path.stem if spec_path != SAMPLE_SPEC else "ai-independence"
    target = project.briefings_dir / name
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(spec_path, target / "spec.yaml")
    briefing = project.generate(name).briefing
    facts = json.loads(facts_path.read_text(encoding="utf-8"))["facts"]
    statements = [s.text for section in briefing.sections for s in section.statements]
    missed = [f for f in facts if not carries(statements, f["groups"])]
    words = [content_set(t) for t in statements]
    duplicates = sum(
        1
        for i in range(len(words))
        for j in range(i + 1, len(words))
        if words[i]
        and words[j]
        and len(words[i] & words[j]) / len(words[i] | words[j]) >= DUPLICATE_JACCARD
    )
    asked = sum(len(s.questions) for s in briefing.sections)
    unanswered = sum(len(getattr(s, "unanswered", ())) for s in briefing.sections)
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    if show:
        print(f"\n== {name}: {len(facts) - len(missed)}/{len(facts)} key facts")
        for section in briefing.sections:
            print(f"  ## {section.heading}")
            for s in section.statements:
                print(f"     - {s.text[:150]}")
            for q in getattr(section, "unanswered", ()):
                print(f"     (not in the sources: {q})")
        for f in missed:
            print(f"  missed {f['id']}: {f['fact']}")
    return {
        "briefing": name,
        "sections": len(briefing.sections),
        "questions": asked,
        "questions_answered": asked - unanswered,
        "statements": len(statements),
        "key_fact_recall": _rate(len(facts) - len(missed), len(facts)),
        "sources_per_section": [
            len({c.doc_id for st in s.statements for c in st.citations}) for s in briefing.sections
        ],
        "sources_available": len({p.document.doc_id for p in _evidence(briefing)}),
        "near_duplicate_pairs": duplicates,
        "max_statements_set": any("max_statements" in s for s in spec["sections"]),
    }


def _evidence(briefing: Any) -> list[Any]:
    return [p for s in briefing.sections for p in s.evidence]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--show", action="store_true", help="print every answer and briefing")
    parser.add_argument(
        "--splits", help="only these question splits (comma-separated), and no briefings"
    )
    args = parser.parse_args()
    only = set(args.splits.split(",")) if args.splits else None
    questions = load_questions(lambda row: only is None or row["split"] in only)
    with tempfile.TemporaryDirectory() as tmp:
        briefed = [] if only else ["sample", "corpus-dev"]
        projects = {
            corpus: build_project(Path(tmp) / corpus, corpus_files(corpus))
            for corpus in dict.fromkeys([*briefed, *(q["corpus"] for q in questions)])
        }
        rows = ask_all(projects, questions, args.show)
        splits = [*dict.fromkeys(r["split"] for r in rows), "all"]
        figures: dict[str, Any] = {
            split: question_figures([r for r in rows if split == "all" or r["split"] == split])
            for split in splits
        }
        figures["briefings"] = (
            []
            if only
            else [
                briefing_figures(
                    projects["sample"], SAMPLE_SPEC, DATA / "facts/ai-independence.json", args.show
                )
            ]
            + [
                briefing_figures(
                    projects["corpus-dev"], spec, DATA / "facts" / f"{spec.stem}.json", args.show
                )
                for spec in sorted((DATA / "specs").glob("*.yaml"))
            ]
        )
        for project in projects.values():
            project.close()
    print(json.dumps(figures, indent=1))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
