"""The briefings folder over time: build, check, rebuild what is stale, diff, history.

A ``Shelf`` is built with its parts (index, renderer, settings, and factories for the retriever
and the drafter, which load models: listing, checking a lock or a diff must not) by the
``Project`` that wires them, and never calls back into it. The project keeps the write lock and
the index sync: build and rebuild through ``Project.generate`` and ``Project.regenerate``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policybrief.briefings import (
    build_briefing,
    check_name,
    list_briefings,
    load_spec,
    parse_formats,
    section_passages,
)
from policybrief.errors import PolicybriefError, SpecError
from policybrief.exporting import html_to_pdf, markdown_to_docx
from policybrief.extractive import SELECTION_SCHEME
from policybrief.freshness import (
    HISTORY,
    Staleness,
    changes_view,
    compare,
    diff_locks,
    replace_outputs,
    reusable_sections,
    section_from_lock,
    versions,
)
from policybrief.lockfile import (
    LOCK_FILE,
    Lock,
    SectionChange,
    content_digest,
    published_numbers,
    read_lock,
)
from policybrief.rendering import briefing_view
from policybrief.types import (
    EXPORT_FORMATS,
    TEXT_FORMATS,
    Briefing,
    BriefingSpec,
    Section,
    output_file,
)

if TYPE_CHECKING:
    from policybrief.config import Settings
    from policybrief.drafting import Drafter
    from policybrief.index import Index, ProgressCallback
    from policybrief.rendering import Renderer
    from policybrief.retrieval import Retriever


@dataclass(frozen=True)
class GenerateResult:
    briefing: Briefing
    outputs: dict[str, Path]  # format → file (plus "lock" → sources.json)
    written: bool = True  # False when the outputs already had exactly this content

    def to_dict(self) -> dict[str, Any]:
        """As ``brief generate --json`` prints it."""
        sections = self.briefing.sections
        statements = [s for section in sections for s in section.statements]
        return {
            "briefing": self.briefing.spec.name,
            "written": self.written,
            "outputs": {fmt: str(path) for fmt, path in self.outputs.items()},
            "statements": len(statements),
            "supported": sum(1 for s in statements if s.verdict and s.verdict.supported),
            "unsupported": sum(section.unsupported for section in sections),
            "sources": len(self.briefing.sources),
            "notes": {s.heading: s.note for s in sections if s.note},
        }


def indexed_corpus(index: Index, configured: Path) -> Path:
    """The folder the index mirrors: the last one synced, else the configured corpus."""
    mirrored = index.mirrored_corpus()
    return mirrored if mirrored and mirrored.is_dir() else configured


class Shelf:
    """One folder of briefings, each with its spec, outputs, lock and history."""

    def __init__(
        self,
        folder: Path,
        *,
        index: Index,
        retriever: Callable[[], Retriever],
        drafter: Callable[[], Drafter],
        renderer: Renderer,
        settings: Settings,
        corpus_dir: Path,
    ) -> None:
        self.folder = folder
        self.index = index
        self._retriever = retriever
        self._drafter = drafter
        self.renderer = renderer
        self.settings = settings
        self.corpus_dir = corpus_dir

    @property
    def retriever(self) -> Retriever:
        return self._retriever()

    @property
    def drafter(self) -> Drafter:
        return self._drafter()

    def names(self) -> list[str]:
        return list_briefings(self.folder)

    def states(self) -> list[dict[str, Any]]:
        """Each briefing current or stale, and why, as plain data (``Staleness.to_dict``); one
        that cannot be checked (an empty index, a broken spec) says so instead."""
        if self.index.is_empty():
            return [
                {"name": name, "current": False, "reasons": ["the index is empty"]}
                for name in self.names()
            ]
        found = []
        for name in self.names():
            try:
                found.append(self.check(name).to_dict())
            except PolicybriefError as exc:
                found.append({"name": name, "current": False, "reasons": [f"error: {exc}"]})
        return found

    def unreadable_locks(self, *, set_aside: bool = False) -> list[str]:
        """Briefings whose lock cannot be read; ``set_aside`` renames each such lock so that
        the next regenerate rebuilds its briefing."""
        bad = []
        for name in self.names():
            lock = self.folder / name / LOCK_FILE
            if lock.is_file() and read_lock(lock.parent) is None:
                bad.append(name)
                if set_aside:
                    lock.rename(lock.with_suffix(".json.unreadable"))
        return bad

    def build(
        self,
        name: str,
        formats: Sequence[str] | None = None,
        progress: ProgressCallback | None = None,
    ) -> GenerateResult:
        """Build the briefing ``name`` from its spec, whole, and write its outputs and lock."""
        spec = load_spec(self.folder, name)
        if formats is not None:
            spec = dataclasses.replace(spec, formats=parse_formats(list(formats), "--format"))
        lock = read_lock(self.folder / name)
        briefing = build_briefing(
            spec, self.retriever, self.drafter, numbered=published_numbers(lock), progress=progress
        )
        return self._publish(briefing, lock)

    def check(self, name: str) -> Staleness:
        """Whether briefing ``name`` is current and, if not, why and which sections changed.

        Retrieval is re-run only for sections whose inputs are unchanged and only when the
        index changed since the briefing was built; query vectors come from the catalog.
        """
        return self._check(load_spec(self.folder, name), read_lock(self.folder / name))

    def _check(self, spec: BriefingSpec, lock: Lock | None) -> Staleness:
        folder = self.folder / spec.name
        content = self.content_settings()
        documents = self.index.documents(lock.cited if lock is not None else ())
        fresh: dict[int, set[tuple[str, str]]] = {}
        if (
            lock is not None
            and lock.content_sha256 == content_digest(content, spec)
            and lock.index_generation != self.index.generation
        ):
            for index in reusable_sections(spec, lock):
                passages = section_passages(
                    self.retriever, spec.sections[index].questions, spec.filters
                )
                fresh[index] = {(p.chunk.chunk_id, p.chunk.content_hash) for p in passages}
        state = compare(
            spec,
            lock,
            folder=folder,
            templates=self._template_hashes(spec),
            content_settings=content,
            fresh_evidence=fresh,
            documents=documents,
        )
        # Documents not yet indexed may change any section: say so, and list them all, so
        # that a dry run never promises less than the real run does.
        waiting = self.index.status(indexed_corpus(self.index, self.corpus_dir))
        diff = waiting.diff
        unindexed = len(diff.new) + len(diff.modified) + len(diff.removed)
        if unindexed or waiting.settings_changed:
            state.reasons.append(
                f"may be stale: {unindexed} document(s) not yet indexed"
                if unindexed
                else "may be stale: the index settings changed"
            )
            state.rebuild = set(range(len(spec.sections)))
        return state

    def rebuild_stale(
        self,
        names: Sequence[str] = (),
        *,
        rebuild_all: bool = False,
        dry_run: bool = False,
        progress: ProgressCallback | None = None,
    ) -> tuple[list[Staleness], dict[str, GenerateResult]]:
        """Check each briefing (all by default) and rebuild the stale ones, in them only the
        sections whose evidence or questions changed (the rest come from the lock)."""
        states: list[Staleness] = []
        results: dict[str, GenerateResult] = {}
        for name in names or self.names():
            spec = load_spec(self.folder, name)  # each read once: the write lock is held
            lock = read_lock(self.folder / name)
            state = self._check(spec, lock)
            if rebuild_all:
                state.rebuild = set(range(len(spec.sections)))
                state.reasons = state.reasons or ["--all"]
            states.append(state)
            if state.current or dry_run:
                continue
            briefing = build_briefing(
                spec,
                self.retriever,
                self.drafter,
                reuse=self._reusable(spec, lock, state.rebuild),
                numbered=published_numbers(lock),
                progress=progress,
            )
            results[name] = self._publish(briefing, lock)
        return states, results

    def versions(self, name: str) -> list[str]:
        """A briefing's archived versions, oldest first (the current one is not among them)."""
        return versions(self.folder / check_name(name))

    def diff(
        self, name: str, from_version: str | None = None, to_version: str | None = None
    ) -> tuple[str, list[SectionChange]]:
        """Changes from an archived version (default: the latest) to another (default: the
        current briefing). Versions are named by a prefix of their time stamp."""
        folder = self.folder / check_name(name)
        current = read_lock(folder)
        if current is None:
            raise SpecError(f"briefing {name!r} has not been generated yet")
        known = versions(folder)
        if not known:
            raise SpecError(f"briefing {name!r} has no earlier version in {folder / HISTORY}")

        def archived(prefix: str) -> tuple[str, Lock]:
            chosen = next((v for v in reversed(known) if v.startswith(prefix)), None)
            if chosen is None:
                raise SpecError(f"no version {prefix!r}; versions: {', '.join(known)}")
            lock = read_lock(folder / HISTORY / chosen)
            if lock is None:
                raise SpecError(f"version {chosen} has no readable {LOCK_FILE}")
            return chosen, lock

        chosen, old = archived(known[-1] if from_version is None else from_version)
        new = current if to_version is None else archived(to_version)[1]
        return chosen, diff_locks(old, new)

    def corpus_as_of(self) -> date | None:
        """The latest publication date in the index: how current the evidence is."""
        dates = [d.published for d in self.index.documents().values() if d.published]
        return max(dates, default=None)

    def content_settings(self) -> dict[str, Any]:
        """Every setting that can change what a briefing says (not how it looks)."""
        settings = self.settings
        generation = settings.generation
        content: dict[str, Any] = {
            "embedding_model": settings.embedding.model,
            "chunking": dataclasses.asdict(settings.chunking),
            "retrieval": dataclasses.asdict(settings.retrieval),
            "verification": dataclasses.asdict(settings.verification),
            "generation": {
                key: value
                for key, value in dataclasses.asdict(generation).items()
                if key not in ("timeout", "api_key_env", "base_url")
            },
        }
        if generation.backend == "extractive":
            content["selection"] = SELECTION_SCHEME
        else:
            content["prompts"] = {
                path.name: hashlib.sha256(path.read_bytes()).hexdigest()
                for name in ("prompts/system.j2", "prompts/answer.j2")
                for path in self.renderer.template_files(name)
            }
        return content

    def _reusable(
        self, spec: BriefingSpec, lock: Lock | None, rebuild: set[int]
    ) -> dict[int, Section]:
        entries = {i: e for i, e in reusable_sections(spec, lock).items() if i not in rebuild}
        chunk_ids = [item.chunk_id for e in entries.values() for item in e.evidence]
        chunks = self.index.chunks(chunk_ids)
        documents = self.index.documents(c.doc_id for c in chunks.values())
        sections = {
            i: section_from_lock(entry, spec.sections[i], chunks, documents)
            for i, entry in entries.items()
        }
        return {i: section for i, section in sections.items() if section is not None}

    def _publish(self, briefing: Briefing, previous: Lock | None) -> GenerateResult:
        """Render and write a briefing (archiving ``previous``, the version it replaces, when
        what it says changes) with its lock."""
        spec = briefing.spec
        folder = self.folder / spec.name
        numbered = {
            **published_numbers(previous),
            **{s.document.doc_id: s.number for s in briefing.sources},
        }
        lock = Lock.of(
            briefing,
            spec_file=folder / "spec.yaml",
            templates=self._template_hashes(spec),
            content_settings=self.content_settings(),
            index_generation=self.index.generation,
            generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
            numbered=numbered,
        )
        if previous is None:
            changes: tuple[SectionChange, ...] = ()
        elif previous.says_the_same(lock):
            changes = previous.changes
        else:
            changes = tuple(c for c in diff_locks(previous, lock) if not c.empty)
        lock = dataclasses.replace(lock, changes=changes)
        view = briefing_view(briefing, self.corpus_as_of(), changes_view(changes))
        texts = {
            fmt: self.renderer.render(f"{spec.template}.{fmt}.j2", view) for fmt in TEXT_FORMATS
        }
        files = {output_file(fmt): text for fmt, text in texts.items() if fmt in spec.formats}
        files[LOCK_FILE] = lock.to_json()

        # A PDF or DOCX made by an earlier run is rebuilt with the rest, never left outdated.
        made = {fmt for fmt in EXPORT_FORMATS if (folder / output_file(fmt)).is_file()}

        def exports() -> dict[str, bytes]:
            built = {}
            if "pdf" in spec.formats or "pdf" in made:
                built[output_file("pdf")] = html_to_pdf(texts["html"])
            if "docx" in spec.formats or "docx" in made:
                built[output_file("docx")] = markdown_to_docx(texts["md"])
            return built

        binary = [output_file(fmt) for fmt in spec.formats if fmt in EXPORT_FORMATS]
        written = replace_outputs(folder, files, previous, exports, binary)
        outputs = {fmt: folder / output_file(fmt) for fmt in spec.formats}
        outputs["lock"] = folder / LOCK_FILE
        return GenerateResult(briefing, outputs, written)

    def _template_hashes(self, spec: BriefingSpec) -> dict[str, str]:
        """SHA-256 of every template file a briefing renders with (includes too)."""
        hashes: dict[str, str] = {}
        for fmt in TEXT_FORMATS:
            for path in self.renderer.template_files(f"{spec.template}.{fmt}.j2"):
                hashes[path.name] = hashlib.sha256(path.read_bytes()).hexdigest()
        return hashes
