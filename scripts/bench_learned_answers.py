"""Would a scorer learned from the labelled questions choose answers better than the rules?
(issue 11)

    .venv/bin/python scripts/bench_learned_answers.py [--model logistic|boosted] [--widen 0.7]

About 3 minutes. Every question of ``scripts/data/answers`` outside the held-out splits is asked
through ``Project.ask`` (as ``bench_answers.py`` does), and for each part of it the extractive
generator's own signals are recorded for every candidate sentence: cosine relevance and its
gap to the best, lexical coverage, the passage's retrieval score, the quality bonus, whether the
sentence meets the part's names, dates and kind of fact (``fits``), whether it is close enough
(``answers``), the final eligibility and ranking score, name and focus matches, whether it holds
the figure asked for, and what the question asks (a figure, a date, a person, a reason, a
speaker). A candidate is labelled an answer when it holds one of the question's expected facts;
every candidate of an unanswerable question is not.

Leave one corpus out: a logistic regression (scikit-learn, features standardised), or with
``--model boosted`` gradient-boosted trees, is trained on the other corpora and answers the
left-out one's questions. Each question then shows, per part, its best candidate above the
threshold, filled up to four statements, and is scored as ``bench_answers.py`` scores it.
Three choosers are compared on the same candidates: the rules (eligibility, then ranking
score; the simulation is checked against what ``ask`` really showed), the model alone, and the
rules widened by the model (a candidate the rules refuse is allowed when the model is sure of
it). Summary questions are left out: they are answered by centrality,
not by a fact. Deterministic: the same data give the same table.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from bench_answers import build_project, carries, corpus_files, load_questions, plain

from policybrief import extractive
from policybrief.evidence import quality
from policybrief.questions import asks_why, has_wanted, mentions

HELD_OUT = {"news-d", "news-e", "news-f", "tenth", "eleventh", "seventh"}
BUDGET = 4  # statements per answer, the default ``max_statements``
_DIGIT = re.compile(r"\d")
WANTS = ("amount", "count", "date", "place", "who", "")

Part = dict[str, Any]  # one question part: its candidates' texts and feature columns
Chooser = Callable[[Part], tuple[np.ndarray, np.ndarray]]  # (ranking score, allowed)


def record_parts(store: list[Part]) -> None:
    """Wrap the generator's judgement of a part so that it also records the part's features."""
    judge = extractive.ExtractiveGenerator._judge

    def recording(self: Any, part: Any, candidates: Sequence[Any], vectors: Any,
                  similarity: Any, documents: Any, words: Any) -> Any:  # fmt: skip
        judged = judge(self, part, candidates, vectors, similarity, documents, words)
        texts = list(documents.values())
        part = extractive._without_topic_names(extractive._without_opener(part, texts), texts)
        read = {d: extractive._Read(t, extractive._subjects(part, t)) for d, t in documents.items()}
        coverage = extractive._coverage(part, words)
        fits = [extractive._fits(part, c, read[c.citation.doc_id]) for c in candidates]
        answers = (
            self._answers(part, candidates, judged.relevance, coverage)
            if not part.summary
            else np.ones(len(candidates), dtype=bool)
        )
        relevance, score = judged.relevance, judged.score
        passage = np.array([c.passage.score for c in candidates])

        def share_named(text: str) -> float:
            return float(np.mean([mentions(text, n) for n in part.names])) if part.names else 1.0

        def reciprocal_rank(values: np.ndarray) -> np.ndarray:
            ranks = np.empty(len(values))
            ranks[np.argsort(-values)] = np.arange(len(values))
            return 1 / (1 + ranks)

        n = len(candidates)
        columns = {
            "relevance": relevance,
            "relevance_gap": relevance - relevance.max(),
            "relevance_rank": reciprocal_rank(relevance),
            "score": score,
            "score_gap": score - score.max(),
            "score_rank": reciprocal_rank(score),
            "coverage": coverage,
            "passage": passage,
            "passage_gap": passage - passage.max(),
            "quality": np.array([quality(c) for c in candidates]),
            "fits": np.array(fits, dtype=float),
            "answers": np.asarray(answers, dtype=float),
            "eligible": judged.eligible.astype(float),
            "focused": judged.focused.astype(float),
            "named": np.array([share_named(c.text) for c in candidates]),
            "named_nearby": np.array(
                [share_named(f"{c.title}\n{c.context}\n{c.text}") for c in candidates]
            ),
            "holds_wanted": np.array(
                [bool(part.wants) and has_wanted(c.text, part) for c in candidates], dtype=float
            ),
            "has_digit": np.array([bool(_DIGIT.search(c.text)) for c in candidates], dtype=float),
            "standalone": np.array([c.standalone for c in candidates], dtype=float),
            "best_relevance": np.full(n, relevance.max()),
            "names": np.full(n, float(len(part.names))),
            "speakers": np.full(n, float(bool(part.speakers))),
            "why": np.full(n, float(asks_why(part.text))),
            **{f"wants_{w or 'none'}": np.full(n, float(part.wants == w)) for w in WANTS},
        }
        store.append({"summary": part.summary, "texts": [c.text for c in candidates], **columns})
        return judged

    extractive.ExtractiveGenerator._judge = recording  # type: ignore[method-assign]


FEATURES = (
    "relevance relevance_gap relevance_rank score score_gap score_rank coverage passage"
    " passage_gap quality fits answers eligible focused named named_nearby holds_wanted"
    " has_digit standalone best_relevance names speakers why"
).split() + [f"wants_{w or 'none'}" for w in WANTS]


def matrix(part: Part) -> np.ndarray:
    return np.column_stack([part[f] for f in FEATURES])


def labels(question: dict[str, Any], part: Part) -> np.ndarray:
    if not question["answerable"]:
        return np.zeros(len(part["texts"]))
    return np.array(
        [any(carries([t], [g]) for g in question["facts"]) for t in part["texts"]], dtype=float
    )


def collect(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    store: list[Part] = []
    record_parts(store)
    asked = []
    with tempfile.TemporaryDirectory() as tmp:
        projects = {
            corpus: build_project(Path(tmp) / corpus, corpus_files(corpus))
            for corpus in dict.fromkeys(q["corpus"] for q in questions)
        }
        for q in questions:
            store.clear()
            answer = projects[q["corpus"]].ask(q["question"])
            shown = [s.text for s in answer.statements]
            asked.append({"q": q, "shown": shown, "parts": [p for p in store if not p["summary"]]})
        for project in projects.values():
            project.close()
    return asked


def show(parts: list[Part], choose: Chooser, threshold: float) -> list[str]:
    """Each part's best allowed candidate, then the best of the rest, up to BUDGET."""
    shown: list[str] = []
    pool: list[tuple[float, str]] = []
    for part in parts:
        score, allowed = choose(part)
        ok = np.flatnonzero(allowed & (score >= threshold))
        if ok.size:
            best = int(ok[np.argmax(score[ok])])
            if part["texts"][best] not in shown:
                shown.append(part["texts"][best])
            pool += [(float(score[i]), part["texts"][i]) for i in ok]
    for _, text in sorted(pool, key=lambda item: -item[0]):
        if len(shown) >= BUDGET:
            break
        if text not in shown:
            shown.append(text)
    return shown


def tally(asked: list[dict[str, Any]], shown_of: Callable[[dict[str, Any]], list[str]]) -> Counter:
    counts: Counter = Counter()
    for row in asked:
        q, shown = row["q"], shown_of(row)
        if q["answerable"]:
            counts["answerable"] += 1
            counts["answered"] += bool(shown) and all(carries(shown, [g]) for g in q["facts"])
            counts["shown"] += len(shown)
            counts["off_topic"] += sum(
                not any(term in plain(t) for term in q["topic_terms"]) for t in shown
            )
        else:
            counts["unanswerable"] += 1
            counts["abstained"] += not shown
    return counts


def why_missed(asked: list[dict[str, Any]]) -> Counter:
    """Per fact that ``ask`` did not show: no candidate sentence holds it, the rules refused
    every candidate that does, or one was allowed and outranked."""
    reasons: Counter = Counter()
    for row in asked:
        q = row["q"]
        if not q["answerable"]:
            continue
        for group in q["facts"]:
            if carries(row["shown"], [group]):
                continue
            holding = [
                part["eligible"][i] > 0
                for part in row["parts"]
                for i, text in enumerate(part["texts"])
                if carries([text], [group])
            ]
            reasons[
                "outranked" if any(holding) else "refused" if holding else "not a candidate"
            ] += 1
    return reasons


def fit(asked: list[dict[str, Any]], kind: str) -> Callable[[Part], np.ndarray]:
    """A logistic regression on standardised features, or gradient-boosted trees."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rows = [(matrix(p), labels(r["q"], p)) for r in asked for p in r["parts"]]
    model = (
        make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        if kind == "logistic"
        else HistGradientBoostingClassifier(
            max_iter=200, learning_rate=0.05, max_leaf_nodes=15, random_state=0
        )
    )
    model.fit(np.vstack([x for x, _ in rows]), np.concatenate([y for _, y in rows]))
    return lambda part: model.predict_proba(matrix(part))[:, 1]


def choosers(
    probability: Callable[[Part], np.ndarray], widen: float, threshold: float
) -> dict[str, tuple[Chooser, float]]:
    """The rules, the model alone, and the rules widened by the model, with their thresholds."""

    def rules(part: Part) -> tuple[np.ndarray, np.ndarray]:
        return part["score"], part["eligible"] > 0

    def model(part: Part) -> tuple[np.ndarray, np.ndarray]:
        return probability(part), np.ones(len(part["texts"]), dtype=bool)

    def widened(part: Part) -> tuple[np.ndarray, np.ndarray]:
        return part["score"], (part["eligible"] > 0) | (probability(part) >= widen)

    return {"rules": (rules, -np.inf), "model": (model, threshold), "widened": (widened, -np.inf)}


def cell(counts: Counter) -> str:
    return (
        f"{counts['answered']}/{counts['answerable']} · {counts['abstained']}/"
        f"{counts['unanswerable']} · {counts['off_topic']}/{counts['shown']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, default=0.3, help="model alone: p to show")
    parser.add_argument("--widen", type=float, default=0.7, help="p that overrides the rules")
    parser.add_argument("--model", choices=("logistic", "boosted"), default="logistic")
    parser.add_argument("--json", type=Path, help="write the table's counts here")
    args = parser.parse_args()
    questions = load_questions(
        lambda row: row["split"] not in HELD_OUT and row["kind"] != "summary"
    )
    asked = collect(questions)
    corpora = list(dict.fromkeys(r["q"]["corpus"] for r in asked))
    results: dict[str, dict[str, Counter]] = {}
    for corpus in corpora:
        held = [r for r in asked if r["q"]["corpus"] == corpus]
        probability = fit([r for r in asked if r["q"]["corpus"] != corpus], args.model)
        results[corpus] = {"ask": tally(held, lambda r: r["shown"])}
        for name, (choose, threshold) in choosers(probability, args.widen, args.threshold).items():
            results[corpus][name] = tally(
                held, lambda r, c=choose, t=threshold: show(r["parts"], c, t)
            )
    results["all"] = {
        k: sum((results[c][k] for c in corpora), Counter()) for k in results[corpora[0]]
    }
    print("answered · abstained · off-topic statements, each corpus scored by a model trained")
    print("on the others\n")
    print("| corpus | `ask` | rules (simulated) | model alone | rules widened by the model |")
    print("|---|---|---|---|---|")
    for corpus, row in results.items():
        print(f"| {corpus} | " + " | ".join(cell(row[k]) for k in row) + " |")
    for corpus in [*corpora, None]:
        reasons = why_missed([r for r in asked if corpus in (None, r["q"]["corpus"])])
        print(
            f"\nfacts `ask` missed, {corpus or 'all'}: "
            + ", ".join(f"{why} {n}" for why, n in sorted(reasons.items()))
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
