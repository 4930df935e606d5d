"""Would a small learned scorer judge statements better than the verifier's rules? (issue 12)

    .venv/bin/python scripts/bench_learned_verifier.py [--shared ../shared]

The cases are those of ``bench_meaning.py``: 387 written statements and 564 SciFact claim and
abstract pairs, split in halves by a hash of the document's name. Each case becomes a few
numbers the verifier already computes: the similarity of the statement to its best window, the
share of its words in the cited passages and in that window (and the window's words in the
statement), whether a number or date is missing, which meaning rule fired, and whether the
statement or the window negates or states a direction. A logistic regression (L2, fitted by
Newton's method, so the result is the same on every run) learns from the calibration half of
both sets at once, each set and class weighted equally; the threshold is fixed at 0.5 before
looking. Both the rules and the scorer are then read on the held-out half.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from bench_meaning import REPO, cases_with_citations
from benchkit import by_set_and_half, case_masks, flagged_by, table_head

from policybrief import meaning
from policybrief.citations import Verifier, missing_facts, unsupported_words
from policybrief.text import content_words
from policybrief.types import Chunk

# The kind of change a meaning rule reports, read from its reason.
RULE_KINDS = {
    "name": r"which names",
    "polarity": r"says “[^”]*”, the (?:cited sentence|statement) does not",
    "opposite": r"contradicts",
    "hedge": r"drops|which the cited sentence does not|the statement “",
    "done": r"tells it as done",
    "cause": r"no such cause",
    "roles": r"swaps the roles",
}
UP = re.compile(r"\b(?:increas|rais|rise|higher|elevat|enhanc|promot|improv|more|greater|boost)")
DOWN = re.compile(r"\b(?:decreas|reduc|lower|declin|inhibit|suppress|impair|less|fewer|loss|cut)")
RIDGE = 1.0


def features(verifier: Verifier, statement: str, chunks: Sequence[Chunk]) -> list[float]:
    evidence = " ".join(c.text for c in chunks)
    similarity, window, _ = verifier.support(statement, chunks)
    sentence = window.text if window else ""
    _, coverage = unsupported_words(statement, evidence)
    _, in_window = unsupported_words(statement, sentence)
    _, of_window = unsupported_words(sentence, statement)
    reason = meaning.conflicts(statement, sentence) if sentence else ""
    negates = [bool(meaning._NEGATION.search(t)) for t in (statement, sentence)]
    direction = [np.sign(len(UP.findall(t)) - len(DOWN.findall(t))) for t in (statement, sentence)]
    return [
        similarity,
        coverage,
        in_window,
        of_window,
        float(bool(missing_facts(statement, evidence))),
        float(bool(reason)),
        *(float(bool(re.search(pattern, reason))) for pattern in RULE_KINDS.values()),
        float(negates[0] and not negates[1]),
        float(negates[1] and not negates[0]),
        float(direction[0] * direction[1] < 0),
        float(np.log1p(len(content_words(statement)))),
    ]


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weighted L2 logistic regression by Newton's method; features standardised first."""
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = np.hstack([np.ones((len(x), 1)), (x - mean) / scale])
    beta = np.zeros(z.shape[1])
    penalty = RIDGE * np.eye(z.shape[1])
    penalty[0, 0] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-z @ beta))
        gradient = z.T @ (weight * (p - y)) + penalty @ beta
        hessian = (z * (weight * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta, np.vstack([mean, scale])


def predict(beta: np.ndarray, norm: np.ndarray, x: np.ndarray) -> np.ndarray:
    z = np.hstack([np.ones((len(x), 1)), (x - norm[0]) / norm[1]])
    return 1 / (1 + np.exp(-z @ beta))


def summary(flagged: np.ndarray, changed: np.ndarray) -> str:
    """ "P / R / BA | faithful flagged" as two table cells."""
    tp = int((flagged & changed).sum())
    fp = int((flagged & ~changed).sum())
    recall = tp / max(int(changed.sum()), 1)
    precision = tp / (tp + fp) if tp + fp else 1.0
    kept = max(int((~changed).sum()), 1)
    balanced = (recall + 1 - fp / kept) / 2
    return f"{precision:.2f} / {recall:.2f} / {balanced:.2f} | {fp}/{kept} ({fp / kept:.0%})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared")
    args = parser.parse_args()
    cases, citing, verifier = cases_with_citations(args.shared)
    rows, rules = [], []
    for case, cited in zip(cases, citing, strict=True):
        rows.append(features(verifier, case.statement, cited))
        rules.append(flagged_by(verifier, case.statement, cited)[0])
    x, flagged_by_rules = np.array(rows), np.array(rules)
    changed, scifact, calibration = case_masks(cases)
    weight = np.zeros(len(cases))
    for group in (scifact, ~scifact):
        for label in (changed, ~changed):
            members = calibration & group & label
            weight[members] = 1.0 / members.sum()
    weight *= calibration.sum() / weight.sum()
    beta, norm = fit(x[calibration], changed[calibration].astype(float), weight[calibration])
    flagged_by_scorer = predict(beta, norm, x) >= 0.5
    print(
        table_head(
            "set, half", "rules: P / R / BA", "faithful flagged", "scorer: P / R / BA", "flagged"
        )
    )
    for part, m in by_set_and_half(scifact, calibration):
        print(
            f"| {part} | {summary(flagged_by_rules[m], changed[m])} "
            f"| {summary(flagged_by_scorer[m], changed[m])} |"
        )


if __name__ == "__main__":
    main()
