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

import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from policybrief.citations import POLICIES, Verifier, number_sources
from policybrief.config import Settings, find_project_root, load_settings, with_overrides
from policybrief.drafting import Draft, Drafter, Notice
from policybrief.embedders import Embedder, create_embedder
from policybrief.errors import ConfigError, CorpusSwitch, IndexStateError, SpecError
from policybrief.evaluation import EvalReport, evaluate_retrieval, load_beir, slice_beir
from policybrief.evidence import quotable_texts
from policybrief.extractive import ExtractiveGenerator
from policybrief.fetching import add_file, add_url, describe, is_url
from policybrief.freshness import Staleness
from policybrief.generation import Generator, LLMGenerator
from policybrief.index import (
    Consistency,
    Index,
    IndexStatus,
    ProgressCallback,
    SyncReport,
    file_sha256,
    scan_corpus,
    settings_fingerprint,
)
from policybrief.llm import create_chat_model
from policybrief.loaders import DESCRIBED_KEYS, load_document, sidecar_of
from policybrief.lockfile import SectionChange
from policybrief.locking import write_lock
from policybrief.questions import is_corpus_summary, is_summary
from policybrief.rendering import Renderer
from policybrief.reranking import Reranker
from policybrief.retrieval import MODES, Retriever
from policybrief.shelf import GenerateResult, Shelf, indexed_corpus
from policybrief.text import parse_date
from policybrief.types import Answer, DocumentInfo, Filters, Statement


@dataclass
class DoctorReport:
    index: Consistency
    unreadable_locks: list[str]  # briefings whose sources.json cannot be read
    repaired: bool

    @property
    def problems(self) -> list[str]:
        return self.index.problems + [
            f"briefing {name}: sources.json unreadable" for name in self.unreadable_locks
        ]

    def to_dict(self) -> dict[str, Any]:
        return {"problems": self.problems, "repaired": self.repaired}


@dataclass
class AddReport:
    added: list[Path]
    already: list[str]  # files or pages whose content the corpus already held
    sync: SyncReport
    described: list[Path] = field(default_factory=list)  # sidecars written or changed

    def to_dict(self) -> dict[str, Any]:
        return {
            "added": [str(p) for p in self.added],
            "already": self.already,
            "described": [str(p) for p in self.described],
            "index": self.sync.to_dict(),
        }


@dataclass
class RegenerateReport:
    sync: SyncReport | None  # None on a dry run (nothing is indexed)
    pending: IndexStatus | None  # on a dry run: what indexing would change
    states: list[Staleness] = field(default_factory=list)
    results: dict[str, GenerateResult] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """As ``brief regenerate --json`` prints it (``sections``: numbered from 1)."""
        index: dict[str, Any] = {}
        if self.sync is not None:
            index = {k: v for k, v in self.sync.to_dict().items() if k != "ignored"}
        elif self.pending is not None:
            diff = self.pending.diff
            index = {
                "new": list(diff.new),
                "modified": list(diff.modified),
                "removed": list(diff.removed),
            }
        return {
            "index": index,
            "briefings": [
                {
                    "name": state.name,
                    "current": state.current,
                    "reasons": state.reasons,
                    "sections": [i + 1 for i in sorted(state.rebuild)],
                    "written": bool(
                        self.results.get(state.name) and self.results[state.name].written
                    ),
                }
                for state in self.states
            ],
        }


@dataclass(frozen=True)
class ProjectStatus:
    root: Path
    corpus: Path
    index: IndexStatus
    briefings: list[str]

    def to_dict(self) -> dict[str, Any]:
        """As ``brief status --json`` prints it, but for the briefings' states (which take a
        check each: ``Project.check``); ``briefings`` here are their names."""
        index, diff = self.index, self.index.diff
        return {
            "project": str(self.root),
            "corpus": str(self.corpus),
            "index": index.location,
            "model": index.model_id,
            "documents": index.documents,
            "chunks": index.chunks,
            "up_to_date": index.up_to_date,
            "new": list(diff.new),
            "modified": list(diff.modified),
            "removed": list(diff.removed),
            "settings_changed": index.settings_changed,
            "skipped": index.skipped,
            "briefings": self.briefings,
        }


P = ParamSpec("P")
R = TypeVar("R")


def under_write_lock(
    method: Callable[Concatenate[Project, P], R],
) -> Callable[Concatenate[Project, P], R]:
    """Run a Project method under the project's write lock (see ``locking``)."""

    def locked(self: Project, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with self.write_locked(method.__name__):
            return method(self, *args, **kwargs)

    return functools.update_wrapper(locked, method)


class Project:
    """A project folder: corpus/, briefings/, templates/, brief.toml and the index.

    ``wait``: whether a writing method waits for another process's write lock (else it raises
    ``Busy``); ``on_wait`` is told whom it waits for.
    """

    def __init__(self, root: Path, settings: Settings, embedder: Embedder | None = None) -> None:
        self.root = root
        self.settings = settings
        self.wait = True
        self.on_wait: Callable[[str], None] | None = None
        self._lock_depth = 0
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

    @contextmanager
    def write_locked(self, what: str) -> Iterator[None]:
        """Hold the write lock (once per process, however deeply writers call each other)."""
        if self._lock_depth:
            self._lock_depth += 1
            try:
                yield
            finally:
                self._lock_depth -= 1
            return
        with write_lock(self.state_dir, wait=self.wait, on_wait=self.on_wait, what=f"brief {what}"):
            self._lock_depth = 1
            try:
                yield
            finally:
                self._lock_depth = 0

    def close(self) -> None:
        """Release the index (the Chroma client and the catalog connection)."""
        index = self.__dict__.pop("index", None)
        if index is not None:
            index.close()
        self.__dict__.pop("retriever", None)
        self.__dict__.pop("shelf", None)

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- parts, built on first use ------------------------------------------------------------

    def _path(self, setting: str) -> Path:
        path = Path(setting).expanduser()
        return path if path.is_absolute() else self.root / path

    def _project_path(self, key: str) -> Path:
        """A [paths] setting, which must stay inside the project (no ../ or absolute escape)."""
        path = self._path(getattr(self.settings.paths, key))
        if not path.resolve().is_relative_to(self.root.resolve()):
            raise ConfigError(
                f"[paths] {key} = {getattr(self.settings.paths, key)!r} is outside the project "
                f"{self.root}; `brief ingest PATH` indexes another folder explicitly"
            )
        return path

    @property
    def corpus_dir(self) -> Path:
        return self._project_path("corpus")

    @property
    def briefings_dir(self) -> Path:
        return self._project_path("briefings")

    @property
    def templates_dir(self) -> Path:
        return self._project_path("templates")

    @property
    def state_dir(self) -> Path:
        return self._project_path("index")

    @cached_property
    def embedder(self) -> Embedder:
        return create_embedder(self.settings.embedding, self.root, self.state_dir / "models")

    @cached_property
    def index(self) -> Index:
        return Index(
            self.state_dir,
            self.embedder,
            self.settings.chunking,
            self.root,
            ingest=self.settings.ingest,
            chroma=self.settings.chroma,
            quotable=quotable_texts,
        )

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
            self.embedder,
            settings.min_sentence_score,
            settings.relative_sentence_score,
            stored=lambda texts: self.index.sentence_vectors(texts),
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
    def drafter(self) -> Drafter:
        policy = self.settings.verification.policy
        # (brief.toml is checked at load; this guards settings built in Python)
        if policy not in POLICIES:
            raise ConfigError(f"[verification] policy must be one of {', '.join(POLICIES)}")
        verification = self.settings.verification
        verifier = Verifier(self.embedder, verification.min_support, verification.min_coverage)
        return Drafter(self.generator, self.extractive, verifier, policy)

    @cached_property
    def renderer(self) -> Renderer:
        return Renderer(self.templates_dir)

    @cached_property
    def shelf(self) -> Shelf:
        """The briefings folder: build, check, rebuild, diff (under the lock held here)."""
        return Shelf(
            self.briefings_dir,
            index=self.index,
            retriever=lambda: self.retriever,
            drafter=lambda: self.drafter,
            renderer=self.renderer,
            settings=self.settings,
            corpus_dir=self.corpus_dir,
        )

    # -- the jobs ---------------------------------------------------------------------------

    @under_write_lock
    def ingest(
        self,
        path: str | Path | None = None,
        progress: ProgressCallback | None = None,
        *,
        switch: bool = False,
    ) -> SyncReport:
        """Bring the index in line with the corpus folder (or ``path``), incrementally.

        Mirroring another folder than the one indexed drops that folder's documents from the
        index, so it needs ``switch``; ingesting the first folder again brings them back."""
        corpus = Path(path).resolve() if path else self._indexed_corpus()
        if not corpus.is_dir():
            raise IndexStateError(f"corpus folder {corpus} does not exist")
        leaving = self.switch_cost(corpus)
        if leaving and not switch:
            indexed = self._indexed_corpus()
            raise CorpusSwitch(
                f"{corpus} is not the indexed corpus ({indexed}): making it the corpus removes "
                f"{leaving} document(s) from the index. Run again with --yes to switch; "
                f"`brief ingest {indexed} --yes` switches back."
            )
        return self.index.sync(corpus, progress)

    def _indexed_corpus(self) -> Path:
        return indexed_corpus(self.index, self.corpus_dir)

    def switch_cost(self, corpus: Path) -> int:
        """How many indexed documents leave the index if ``corpus`` becomes the corpus."""
        if corpus.resolve() == self._indexed_corpus().resolve():
            return 0
        files, _ = scan_corpus(
            corpus, self.root, follow_symlinks=self.settings.ingest.follow_symlinks
        )
        staying = {f.doc_id for f in files}
        return sum(doc_id not in staying for doc_id in self.index.documents())

    @under_write_lock
    def add(
        self,
        items: Sequence[str],
        progress: ProgressCallback | None = None,
        described: Mapping[str, str] | None = None,
    ) -> AddReport:
        """Copy files, or fetch web pages (saved as Markdown with front matter), into the
        corpus, then index them. ``described`` (title, published, source, url) is what the
        user says about the items; it goes in each one's sidecar and wins over the file's own
        metadata. An item already in the corpus can be described this way too."""
        described = {key: value for key, value in (described or {}).items() if value.strip()}
        unknown = sorted(set(described) - set(DESCRIBED_KEYS))
        if unknown:
            allowed = ", ".join(DESCRIBED_KEYS)
            raise ConfigError(f"cannot describe an item's {unknown[0]!r}: use {allowed}")
        for key in ("title", "url"):
            if described.get(key) and len(items) > 1:
                raise ConfigError(f"a {key} describes one item: add the others separately")
        if described.get("published") and parse_date(described["published"]) is None:
            given = described["published"]
            raise ConfigError(f"published date {given!r} is not a date (use YYYY-MM-DD)")
        added: list[Path] = []
        already: list[str] = []
        sidecars: list[Path] = []
        today = datetime.now(UTC).date()
        for item in items:
            fields = described
            if is_url(item):
                path, new = add_url(item, self.corpus_dir, today)
                if path.suffix == ".pdf":  # a page keeps its URL in front matter; a PDF here
                    fields = {"url": item, "fetched": today.isoformat(), **described}
            else:
                path, new = add_file(Path(item).expanduser(), self.corpus_dir)
            if fields and describe(path, fields):
                sidecars.append(sidecar_of(path))
            if new:
                added.append(path)
            else:
                already.append(item)
        return AddReport(added, already, self.ingest(progress=progress), sidecars)

    def doctor(self, repair: bool = False) -> DoctorReport:
        """Check that vector store, keyword index, catalog and briefing locks agree; with
        ``repair``, make them agree (vectors re-embedded or deleted, keyword entries rebuilt,
        unreadable locks set aside so that the next regenerate rebuilds those briefings)."""
        with self.write_locked("doctor") if repair else nullcontext():
            found = self.index.repair() if repair else self.index.check()
            bad_locks = self.shelf.unreadable_locks(set_aside=repair)
        return DoctorReport(found, bad_locks, repaired=repair)

    def status(self) -> ProjectStatus:
        """Index state against the folder it mirrors (the configured corpus by default)."""
        corpus = self._indexed_corpus()
        return ProjectStatus(
            root=self.root,
            corpus=corpus,
            index=self.index.status(corpus),
            briefings=self.shelf.names(),
        )

    def _require_index(self) -> None:
        if self.index.is_empty() and self.index.outdated:
            raise IndexStateError(
                "the index was made by an older policybrief: run `brief ingest` to rebuild it "
                "(the vectors it holds are reused)"
            )
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
        # A summary asks for what is central, which no similarity floor can judge; a summary of
        # a whole corpus of several documents starts from their leads.
        floor = 0.0 if is_summary(question) else None
        passages = self.retriever.leads(k=k, filters=filters) if is_corpus_summary(question) else []
        if not passages:
            passages = self.retriever.retrieve(
                question, k=k, filters=filters, mode=mode, min_score=floor
            )
        unmatched = filters.unmatched(self.index.documents().values()) if filters else ""
        if unmatched:  # an empty filter is not missing evidence: say so, and what there is
            yield Answer(question, (), (), (), found=False, unmatched=unmatched)
            return
        for item in self.drafter.stream(
            [question],
            passages,
            max_statements=max_statements or self.settings.generation.max_statements,
        ):
            if not isinstance(item, Draft):
                yield item
        assert isinstance(item, Draft)
        documents = {p.document.doc_id: p.document for p in passages}
        yield Answer(
            question=question,
            statements=item.statements,
            sources=number_sources(item.statements, documents),
            passages=tuple(passages),
            found=any(s.verdict and s.verdict.supported for s in item.statements),
            note=item.note,
            unsupported=item.unsupported,
            missing=item.gaps,
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
        """A cited answer; ``found`` is False when the sources answer no part of the question,
        and ``missing`` names each part they do not answer, with the reason."""
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
        return self.shelf.corpus_as_of()

    @under_write_lock
    def generate(
        self,
        name: str,
        formats: Sequence[str] | None = None,
        progress: ProgressCallback | None = None,
    ) -> GenerateResult:
        """Build the briefing ``name`` from its spec, whole, and write its outputs and lock.

        The output depends only on corpus, spec, templates and settings. When it would be the
        same as what is on disk, nothing is rewritten; otherwise the old version is archived.
        """
        self._require_index()
        return self.shelf.build(name, formats, progress)

    def check(self, name: str) -> Staleness:
        """Whether briefing ``name`` is current and, if not, why and which sections changed."""
        return self.shelf.check(name)

    def regenerate(
        self,
        names: Sequence[str] = (),
        *,
        rebuild_all: bool = False,
        dry_run: bool = False,
        progress: ProgressCallback | None = None,
    ) -> RegenerateReport:
        """Sync the index, then rebuild only stale briefings and, in them, only the sections
        whose evidence or questions changed (the rest come from the lock)."""
        with nullcontext() if dry_run else self.write_locked("regenerate"):
            if dry_run:
                sync, pending = None, self.index.status(self._indexed_corpus())
            else:
                sync, pending = self.ingest(progress=progress), None
            states, results = self.shelf.rebuild_stale(
                names, rebuild_all=rebuild_all, dry_run=dry_run, progress=progress
            )
            return RegenerateReport(sync, pending, states, results)

    def diff(
        self, name: str, from_version: str | None = None, to_version: str | None = None
    ) -> tuple[str, list[SectionChange]]:
        """Changes from an archived version (default: the latest) to another (default: the
        current briefing)."""
        return self.shelf.diff(name, from_version, to_version)

    def documents(self) -> list[DocumentInfo]:
        """The indexed documents, newest first (undated last), then by path."""
        infos = self.index.documents().values()
        return sorted(infos, key=lambda i: (-(i.published or date.min).toordinal(), i.path))

    def source_text(self, doc_id: str) -> tuple[DocumentInfo, str]:
        """An indexed document's text, as loaded (citation spans are offsets into it)."""
        info = self.index.documents([doc_id]).get(doc_id)
        if info is None:
            raise SpecError(f"no indexed document {doc_id!r}")
        path = self.root / info.path
        # The file as it was indexed, in the folder indexed: not one a link now leads out of,
        # nor one edited since (its spans would no longer fit)
        inside = path.resolve().is_relative_to(self._indexed_corpus().resolve())
        if not inside and not self.settings.ingest.follow_symlinks:
            raise SpecError(f"{info.path} is outside the indexed corpus")
        if not path.is_file() or file_sha256(path) != self.index.indexed_sha256(doc_id):
            raise SpecError(f"{info.path} changed since it was indexed: run `brief ingest`")
        return info, load_document(path, doc_id, info.path).text
