from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from policybrief.api import Project
from policybrief.embedders import Embedder
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
    best = project.retriever.retrieve("How much is Alibaba investing in AI infrastructure?")[0]
    assert "380 billion RMB" in best.chunk.text
    assert best.dense_score is not None and best.dense_score > 0.5
    assert project.retriever.retrieve("What is a good recipe for chocolate cake?") == []
