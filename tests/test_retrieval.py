from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import cast

import numpy as np
import pytest

from policybrief.api import Project
from policybrief.embedders import Embedder
from policybrief.index import Index
from policybrief.retrieval import Candidate, Retriever, aggregate_documents, diversify, fuse
from policybrief.types import DocumentInfo, Filters

OLD = (
    "---\ntitle: Old rule\npublished: 2022-10-07\nsource: Bureau of Industry and Security\n"
    "---\nExport controls on advanced chips were announced.\n"
)
NEW = (
    "---\ntitle: New letter\npublished: 2025-07-31\nsource: U.S. Senate\n"
    "---\nSenators wrote about export controls on advanced chips.\n"
)
UNDATED = "# Undated\n\nAn undated page about export controls on chips.\n"


@pytest.fixture
def dated_project(fake_project: Callable[..., Project]) -> Project:
    project = fake_project({"old.md": OLD, "new.md": NEW, "misc/undated.md": UNDATED})
    project.ingest()
    return project


def doc_ids(project: Project, filters: Filters) -> set[str]:
    passages = project.retriever.retrieve("export controls chips", filters=filters, min_score=-1)
    return {p.document.doc_id for p in passages}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (Filters(), {"old.md", "new.md", "misc/undated.md"}),
        (Filters(since=date(2025, 1, 1)), {"new.md"}),
        (Filters(until=date(2023, 1, 1)), {"old.md"}),
        (Filters(since=date(2022, 1, 1), until=date(2025, 12, 31)), {"old.md", "new.md"}),
        (Filters(sources=("senate",)), {"new.md"}),
        (Filters(paths=("misc/*",)), {"misc/undated.md"}),
        (Filters(since=date(2026, 1, 1)), set()),
    ],
)
def test_filters_restrict_retrieval(
    dated_project: Project, filters: Filters, expected: set[str]
) -> None:
    assert doc_ids(dated_project, filters) == expected


def test_filters_match_on_document_metadata() -> None:
    info = DocumentInfo("a.md", "corpus/a.md", "T", date(2024, 5, 1), "BIS")
    assert Filters(since=date(2024, 5, 1)).matches(info)
    assert not Filters(since=date(2024, 5, 2)).matches(info)
    assert not Filters(until=date(2024, 1, 1)).matches(info)
    assert Filters(sources=("bis",)).matches(info)
    assert not Filters(sources=("senate",)).matches(info)
    undated = DocumentInfo("b.md", "corpus/b.md", "T")
    assert not Filters(since=date(2000, 1, 1)).matches(undated)
    assert Filters().matches(undated)


def test_top_k_limits_the_number_of_passages(dated_project: Project) -> None:
    assert len(dated_project.retriever.retrieve("export", k=2, min_score=-1)) == 2


def test_real_model_finds_the_passage_that_answers(
    make_project: Callable[..., Path], real_embedder: Embedder
) -> None:
    project = Project.open(make_project(sample=True), embedder=real_embedder)
    project.ingest()
    question = "How much is Alibaba investing in AI infrastructure?"
    best = project.retriever.retrieve(question, mode="dense")[0]
    assert "380 billion RMB" in best.chunk.text
    assert best.dense_score is not None and best.dense_score > 0.5
    assert project.retriever.retrieve("What is a good recipe for chocolate cake?") == []


def test_a_name_the_corpus_holds_is_answered_though_its_passage_embeds_far_away(
    make_project: Callable[..., Path], real_embedder: Embedder
) -> None:
    project = Project.open(make_project(sample=True), embedder=real_embedder)
    project.ingest()
    passages = project.retriever.retrieve("What is SiCarrier?")
    assert passages and all("SiCarrier" in p.chunk.text for p in passages)
    # By embedding alone these passages fall under the relevance floor (0.20).
    assert all(p.dense_score is not None and p.dense_score < 0.2 for p in passages)
    answer = project.ask("What is SiCarrier?")
    assert answer.found and "SiCarrier" in answer.statements[0].text
    assert not project.ask("Who is the CEO of Nvidia?").found


def test_fuse_blends_cosine_with_bm25_scaled_by_the_pools_best() -> None:
    dense = {"a": 0.9, "b": 0.5, "c": 0.1, "d": 0.3}
    keyword = {"c": 30.0, "a": 10.0, "d": 5.0}
    fused = {c.chunk_id: c for c in fuse(["a", "b", "c", "d"], dense, keyword, dense_weight=0.5)}
    assert fused["a"].score == pytest.approx(0.5 * 0.9 + 0.5 * 10 / 30)
    assert fused["c"].score == pytest.approx(0.5 * 0.1 + 0.5 * 1.0)
    assert fused["b"].score == pytest.approx(0.5 * 0.5)  # matches no query term: BM25 0
    assert (fused["a"].dense, fused["a"].keyword) == (0.9, 10.0)
    assert fused["b"].keyword is None
    assert [c.chunk_id for c in fuse(["c", "a", "b"], dense, keyword, 1.0)] == ["a", "b", "c"]
    assert fuse(["a", "b", "c"], dense, keyword, 0.0)[0].chunk_id == "c"


def test_the_pool_decides_the_bm25_scale() -> None:
    keyword = {"a": 10.0, "z": 100.0}
    assert fuse(["a"], {"a": 0.5}, keyword, 0.5)[0].score == pytest.approx(0.25 + 0.5)


def test_documents_rank_by_their_best_chunk() -> None:
    candidates = [
        Candidate("a1", 0.9),
        Candidate("b1", 0.8),
        Candidate("a2", 0.7),
        Candidate("c1", 0.1),
    ]
    doc_of = {"a1": "A", "a2": "A", "b1": "B", "c1": "C"}
    assert aggregate_documents(candidates, doc_of) == [("A", 0.9), ("B", 0.8), ("C", 0.1)]


def test_diversify_spreads_slots_across_sources() -> None:
    vectors = np.eye(4)  # all passages say different things
    relevance = [0.9, 0.85, 0.8, 0.7]
    docs = ["A", "A", "A", "B"]
    assert diversify(relevance, vectors, docs, 2) == [0, 3]
    assert diversify(relevance, vectors, ["A", "B", "C", "D"], 2) == [0, 1]


@pytest.mark.parametrize("mode", ["dense", "keyword", "hybrid"])
def test_filters_work_in_every_mode(dated_project: Project, mode: str) -> None:
    passages = dated_project.retriever.retrieve(
        "export controls chips", filters=Filters(since=date(2025, 1, 1)), min_score=-1, mode=mode
    )
    assert {p.document.doc_id for p in passages} == {"new.md"}


def test_keyword_mode_finds_exact_terms_dense_may_miss(
    make_project: Callable[..., Path], real_embedder: Embedder
) -> None:
    project = Project.open(make_project(sample=True), embedder=real_embedder)
    project.ingest()
    passages = project.retriever.retrieve("SiCarrier Shenzhen", mode="keyword", min_score=-1)
    assert "SiCarrier" in passages[0].chunk.text
    assert passages[0].keyword_score and passages[0].keyword_score > 0


def test_a_passage_carries_the_text_just_before_its_chunk(
    fake_project: Callable[..., Project],
) -> None:
    from policybrief.loaders import load_document

    sentences = [f"Paragraph {i} says the controls changed in year {2000 + i}." for i in range(80)]
    project = fake_project({"long.txt": "\n".join(sentences) + "\n"})
    project.ingest()
    text = load_document(project.root / "corpus" / "long.txt", "long.txt").text
    passages = project.retriever.retrieve("controls changed in year 2079", k=20, min_score=-1)
    assert any(p.chunk.start > 0 for p in passages)
    for p in passages:
        if p.chunk.start == 0:
            assert p.before == ""
        else:
            assert p.before
            assert text[p.chunk.start - len(p.before) : p.chunk.start] == p.before


class SealedIndex:
    """An index whose catalog and vector store cannot be reached from outside its methods."""

    def __init__(self, index: Index) -> None:
        self._index = index

    def __getattr__(self, name: str) -> object:
        if name in ("store", "catalog") or name.startswith("_"):
            raise AssertionError(f"the retriever reached into Index.{name}")
        return getattr(self._index, name)


def test_the_retriever_reads_storage_only_through_the_index(dated_project: Project) -> None:
    open_retriever = dated_project.retriever
    sealed = Retriever(
        cast(Index, SealedIndex(dated_project.index)),
        dated_project.embedder,
        dated_project.settings.retrieval,
    )
    question = "export controls chips"
    for mode in ("dense", "keyword", "hybrid"):
        passages = sealed.retrieve(question, mode=mode, min_score=-1)
        assert passages == open_retriever.retrieve(question, mode=mode, min_score=-1)
        assert sealed.rank_documents(question, k=3, mode=mode) == open_retriever.rank_documents(
            question, k=3, mode=mode
        )
    assert [p.chunk.chunk_id for p in sealed.diverse(passages, 2)] == [
        p.chunk.chunk_id for p in open_retriever.diverse(passages, 2)
    ]
    assert np.array_equal(sealed.query_vector(question), open_retriever.query_vector(question))
