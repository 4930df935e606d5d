"""Sentence vectors computed at ingest: an answer looks up the vectors of the sentences it may
quote instead of embedding them, gets the same answer, and the catalog keeps exactly the
vectors its chunks refer to."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from policybrief.api import Project
from policybrief.embedders import Embedder
from policybrief.evidence import quotable_texts
from policybrief.testing import FakeEmbedder
from tests.conftest import SHARED
from tests.test_index import ALPHA, BETA, CountingEmbedder


def stored_rows(project: Project) -> int:
    return int(
        project.index.catalog._db.execute("SELECT COUNT(*) FROM sentence_vectors").fetchone()[0]
    )


def quotable(project: Project, doc_id: str) -> list[str]:
    """The texts answers may quote from a document's chunks, as a sync computes them."""
    rows = project.index.catalog._db.execute(
        "SELECT chunk_id FROM chunks WHERE doc_id = ? ORDER BY ordinal", (doc_id,)
    ).fetchall()
    chunks = project.index.chunks([row[0] for row in rows])
    ordered = [chunks[row[0]] for row in rows]
    return [
        t for n, c in enumerate(ordered) for t in quotable_texts(c, ordered[n - 1] if n else None)
    ]


def test_a_sync_stores_the_vectors_of_every_sentence_an_answer_may_quote(
    fake_project: Callable[..., Project],
) -> None:
    project = fake_project({"alpha.md": ALPHA, "beta.md": BETA})
    report = project.ingest()
    texts = quotable(project, "alpha.md") + quotable(project, "beta.md")
    assert "Second alpha paragraph on export rules." in texts
    found = project.index.sentence_vectors(texts)
    assert set(found) == set(texts) and report.sentences == len(set(texts))
    embedder: FakeEmbedder = project.embedder  # type: ignore[assignment]
    for text, vector in found.items():
        np.testing.assert_array_equal(vector, embedder.embed_documents([text])[0])
    assert project.index.sentence_vectors(["A sentence no document holds."]) == {}


def test_an_answer_after_ingest_embeds_only_its_question(
    fake_project: Callable[..., Project],
) -> None:
    project = fake_project({"alpha.md": ALPHA, "beta.md": BETA})
    project.ingest()
    embedder: FakeEmbedder = project.embedder  # type: ignore[assignment]
    embedder.embedded.clear()
    answer = project.ask("Which paragraph is about export rules?")
    assert "Second alpha paragraph on export rules." in [s.text for s in answer.statements]
    assert set(embedder.embedded) <= {"Which paragraph is about export rules?"}


def test_replaced_and_removed_documents_take_their_sentence_vectors_with_them(
    fake_project: Callable[..., Project],
) -> None:
    beta = "# Beta\n\nBeta talks at length about critical minerals and their supply.\n"
    project = fake_project({"alpha.md": ALPHA, "beta.md": beta})
    project.ingest()
    assert quotable(project, "beta.md")  # (so that removing it has vectors to remove)
    old = "Second alpha paragraph on export rules."
    alpha = project.corpus_dir / "alpha.md"
    alpha.write_text(ALPHA.replace("Second alpha", "A rewritten"), encoding="utf-8")
    project.ingest()
    assert project.index.sentence_vectors([old]) == {}
    assert project.index.sentence_vectors(["A rewritten paragraph on export rules."])
    (project.corpus_dir / "beta.md").unlink()
    project.ingest()
    gone = ["Beta talks at length about critical minerals and their supply."]
    assert project.index.sentence_vectors(gone) == {}
    assert stored_rows(project) == len(set(quotable(project, "alpha.md"))) > 0


def test_sentence_vectors_a_killed_sync_left_behind_are_dropped_by_the_next_sync(
    fake_project: Callable[..., Project],
) -> None:
    project = fake_project({"alpha.md": ALPHA})
    project.ingest()
    rows = stored_rows(project)
    catalog = project.index.catalog
    # what a sync killed between storing sentence vectors and publishing leaves
    catalog.save_sentence_vectors({"orphan": np.ones(256, dtype=np.float32)})
    catalog.set_meta("sync_in_progress", "1")
    project.ingest()
    assert stored_rows(project) == rows
    assert catalog.sentence_vectors(["orphan"]) == {}


def test_a_copied_document_reuses_the_stored_sentence_vectors(
    fake_project: Callable[..., Project],
) -> None:
    project = fake_project({"alpha.md": ALPHA})
    project.ingest()
    shutil.copy(project.corpus_dir / "alpha.md", project.corpus_dir / "copy.md")
    report = project.ingest()
    assert report.sentences == 0
    (project.corpus_dir / "alpha.md").unlink()
    project.ingest()  # the copy still refers to them
    texts = quotable(project, "copy.md")
    assert texts and set(project.index.sentence_vectors(texts)) == set(texts)


QUESTIONS = [
    "What does the rule require exporters to do?",
    "Which minerals does China control?",
    "When do the new controls take effect?",
    "What did the Commerce Department say?",
    "Give me a summary",
    "What is the population of Mars?",
]


@pytest.fixture(scope="module")
def policy_root(tmp_path_factory: pytest.TempPathFactory, real_embedder: Embedder) -> Path:
    root = tmp_path_factory.mktemp("policy")
    (root / "corpus").mkdir()
    for file in sorted((SHARED / "corpus-dev").glob("*.md")):
        if file.name != "README.md":
            shutil.copy(file, root / "corpus" / file.name)
    with Project.open(root, embedder=real_embedder) as project:
        project.ingest()
    return root


def test_stored_sentence_vectors_give_the_answers_embedding_them_gives(
    policy_root: Path, real_embedder: Embedder
) -> None:
    counting = CountingEmbedder(real_embedder)
    stored = Project.open(policy_root, embedder=counting)  # type: ignore[arg-type]
    fresh = Project.open(policy_root, embedder=real_embedder)
    fresh.index.sentence_vectors = lambda texts: {}  # type: ignore[method-assign]
    try:
        for question in QUESTIONS:
            counting.embedded.clear()
            with_stored, embedding = stored.ask(question), fresh.ask(question)
            assert with_stored.to_dict() == embedding.to_dict(), question
            assert set(counting.embedded) <= {question}, question
        assert any(stored.ask(q).statements for q in QUESTIONS)
    finally:
        stored.close()
        fresh.close()


def test_the_catalog_keeps_only_the_most_recent_question_vectors(
    fake_project: Callable[..., Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    import policybrief.catalog

    monkeypatch.setattr(policybrief.catalog, "QUERY_VECTORS_KEPT", 4)
    monkeypatch.setattr(policybrief.catalog, "PRUNE_EVERY", 2)
    catalog = fake_project({"alpha.md": ALPHA}).index.catalog
    for n in range(10):
        catalog.save_query_vector("model", f"question {n}", np.ones(3, dtype=np.float32))
    kept = [row[0] for row in catalog._db.execute("SELECT text FROM query_vectors")]
    assert len(kept) <= 5 and "question 9" in kept and "question 0" not in kept
