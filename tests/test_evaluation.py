from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from policybrief.evaluation import (
    load_beir,
    mrr_at,
    ndcg_at,
    percentile,
    recall_at,
    slice_beir,
)
from tests.conftest import SHARED

SCIFACT = SHARED / "eval" / "scifact"


@pytest.mark.parametrize(
    ("ranked", "relevant", "expected"),
    [
        (["a", "b", "c"], {"b": 1}, 1 / math.log2(3)),
        (
            ["a", "b"],
            {"a": 1, "b": 1, "c": 1},
            (1 + 1 / math.log2(3)) / (1 + 1 / math.log2(3) + 0.5),
        ),
        (["b", "a"], {"a": 2, "b": 1}, (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))),
        (["x", "y"], {"a": 1}, 0.0),
        ([f"d{i}" for i in range(10)] + ["a"], {"a": 1}, 0.0),  # relevant at rank 11: cut off
        (["a"], {"a": 0, "b": 1}, 0.0),  # grade 0 is not relevant
    ],
)
def test_ndcg_at_10_matches_trec_eval(
    ranked: list[str], relevant: dict[str, int], expected: float
) -> None:
    assert ndcg_at(ranked, relevant) == pytest.approx(expected)


def test_recall_at_100_counts_relevant_documents_retrieved() -> None:
    assert recall_at(["a", "x"], {"a": 1, "b": 1}) == 0.5
    assert recall_at(["x"] * 100 + ["a"], {"a": 1}) == 0.0
    assert recall_at(["a", "b"], {"a": 1, "b": 1}) == 1.0


def test_mrr_at_10_is_the_reciprocal_rank_of_the_first_relevant() -> None:
    assert mrr_at(["x", "y", "a", "b"], {"a": 1, "b": 1}) == pytest.approx(1 / 3)
    assert mrr_at([f"d{i}" for i in range(10)] + ["a"], {"a": 1}) == 0.0
    assert mrr_at(["a"], {"a": 1}) == 1.0


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.95) == 95.0
    assert percentile([], 0.5) == 0.0


def test_load_beir_reads_scifact_train() -> None:
    data = load_beir(SCIFACT, "train")
    assert len(data.corpus) == 5183
    assert len(data.qrels) == 809
    assert all(doc in data.corpus for rels in data.qrels.values() for doc in rels)


def test_a_slice_keeps_every_relevant_document_of_its_queries() -> None:
    data = slice_beir(load_beir(SCIFACT, "train"), max_docs=300, max_queries=50)
    assert len(data.qrels) == 50
    assert len(data.corpus) == 300
    assert all(doc in data.corpus for rels in data.qrels.values() for doc in rels)


def test_eval_on_a_slice_through_the_real_pipeline(
    make_project: Callable[..., Path], run_cli: Callable[..., Result]
) -> None:
    """CI's slice: 300 documents, 50 queries. Hybrid must beat both parts a broken fusion would
    not; the floors are loose, set well under what the slice scores (see BENCHMARKS.md)."""
    root = make_project()
    out = root / "eval.json"
    args = (
        "eval",
        "retrieval",
        "--beir",
        str(SCIFACT),
        "--max-docs",
        "300",
        "--max-queries",
        "50",
        "--output",
        str(out),
    )
    first = run_cli(root, *args)
    assert first.exit_code == 0, first.output
    report = json.loads(out.read_text("utf-8"))
    scores = {m["mode"]: m["ndcg_10"] for m in report["modes"]}
    assert report["embedded"] > 0
    assert scores["dense"] > 0.6 and scores["keyword"] > 0.6
    assert scores["hybrid"] > max(scores["dense"], scores["keyword"])
    assert "nDCG@10" in first.output and "hybrid" in first.output

    second = run_cli(root, *args[:-2], "--json")  # --json prints, as every command's does
    assert second.exit_code == 0
    assert json.loads(second.output)["embedded"] == 0  # the cache was reused
