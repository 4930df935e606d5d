"""The optional reranker, with a tiny cross-encoder the test builds itself (none ships)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from policybrief.api import Project
from policybrief.embedders import Embedder
from policybrief.errors import ConfigError
from policybrief.reranking import Reranker
from tests.conftest import REPO

CORPUS = {
    f"doc{i}.md": f"# Note {i}\n\nExport controls on chips, note {i}: {topic}.\n"
    for i, topic in enumerate(
        [
            "advanced computing rules",
            "critical minerals",
            "H20 sales to China",
            "supercomputer end use",
            "allied coordination",
            "semiconductor equipment",
        ]
    )
}


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> Path:
    import torch
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    folder = tmp_path_factory.mktemp("tiny-cross-encoder")
    tokenizer = AutoTokenizer.from_pretrained(str(real_embedder.path))  # type: ignore[attr-defined]
    torch.manual_seed(7)
    config = BertConfig(
        vocab_size=tokenizer.vocab_size,
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        num_labels=1,
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_reranker_orders_passages_by_the_cross_encoder(
    make_project: Callable[..., Path], real_embedder: Embedder, tiny_cross_encoder: Path
) -> None:
    root = make_project(CORPUS)
    (root / "brief.toml").write_text(
        f'[retrieval]\nreranker = "{tiny_cross_encoder}"\nmin_score = -1.0\n', "utf-8"
    )
    project = Project.open(root, embedder=real_embedder)
    project.ingest()
    question = "export controls on chips"
    plain = project.retriever.candidates(question, mode="hybrid", limit=30)
    reranked = project.retriever.retrieve(question, k=6)

    expected = Reranker(tiny_cross_encoder)
    by_model = sorted(reranked, key=lambda p: -expected.scores(question, [p])[0])
    assert [p.chunk.chunk_id for p in reranked] == [p.chunk.chunk_id for p in by_model]
    # The cross-encoder's order differs from fusion's, so the check above can fail.
    assert [p.chunk.chunk_id for p in reranked] != [c.chunk_id for c in plain][:6]


def test_a_reranker_path_that_is_not_a_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a local model folder"):
        Reranker(tmp_path)


def test_no_reranker_ships(make_project: Callable[..., Path]) -> None:
    assert Project.open(make_project()).settings.retrieval.reranker == ""
    assert not list(REPO.glob("**/cross-encoder*"))
