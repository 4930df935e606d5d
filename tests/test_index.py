"""Incremental sync: the fake embedder counts what is embedded; Chroma on disk is real."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

import policybrief.index
from policybrief.api import Project
from policybrief.catalog import FileState
from policybrief.config import ChunkingSettings
from policybrief.embedders import Embedder
from policybrief.errors import IndexStateError
from policybrief.index import CorpusDiff, Index, diff_corpus
from policybrief.store import VectorStore
from policybrief.testing import FakeEmbedder
from policybrief.types import Chunk

ALPHA = "# Alpha\n\nAlpha paragraph about chips.\n\nSecond alpha paragraph on export rules.\n"
BETA = "# Beta\n\nBeta talks about critical minerals.\n"


class CountingEmbedder:
    """Wraps a real embedder and counts the texts it embeds."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.embedded: list[str] = []

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def embed_documents(self, texts):  # type: ignore[no-untyped-def]
        self.embedded.extend(texts)
        return self.inner.embed_documents(texts)


def stored_ids(project: Project) -> set[str]:
    return project.index.store.all_ids()


def test_unchanged_corpus_embeds_nothing(fake_project: Callable[..., Project]) -> None:
    project = fake_project({"alpha.md": ALPHA, "beta.md": BETA})
    embedder: FakeEmbedder = project.embedder  # type: ignore[assignment]
    first = project.ingest()
    assert sorted(first.added) == ["corpus/alpha.md", "corpus/beta.md"]
    assert first.embedded + first.sentences == len(embedder.embedded)
    assert first.embedded > 0 and first.sentences > 0
    calls = embedder.calls
    second = project.ingest()
    assert second.embedded == 0 and embedder.calls == calls
    assert second.unchanged == 2 and not second.changed


def test_touching_a_file_without_changing_it_embeds_nothing(
    fake_project: Callable[..., Project],
) -> None:
    project = fake_project({"alpha.md": ALPHA})
    project.ingest()
    path = project.corpus_dir / "alpha.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    report = project.ingest()
    assert report.embedded == 0 and not report.changed
    assert project.index.status(project.corpus_dir).up_to_date


def test_a_sync_reads_only_files_whose_size_or_mtime_moved(
    fake_project: Callable[..., Project], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = fake_project({"alpha.md": ALPHA, "beta.md": BETA, "gamma.md": ALPHA + "\nMore."})
    project.ingest()
    hashed: list[str] = []
    real = policybrief.index.file_sha256
    monkeypatch.setattr(
        policybrief.index, "file_sha256", lambda path: hashed.append(path.name) or real(path)
    )
    project.ingest()
    assert hashed == []
    path = project.corpus_dir / "beta.md"
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    project.ingest()
    assert hashed == ["beta.md"]


def test_changed_file_replaces_exactly_its_old_chunks(fake_project: Callable[..., Project]) -> None:
    project = fake_project({"alpha.md": ALPHA, "beta.md": BETA})
    project.ingest()
    beta_ids = project.index.catalog.chunk_ids(["beta.md"])
    alpha_before = project.index.catalog.chunk_ids(["alpha.md"])
    embedder: FakeEmbedder = project.embedder  # type: ignore[assignment]
    embedded_before = len(embedder.embedded)

    (project.corpus_dir / "alpha.md").write_text(
        ALPHA.replace("Second alpha paragraph", "A rewritten paragraph"), encoding="utf-8"
    )
    report = project.ingest()

    alpha_after = project.index.catalog.chunk_ids(["alpha.md"])
    assert report.updated == ["corpus/alpha.md"]
    assert report.embedded == len(alpha_after - alpha_before)
    assert report.embedded + report.sentences == len(embedder.embedded) - embedded_before
    assert any("rewritten" in text for text in embedder.embedded[embedded_before:])
    assert stored_ids(project) == alpha_after | beta_ids
    assert project.index.catalog.chunk_ids(["beta.md"]) == beta_ids
    assert not project.index.catalog.pending_deletes()


def test_deleted_file_loses_its_chunks(fake_project: Callable[..., Project]) -> None:
    project = fake_project({"alpha.md": ALPHA, "beta.md": BETA})
    project.ingest()
    alpha_ids = project.index.catalog.chunk_ids(["alpha.md"])
    (project.corpus_dir / "beta.md").unlink()
    report = project.ingest()
    assert report.removed == ["beta.md"]
    assert stored_ids(project) == alpha_ids
    assert set(project.index.documents()) == {"alpha.md"}


def test_unloadable_file_is_skipped_with_a_reason_and_retried_when_it_changes(
    fake_project: Callable[..., Project],
) -> None:
    project = fake_project({"alpha.md": ALPHA, "bad.md": "---\ntitle: [oops\n---\nBody\n"})
    report = project.ingest()
    assert "front matter is not valid YAML" in report.skipped["corpus/bad.md"]
    assert set(project.index.documents()) == {"alpha.md"}
    assert "corpus/bad.md" in project.status().index.skipped
    assert project.ingest().skipped and not project.ingest().changed  # not retried unchanged

    (project.corpus_dir / "bad.md").write_text("---\ntitle: Fixed\n---\nBody text.\n", "utf-8")
    report = project.ingest()
    assert report.added == ["corpus/bad.md"] and not report.skipped
    assert project.index.documents()["bad.md"].title == "Fixed"


def test_unsupported_and_hidden_files_are_not_indexed(fake_project: Callable[..., Project]) -> None:
    project = fake_project({"alpha.md": ALPHA, "photo.jpg": b"\xff\xd8", ".hidden.md": BETA})
    report = project.ingest()
    assert report.ignored == ["corpus/photo.jpg"]
    assert set(project.index.documents()) == {"alpha.md"}


def test_status_reports_what_is_out_of_date(fake_project: Callable[..., Project]) -> None:
    project = fake_project({"alpha.md": ALPHA, "beta.md": BETA})
    project.ingest()
    (project.corpus_dir / "beta.md").unlink()
    (project.corpus_dir / "gamma.md").write_text("# Gamma\n\nNew text.\n", "utf-8")
    (project.corpus_dir / "alpha.md").write_text(ALPHA + "\nMore.\n", "utf-8")
    status = project.status().index
    assert status.diff.new == ("gamma.md",)
    assert status.diff.modified == ("alpha.md",)
    assert status.diff.removed == ("beta.md",)
    assert not status.up_to_date


def test_diff_corpus_compares_size_and_mtime() -> None:
    known = {
        "same": FileState(10, 100, "h1"),
        "moved": FileState(10, 100, "h2"),
        "gone": FileState(1, 1, "h3"),
    }
    files = {"same": (10, 100), "moved": (10, 200), "new": (5, 5)}
    assert diff_corpus(files, known) == CorpusDiff(("new",), ("moved",), ("gone",), ("same",))
    assert diff_corpus(files, known, rebuild=True).modified == ("moved", "same")


def test_real_model_and_chroma_sync_incrementally(
    make_project: Callable[..., Path], real_embedder: Embedder
) -> None:
    root = make_project({"alpha.md": ALPHA}, sample=True)
    embedder = CountingEmbedder(real_embedder)
    project = Project.open(root, embedder=embedder)  # type: ignore[arg-type]
    first = project.ingest()
    assert first.embedded == first.chunks > 0
    assert first.embedded + first.sentences == len(embedder.embedded)
    assert project.ingest().embedded == 0
    assert len(embedder.embedded) == first.embedded + first.sentences

    sample = project.corpus_dir / "000_2ce7d138358dc40e.txt"
    sample.write_text(
        sample.read_text("utf-8").replace("Opinions", "One more closing line.\n\nOpinions"),
        "utf-8",
    )
    report = project.ingest()
    assert report.updated == ["corpus/000_2ce7d138358dc40e.txt"]
    assert 0 < report.embedded < first.chunks  # only the chunk(s) whose text changed
    assert stored_ids(project) == project.index.catalog.chunk_ids()

    (project.corpus_dir / "alpha.md").unlink()
    project.ingest()
    assert set(project.index.documents()) == {"000_2ce7d138358dc40e.txt"}
    assert stored_ids(project) == project.index.catalog.chunk_ids()


def test_a_renamed_or_copied_file_reuses_its_vectors(fake_project: Callable[..., Project]) -> None:
    project = fake_project({"alpha.md": ALPHA})
    project.ingest()
    embedder: FakeEmbedder = project.embedder  # type: ignore[assignment]
    before = len(embedder.embedded)
    (project.corpus_dir / "alpha.md").rename(project.corpus_dir / "renamed.md")
    (project.corpus_dir / "copy.md").write_text(ALPHA, encoding="utf-8")
    report = project.ingest()
    assert report.embedded == 0 and len(embedder.embedded) == before
    assert set(project.index.documents()) == {"renamed.md", "copy.md"}
    assert stored_ids(project) == project.index.catalog.chunk_ids()


def test_identical_new_chunks_are_embedded_once(fake_project: Callable[..., Project]) -> None:
    project = fake_project({f"copy{i}.md": BETA for i in range(5)})
    report = project.ingest()
    embedder: FakeEmbedder = project.embedder  # type: ignore[assignment]
    assert report.embedded == len(embedder.embedded) == 1
    assert len(stored_ids(project)) == 5


def test_an_older_catalog_is_rebuilt_without_re_embedding(
    fake_project: Callable[..., Project],
) -> None:
    beta = "# Beta\n\nBeta talks at length about critical minerals and their supply.\n"
    project = fake_project({"alpha.md": ALPHA, "beta.md": beta})
    project.ingest()
    (project.corpus_dir / "beta.md").unlink()  # (its sentence vectors outlive the reset)
    catalog = project.index.catalog
    catalog._db.execute("DROP INDEX chunks_by_embedding")
    catalog._db.execute("ALTER TABLE chunks DROP COLUMN embed_hash")  # as schema 2 had it
    catalog.set_meta("schema", "2")
    project.close()
    embedder: FakeEmbedder = project.embedder  # type: ignore[assignment]
    before = len(embedder.embedded)
    reopened = Project.open(project.root, embedder=embedder)
    with pytest.raises(IndexStateError, match="made by an older policybrief: run `brief ingest`"):
        reopened.ask("What is alpha about?")
    report = reopened.ingest()
    assert report.embedded == 0 and len(embedder.embedded) == before  # (sentences too)
    assert set(reopened.index.documents()) == {"alpha.md"}
    assert not reopened.index.outdated
    # the rebuild dropped the vectors no chunk refers to any more (beta's)
    db = reopened.index.catalog._db
    stored = {row[0] for row in db.execute("SELECT hash FROM sentence_vectors")}
    assert stored == {row[0] for row in db.execute("SELECT hash FROM chunk_sentences")}
    assert stored


def test_a_sidecar_describes_its_file_and_editing_it_re_reads_the_file(
    fake_project: Callable[..., Project],
) -> None:
    project = fake_project(
        {
            "alpha.md": ALPHA,
            "alpha.md.yaml": "published: 2024-12-02\nsource: Commerce\n",
            "orphan.yaml": "title: describes nothing\n",
        }
    )
    report = project.ingest()
    assert report.ignored == ["corpus/orphan.yaml"]  # a sidecar is not a file of its own
    info = project.index.documents()["alpha.md"]
    assert (str(info.published), info.source) == ("2024-12-02", "Commerce")

    sidecar = project.corpus_dir / "alpha.md.yaml"
    sidecar.write_text("published: 2024-12-03\nsource: Commerce\n", "utf-8")
    assert project.status().index.diff.modified == ("alpha.md",)
    assert project.ingest().updated == ["corpus/alpha.md"]
    assert str(project.index.documents()["alpha.md"].published) == "2024-12-03"
    sidecar.unlink()
    project.ingest()
    assert project.index.documents()["alpha.md"].published is None


class CountingStore:
    """An in-memory VectorStore that counts the searches it serves."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, np.ndarray]] = {}  # chunk id → (doc id, vector)
        self.searches = 0
        self.closed = False

    def existing(self, ids: Sequence[str]) -> set[str]:
        return set(ids) & set(self.rows)

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for chunk, vector in zip(chunks, vectors, strict=True):
            self.rows[chunk.chunk_id] = (chunk.doc_id, np.asarray(vector, dtype=np.float32))

    def delete(self, ids: Sequence[str]) -> None:
        for chunk_id in ids:
            self.rows.pop(chunk_id, None)

    def search(
        self, vector: np.ndarray, k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        self.searches += 1
        scored = [
            (chunk_id, float(stored @ vector))
            for chunk_id, (doc_id, stored) in self.rows.items()
            if doc_ids is None or doc_id in doc_ids
        ]
        return sorted(scored, key=lambda item: (-item[1], item[0]))[:k]

    def all_ids(self) -> set[str]:
        return set(self.rows)

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        return {i: self.rows[i][1] for i in ids if i in self.rows}

    def close(self) -> None:
        self.closed = True


def test_an_index_given_a_store_keeps_and_searches_its_vectors_there(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "alpha.md").write_text(ALPHA, encoding="utf-8")
    (corpus / "beta.md").write_text(BETA, encoding="utf-8")
    embedder = FakeEmbedder()
    fake = CountingStore()
    store: VectorStore = fake  # the fake satisfies the protocol
    index = Index(tmp_path / "index", embedder, ChunkingSettings(), tmp_path, store=store)

    index.sync(corpus)
    assert set(fake.rows) == index.catalog.chunk_ids()
    found = index.dense_search(embedder.embed_query("critical minerals"), 1)
    assert fake.searches == 1
    assert index.doc_ids_of([found[0][0]]) == {found[0][0]: "beta.md"}
    assert index.check().problems == []
    assert not (tmp_path / "index" / "chroma").exists()  # no Chroma collection was opened
    index.close()
    assert fake.closed
