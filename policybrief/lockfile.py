"""The lock file ``sources.json``: what a briefing was built from and what it says, typed.

Beside each briefing, its lock records the spec, templates and settings it was built with, the
index generation, and per section the evidence retrieval returned (chunk ids with content
hashes) and the statements written from it. ``Lock.to_dict`` writes the same JSON the format
has always had, key for key, and ``Lock.from_dict`` reads it back, so a lock of this version
round-trips (an older one reads with defaults for what it lacks; nothing writes it back).
Frozen: a lock's fields are not reassigned (its mappings are plain dicts, so it is not
hashable).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from policybrief.types import (
    Briefing,
    BriefingSpec,
    Citation,
    DocumentInfo,
    Gap,
    SectionSpec,
    Source,
    Statement,
    Verdict,
)

LOCK_FILE = "sources.json"
LOCK_FORMAT = 1


def digest(value: Any) -> str:
    """A stable hash of JSON-able data."""
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def section_key(section: SectionSpec) -> str:
    """What identifies a section's content: its heading, questions and statement limit."""
    return digest([section.heading, list(section.questions), section.max_statements])


def content_digest(content_settings: Mapping[str, Any], spec: BriefingSpec) -> str:
    """What decides what a briefing says, beyond its sections: settings and filters."""
    return digest([dict(content_settings), spec.filters.to_dict()])


def significant(score: float | None) -> float | None:
    """Six significant digits: the ONNX and PyTorch paths differ in the seventh, and a lock
    should not change with the path that embedded the question."""
    return None if score is None else float(f"{score:.6g}")


@dataclass(frozen=True)
class RenderInputs:
    """What decides how a briefing looks, but not what it says."""

    # (None where an older lock lacks the key: it then differs from any spec)
    title: str | None
    audience: str | None
    summary: str | None
    template: str | None
    templates: Mapping[str, str]  # template file name → SHA-256
    formats: tuple[str, ...] | None

    @classmethod
    def of(cls, spec: BriefingSpec, templates: Mapping[str, str]) -> RenderInputs:
        return cls(
            spec.title,
            spec.audience,
            spec.summary,
            spec.template,
            dict(templates),
            tuple(spec.formats),
        )

    # The spec's fields, in the order their changes are reported.
    SPEC_FIELDS = ("title", "audience", "summary", "template", "formats")

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "audience": self.audience,
            "summary": self.summary,
            "template": self.template,
            "templates": dict(self.templates),
            "formats": None if self.formats is None else list(self.formats),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RenderInputs:
        formats = data.get("formats")
        return cls(
            data.get("title"),
            data.get("audience"),
            data.get("summary"),
            data.get("template"),
            dict(data.get("templates", {})),
            None if formats is None else tuple(formats),
        )


@dataclass(frozen=True)
class LockedEvidence:
    """One passage retrieval returned for a section, as it was when the section was built."""

    chunk_id: str
    content_hash: str
    doc_id: str
    score: float
    dense_score: float | None = None
    keyword_score: float | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.chunk_id, self.content_hash)

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "content_hash": self.content_hash,
            "doc_id": self.doc_id,
            "score": self.score,
            "dense_score": self.dense_score,
            "keyword_score": self.keyword_score,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LockedEvidence:
        return cls(
            data["chunk_id"],
            data["content_hash"],
            data["doc_id"],
            data["score"],
            data.get("dense_score"),
            data.get("keyword_score"),
        )


@dataclass(frozen=True)
class LockedSection:
    """A section as built: its evidence and the statements written from it."""

    heading: str
    questions: tuple[str, ...]
    spec_sha256: str  # ``section_key`` of the section spec it was built from
    evidence: tuple[LockedEvidence, ...]
    statements: tuple[Statement, ...]
    unsupported: int = 0
    note: str = ""
    unanswered: tuple[Gap, ...] = ()

    @property
    def evidence_keys(self) -> set[tuple[str, str]]:
        return {e.key for e in self.evidence}

    @property
    def cited(self) -> list[str]:
        """The documents its statements cite, in order of first citation."""
        return list(dict.fromkeys(c.doc_id for s in self.statements for c in s.citations))

    def to_dict(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "questions": list(self.questions),
            "spec_sha256": self.spec_sha256,
            "evidence": [e.to_dict() for e in self.evidence],
            "statements": [s.to_dict() for s in self.statements],
            "unsupported": self.unsupported,
            "note": self.note,
            "unanswered": [gap.to_dict() for gap in self.unanswered],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LockedSection:
        return cls(
            data["heading"],
            tuple(data.get("questions", ())),
            data["spec_sha256"],
            tuple(LockedEvidence.from_dict(e) for e in data["evidence"]),
            tuple(
                Statement(
                    s["text"],
                    tuple(Citation.from_dict(c) for c in s["citations"]),
                    Verdict(s["supported"], s["verification"]),
                )
                for s in data["statements"]
            ),
            data.get("unsupported", 0),
            data.get("note", ""),
            tuple(Gap.from_dict(g) for g in data.get("unanswered", [])),
        )


@dataclass(frozen=True)
class StatementCounts:
    supported: int
    unsupported_shown: int  # flagged, under the ``flag`` policy
    unsupported: int  # rejected by the verifier (dropped or flagged)

    def to_dict(self) -> dict[str, int]:
        return {
            "supported": self.supported,
            "unsupported_shown": self.unsupported_shown,
            "unsupported": self.unsupported,
        }


@dataclass(frozen=True)
class SectionChange:
    """What changed in one section between two versions of a briefing."""

    heading: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    sources_added: tuple[str, ...]
    sources_removed: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.sources_added or self.sources_removed)

    def to_dict(self) -> dict[str, Any]:
        return {
            "heading": self.heading,
            "added": list(self.added),
            "removed": list(self.removed),
            "sources_added": list(self.sources_added),
            "sources_removed": list(self.sources_removed),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SectionChange:
        return cls(
            data["heading"],
            tuple(data["added"]),
            tuple(data["removed"]),
            tuple(data["sources_added"]),
            tuple(data["sources_removed"]),
        )


@dataclass(frozen=True)
class Lock:
    """A briefing's ``sources.json``."""

    briefing: str
    generated_at: str
    spec_sha256: str  # of the spec file's bytes
    render: RenderInputs
    content_settings: Mapping[str, Any]
    content_sha256: str  # ``content_digest`` of the settings and the spec's filters
    index_generation: int
    counts: StatementCounts
    sections: tuple[LockedSection, ...]
    sources: tuple[Source, ...]
    # Every source number the briefing has published, by document (kept across versions)
    numbered: Mapping[str, int]
    changes: tuple[SectionChange, ...] = ()  # since the version before, non-empty ones only

    @classmethod
    def of(
        cls,
        briefing: Briefing,
        *,
        spec_file: Path,
        templates: Mapping[str, str],
        content_settings: Mapping[str, Any],
        index_generation: int,
        generated_at: str,
        numbered: Mapping[str, int],
    ) -> Lock:
        """The lock of a briefing just built."""
        spec = briefing.spec
        statements = [s for section in briefing.sections for s in section.statements]
        supported = sum(1 for s in statements if s.verdict and s.verdict.supported)
        return cls(
            briefing=spec.name,
            generated_at=generated_at,
            spec_sha256=hashlib.sha256(spec_file.read_bytes()).hexdigest(),
            render=RenderInputs.of(spec, templates),
            content_settings=dict(content_settings),
            content_sha256=content_digest(content_settings, spec),
            index_generation=index_generation,
            counts=StatementCounts(
                supported,
                len(statements) - supported,
                sum(section.unsupported for section in briefing.sections),
            ),
            sections=tuple(
                LockedSection(
                    section.heading,
                    tuple(section.questions),
                    section_key(section_spec),
                    tuple(
                        LockedEvidence(
                            p.chunk.chunk_id,
                            p.chunk.content_hash,
                            p.chunk.doc_id,
                            round(p.score, 6),
                            significant(p.dense_score),
                            significant(p.keyword_score),
                        )
                        for p in section.evidence
                    ),
                    tuple(section.statements),
                    section.unsupported,
                    section.note,
                    tuple(section.unanswered),
                )
                for section, section_spec in zip(briefing.sections, spec.sections, strict=True)
            ),
            sources=tuple(briefing.sources),
            numbered=dict(sorted(numbered.items(), key=lambda item: item[1])),
        )

    @property
    def cited(self) -> set[str]:
        """Every document the statements cite."""
        return {doc_id for section in self.sections for doc_id in section.cited}

    def says_the_same(self, other: Lock) -> bool:
        """Whether two locks say the same things, citing the same sources."""

        def said(lock: Lock) -> Any:
            return (
                [(s.heading, [st.to_dict() for st in s.statements], s.note) for s in lock.sections],
                [s.to_dict() for s in lock.sources],
            )

        return bool(said(self) == said(other))

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": LOCK_FORMAT,
            "briefing": self.briefing,
            "generated_at": self.generated_at,
            "spec_sha256": self.spec_sha256,
            "render": self.render.to_dict(),
            "content_settings": dict(self.content_settings),
            "content_sha256": self.content_sha256,
            "index_generation": self.index_generation,
            "statements": self.counts.to_dict(),
            "sections": [s.to_dict() for s in self.sections],
            "sources": [s.to_dict() for s in self.sources],
            "numbered": dict(self.numbered),
            "changes": [c.to_dict() for c in self.changes],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Lock:
        """A lock as read; older locks lack ``numbered`` (their sources' numbers stand in)."""
        sources = tuple(
            Source(s["number"], DocumentInfo.from_dict(s), tuple(s.get("pages", ())))
            for s in data["sources"]
        )
        numbered = data.get("numbered") or {s.document.doc_id: s.number for s in sources}
        counts = data.get("statements", {})
        return cls(
            briefing=data.get("briefing", ""),
            generated_at=str(data.get("generated_at", "unknown")),
            spec_sha256=data.get("spec_sha256", ""),
            render=RenderInputs.from_dict(data["render"]),
            content_settings=dict(data.get("content_settings", {})),
            content_sha256=data["content_sha256"],
            index_generation=data["index_generation"],
            counts=StatementCounts(
                counts.get("supported", 0),
                counts.get("unsupported_shown", 0),
                counts.get("unsupported", 0),
            ),
            sections=tuple(LockedSection.from_dict(s) for s in data["sections"]),
            sources=sources,
            numbered={str(doc_id): int(number) for doc_id, number in numbered.items()},
            changes=tuple(SectionChange.from_dict(c) for c in data.get("changes", [])),
        )


def parse_lock(text: str) -> Lock | None:
    """A lock from its JSON, or None when it is not a readable lock of this format."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return None
    if not isinstance(data, dict) or data.get("format") != LOCK_FORMAT:
        return None
    try:
        return Lock.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def read_lock(folder: Path) -> Lock | None:
    """The lock in ``folder``, or None when there is none or it cannot be read."""
    path = folder / LOCK_FILE
    if not path.is_file():
        return None
    try:
        return parse_lock(path.read_text("utf-8"))
    except UnicodeDecodeError:
        return None


def published_numbers(lock: Lock | None) -> dict[str, int]:
    """Every source number a briefing has published."""
    return dict(lock.numbered) if lock is not None else {}
