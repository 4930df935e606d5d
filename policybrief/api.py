"""The library face of policybrief: everything the CLI does, callable from Python.

    from policybrief.api import Project

    project = Project.open("path/to/project")
    project.ingest()
    answer = project.ask("How did Chinese firms respond to the H20 ban?")
    result = project.generate("ai-independence")

A ``Project`` keeps its embedder and index open between calls, so a notebook or an interactive
session pays for loading the model once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from policybrief.briefings import build_briefing, list_briefings, load_spec
from policybrief.citations import POLICIES, Verifier, number_sources
from policybrief.config import Settings, find_project_root, load_settings, with_overrides
from policybrief.embedders import Embedder, create_embedder
from policybrief.errors import ConfigError, IndexStateError
from policybrief.evaluation import EvalReport, evaluate_retrieval, load_beir, slice_beir
from policybrief.fsutil import atomic_write_text
from policybrief.generation import ExtractiveGenerator, Generator, LLMGenerator
from policybrief.index import (
    Index,
    IndexStatus,
    ProgressCallback,
    SyncReport,
    settings_fingerprint,
)
from policybrief.llm import create_chat_model
from policybrief.rendering import Renderer, briefing_view
from policybrief.reranking import Reranker
from policybrief.retrieval import MODES, Retriever
from policybrief.types import Answer, Briefing, Filters, Statement
from policybrief.writing import Notice, Writer

OUTPUT_FORMATS = ("md", "html")


@dataclass(frozen=True)
class GenerateResult:
    briefing: Briefing
    outputs: dict[str, Path]  # format → file written (plus "lock" → sources.json)


@dataclass(frozen=True)
class ProjectStatus:
    root: Path
    corpus: Path
    index: IndexStatus
    briefings: list[str]


class Project:
    """A project folder: corpus/, briefings/, templates/, brief.toml and the index."""

    def __init__(self, root: Path, settings: Settings, embedder: Embedder | None = None) -> None:
        self.root = root
        self.settings = settings
        if embedder is not None:
            self.__dict__["embedder"] = embedder

    @classmethod
    def open(
        cls,
        root: str | Path = ".",
        *,
        embedder: Embedder | None = None,
        overrides: dict[str, dict[str, Any]] | None = None,
    ) -> Project:
        """Open the project at ``root`` (or the nearest parent folder holding brief.toml).

        ``overrides`` replaces settings by section, e.g. ``{"generation": {"backend": "ollama"}}``.
        """
        folder = find_project_root(Path(root))
        settings = load_settings(folder)
        if overrides:
            settings = with_overrides(settings, overrides)
        return cls(folder, settings, embedder)

    # -- parts, built on first use ------------------------------------------------------------

    def _path(self, setting: str) -> Path:
        path = Path(setting).expanduser()
        return path if path.is_absolute() else self.root / path

    @property
    def corpus_dir(self) -> Path:
        return self._path(self.settings.paths.corpus)

    @property
    def briefings_dir(self) -> Path:
        return self._path(self.settings.paths.briefings)

    @property
    def templates_dir(self) -> Path:
        return self._path(self.settings.paths.templates)

    @property
    def state_dir(self) -> Path:
        return self._path(self.settings.paths.index)

    @cached_property
    def embedder(self) -> Embedder:
        return create_embedder(self.settings.embedding, self.root)

    @cached_property
    def index(self) -> Index:
        return Index(self.state_dir, self.embedder, self.settings.chunking, self.root)

    @cached_property
    def retriever(self) -> Retriever:
        return self._retriever(self.index)

    def _retriever(self, index: Index) -> Retriever:
        settings = self.settings.retrieval
        reranker = Reranker(self._path(settings.reranker)) if settings.reranker else None
        return Retriever(index, self.embedder, settings, reranker)

    @cached_property
    def extractive(self) -> ExtractiveGenerator:
        settings = self.settings.generation
        return ExtractiveGenerator(
            self.embedder, settings.min_sentence_score, settings.relative_sentence_score
        )

    @cached_property
    def generator(self) -> Generator:
        """The configured generator: extractive, or an LLM backend (opt-in)."""
        settings = self.settings.generation
        if settings.backend == "extractive":
            return self.extractive
        chat_model = create_chat_model(settings, self.root)
        return LLMGenerator(chat_model, self.renderer, settings)

    @cached_property
    def writer(self) -> Writer:
        policy = self.settings.verification.policy
        if policy not in POLICIES:
            raise ConfigError(f"[verification] policy must be one of {', '.join(POLICIES)}")
        verification = self.settings.verification
        verifier = Verifier(self.embedder, verification.min_support, verification.min_coverage)
        return Writer(self.generator, self.extractive, verifier, policy)

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(self.templates_dir)

    # -- the jobs ---------------------------------------------------------------------------

    def ingest(
        self, path: str | Path | None = None, progress: ProgressCallback | None = None
    ) -> SyncReport:
        """Bring the index in line with the corpus folder (or ``path``), incrementally."""
        corpus = Path(path).resolve() if path else self.corpus_dir
        if not corpus.is_dir():
            raise IndexStateError(f"corpus folder {corpus} does not exist")
        return self.index.sync(corpus, progress)

    def status(self) -> ProjectStatus:
        """Index state against the folder it mirrors (the configured corpus by default)."""
        corpus = self.index.mirrored_corpus() or self.corpus_dir
        return ProjectStatus(
            root=self.root,
            corpus=corpus,
            index=self.index.status(corpus),
            briefings=list_briefings(self.briefings_dir),
        )

    def _require_index(self) -> None:
        if self.index.is_empty():
            raise IndexStateError("the index is empty: run `brief ingest` first")

    def ask_stream(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        max_statements: int | None = None,
        mode: str | None = None,
    ) -> Iterator[Statement | Notice | Answer]:
        """Verified statements as they are written, notices, and finally the whole ``Answer``.

        Statements the policy hides are not yielded but are counted in ``Answer.unsupported``.
        """
        self._require_index()
        passages = self.retriever.retrieve(question, k=k, filters=filters, mode=mode)
        shown: list[Statement] = []
        notes: list[str] = []
        unsupported = 0
        for item in self.writer.stream(
            [question],
            passages,
            max_statements=max_statements or self.settings.generation.max_statements,
        ):
            if isinstance(item, Notice):
                notes.append(item.text)
                yield item
                continue
            unsupported += not (item.verdict and item.verdict.supported)
            if self.writer.shows(item):
                shown.append(item)
                yield item
        documents = {p.document.doc_id: p.document for p in passages}
        yield Answer(
            question=question,
            statements=tuple(shown),
            sources=number_sources(shown, documents),
            passages=tuple(passages),
            found=any(s.verdict and s.verdict.supported for s in shown),
            note=" ".join(notes),
            unsupported=unsupported,
        )

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        max_statements: int | None = None,
        mode: str | None = None,
    ) -> Answer:
        """A cited answer; ``found`` is False when no passage is relevant enough to cite."""
        *_, answer = self.ask_stream(
            question, k=k, filters=filters, max_statements=max_statements, mode=mode
        )
        assert isinstance(answer, Answer)
        return answer

    def evaluate_retrieval(
        self,
        beir_dir: Path,
        *,
        split: str = "train",
        modes: Sequence[str] = MODES,
        max_docs: int | None = None,
        max_queries: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> EvalReport:
        """nDCG@10, Recall@100 and MRR@10 per retrieval mode on a BEIR-format folder."""
        data = slice_beir(load_beir(beir_dir, split), max_docs, max_queries)
        return evaluate_retrieval(
            data,
            dataset=beir_dir.name,
            split=split,
            cache_root=self.state_dir / "eval",
            index_settings=settings_fingerprint(self.embedder.model_id, self.settings.chunking),
            make_index=lambda state, root: Index(
                state, self.embedder, self.settings.chunking, root
            ),
            make_retriever=self._retriever,
            modes=modes,
            progress=progress,
        )

    def corpus_as_of(self) -> date | None:
        """The latest publication date in the index: how current the evidence is."""
        dates = [d.published for d in self.index.documents().values() if d.published]
        return max(dates, default=None)

    def generate(self, name: str) -> GenerateResult:
        """Build the briefing ``name`` from its spec and write its outputs and lock file."""
        self._require_index()
        spec = load_spec(self.briefings_dir, name)
        briefing = build_briefing(spec, self.retriever, self.writer)
        view = briefing_view(briefing, self.corpus_as_of())
        rendered = {
            fmt: self.renderer.render(f"{spec.template}.{fmt}.j2", view) for fmt in OUTPUT_FORMATS
        }
        folder = self.briefings_dir / name
        outputs: dict[str, Path] = {}
        for fmt, text in rendered.items():
            outputs[fmt] = folder / f"briefing.{fmt}"
            atomic_write_text(outputs[fmt], text)
        outputs["lock"] = folder / "sources.json"
        lock = self._lock_record(briefing, folder)
        atomic_write_text(outputs["lock"], json.dumps(lock, indent=2, ensure_ascii=False) + "\n")
        return GenerateResult(briefing, outputs)

    def _lock_record(self, briefing: Briefing, folder: Path) -> dict[str, Any]:
        """What this briefing was built from: enough to tell later whether it is stale."""
        spec_file = folder / "spec.yaml"
        return {
            "briefing": briefing.spec.name,
            "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "spec_sha256": hashlib.sha256(spec_file.read_bytes()).hexdigest(),
            "template": briefing.spec.template,
            "embedding_model": self.embedder.model_id,
            "generator": self.generator.name,
            "verification": dataclasses.asdict(self.settings.verification),
            "retrieval": dataclasses.asdict(self.settings.retrieval),
            "sections": [
                {
                    "heading": section.heading,
                    "questions": list(section.questions),
                    "evidence": [
                        {
                            "chunk_id": p.chunk.chunk_id,
                            "content_hash": p.chunk.content_hash,
                            "doc_id": p.chunk.doc_id,
                            "score": round(p.score, 4),
                        }
                        for p in section.evidence
                    ],
                    "statements": [
                        {
                            "text": s.text,
                            "citations": [c.to_dict() for c in s.citations],
                            "supported": bool(s.verdict and s.verdict.supported),
                            "verification": s.verdict.reason if s.verdict else "",
                        }
                        for s in section.statements
                    ],
                    "unsupported": section.unsupported,
                    "note": section.note,
                }
                for section in briefing.sections
            ],
            "sources": [
                {"number": s.number, "pages": list(s.pages), **s.document.to_dict()}
                for s in briefing.sources
            ],
        }
