"""The full SciFact train evaluation (about 7 minutes the first time, cached after).

Run with `pytest -m slow`. CI runs the slice in test_evaluation.py instead.
"""

from __future__ import annotations

import pytest

from policybrief.api import Project
from tests.conftest import REPO, SHARED


@pytest.mark.slow
def test_hybrid_reaches_the_target_on_scifact_train() -> None:
    report = Project.open(REPO).evaluate_retrieval(SHARED / "eval" / "scifact", split="train")
    scores = {m.mode: m.ndcg_10 for m in report.modes}
    assert report.queries == 809
    assert scores["hybrid"] >= 0.745
    # Published: BM25 0.696. Dense 0.660 is for one truncated vector per abstract; chunking
    # the whole abstract and ranking by the best chunk scores higher (BENCHMARKS.md).
    assert abs(scores["keyword"] - 0.696) <= 0.01
    assert 0.65 <= scores["dense"] <= 0.70
