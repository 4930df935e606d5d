"""Plain data that flows one way: load → chunk → index → retrieve → generate → verify → render.

Everything here is a frozen dataclass with no I/O, so each stage can be tested on its own and
a notebook can build or inspect any of them by hand.
"""

from __future__ import annotations

import bisect
import fnmatch
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Output formats, in one list: the text ones are rendered from templates; PDF and DOCX are
# made from the rendered HTML and Markdown. Each is written as ``briefing.<format>``.
TEXT_FORMATS = ("md", "html")
EXPORT_FORMATS = ("pdf", "docx")
FORMATS = (*TEXT_FORMATS, *EXPORT_FORMATS)


def output_file(fmt: str) -> str:
    """The file a briefing's output in ``fmt`` is written to."""
    return f"briefing.{fmt}"


@dataclass(frozen=True)
class Document:
    """One source file, cleaned to plain text, with what the file says about itself.

    ``page_starts`` holds the character offset where each page begins (PDFs); ``headings`` holds
    ``(offset, heading)`` pairs so that any span can be traced to its page and section.
    """

    doc_id: str
    path: str
    title: str
    text: str
    published: date | None = None
    source: str = ""
    url: str = ""
    page_starts: tuple[int, ...] = ()
    headings: tuple[tuple[int, str], ...] = ()

    def page_at(self, offset: int) -> int | None:
        """1-based page number holding ``offset``, or None for unpaged documents."""
        if not self.page_starts:
            return None
        return max(1, bisect.bisect_right(self.page_starts, offset))

    def heading_at(self, offset: int) -> str:
        """The most recent section heading at or before ``offset`` ("" when none)."""
        starts = [start for start, _ in self.headings]
        index = bisect.bisect_right(starts, offset) - 1
        return self.headings[index][1] if index >= 0 else ""


@dataclass(frozen=True)
class DocumentInfo:
    """What the index remembers about a document: enough to cite it without reloading it."""

    doc_id: str
    path: str
    title: str
    published: date | None = None
    source: str = ""
    url: str = ""

    @classmethod
    def of(cls, document: Document) -> DocumentInfo:
        return cls(
            doc_id=document.doc_id,
            path=document.path,
            title=document.title,
            published=document.published,
            source=document.source,
            url=document.url,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_id": self.doc_id,
            "path": self.path,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "source": self.source,
            "url": self.url,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentInfo:
        published = data.get("published")
        return cls(
            doc_id=data["doc_id"],
            path=data["path"],
            title=data["title"],
            published=date.fromisoformat(published) if published else None,
            source=data.get("source", ""),
            url=data.get("url", ""),
        )


@dataclass(frozen=True)
class Chunk:
    """A span of a document small enough for the embedder, with its provenance.

    ``chunk_id`` hashes the document id and the text (stable across runs); ``content_hash``
    hashes the text alone, so a lock file can tell whether cited evidence changed;
    ``embed_hash`` hashes exactly what was embedded (title prefix and text), so identical
    chunks of other documents (copies, renamed files) reuse one vector.
    """

    chunk_id: str
    doc_id: str
    text: str
    start: int
    end: int
    page: int | None
    heading: str
    content_hash: str
    embed_hash: str = ""


# Characters of a document before a chunk that a passage carries: a quotation's speaker or a
# list's lead-in may stand there.
TEXT_BEFORE = 600


def text_before(chunk: Chunk, previous: Chunk | None, limit: int = TEXT_BEFORE) -> str:
    """Up to ``limit`` characters of the document before ``chunk``, from ``previous``, the
    chunk that precedes it ("" for a document's first chunk; the white space between two
    chunks that do not overlap is not stored, so a line break there is not seen)."""
    if previous is None:
        return ""
    before = previous.text[: max(0, chunk.start - previous.start)]
    return before[max(0, len(before) - limit) :]


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk with the document it came from and how well it matched.

    ``before`` is the end of the document's text before the chunk (from the chunk before it):
    a quotation's speaker or a list's lead-in may stand there ("…,” said Secretary Raimondo.
    “As we implement…" can be cut between the two).
    """

    chunk: Chunk
    document: DocumentInfo
    score: float
    dense_score: float | None = None
    keyword_score: float | None = None
    before: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Where it stands and how it matched (scores to four places), as ``--json`` shows it."""
        return {
            "chunk_id": self.chunk.chunk_id,
            "doc_id": self.chunk.doc_id,
            "score": round(self.score, 4),
            "dense_score": None if self.dense_score is None else round(self.dense_score, 4),
            "keyword_score": None if self.keyword_score is None else round(self.keyword_score, 4),
            "page": self.chunk.page,
            "heading": self.chunk.heading,
            "start": self.chunk.start,
            "end": self.chunk.end,
        }


@dataclass(frozen=True)
class Citation:
    """Where a statement's support lies: a chunk, and the exact span of the document."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    page: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "chunk_id": self.chunk_id,
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "page": self.page,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        return cls(data["chunk_id"], data["doc_id"], data["start"], data["end"], data.get("page"))


@dataclass(frozen=True)
class Verdict:
    """The verifier's finding on one statement."""

    supported: bool
    reason: str = ""


@dataclass(frozen=True)
class Statement:
    """One sentence of output and the passages it rests on.

    ``unresolved`` holds citation numbers a model wrote that match no source it was given.
    """

    text: str
    citations: tuple[Citation, ...]
    verdict: Verdict | None = None
    unresolved: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """As locks and ``--json`` record it."""
        return {
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "supported": bool(self.verdict and self.verdict.supported),
            "verification": self.verdict.reason if self.verdict else "",
        }


@dataclass(frozen=True)
class Placement:
    """Where statements will stand: a briefing section (or a plain answer, by default).

    ``used`` holds (doc_id, start, end) of text quoted elsewhere in the briefing and ``said``
    the statements written there, neither to be repeated; ``reserved`` holds sentences that
    other sections need to answer one of their own questions, left to them where possible.
    """

    heading: str = ""
    used: frozenset[tuple[str, int, int]] = frozenset()
    said: tuple[str, ...] = ()
    reserved: frozenset[tuple[str, int]] = frozenset()


ANSWER = Placement()  # a plain answer to a question, with no briefing around it


@dataclass(frozen=True)
class Gap:
    """A question, or part of one, that the sources do not answer, and what they lack."""

    question: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "reason": self.reason}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Gap:
        return cls(data["question"], data["reason"])


@dataclass(frozen=True)
class Source:
    """One numbered entry of a source list."""

    number: int
    document: DocumentInfo
    pages: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "pages": list(self.pages), **self.document.to_dict()}


@dataclass(frozen=True)
class Filters:
    """Which documents retrieval may draw on. Undated documents fail any date bound."""

    since: date | None = None
    until: date | None = None
    sources: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return not (self.since or self.until or self.sources or self.paths)

    def matches(self, info: DocumentInfo) -> bool:
        if self.since or self.until:
            if info.published is None:
                return False
            if self.since and info.published < self.since:
                return False
            if self.until and info.published > self.until:
                return False
        if self.sources and not any(s.casefold() in info.source.casefold() for s in self.sources):
            return False
        return not self.paths or any(fnmatch.fnmatch(info.doc_id, p) for p in self.paths)

    def unmatched(self, documents: Iterable[DocumentInfo]) -> str:
        """ "" when a document passes these filters; else that none does, and the publishers
        and the dates the corpus has, so that the user can fix the filter."""
        infos = list(documents)
        if self.is_empty() or any(self.matches(info) for info in infos):
            return ""
        asked = ", ".join(
            part
            for part in (
                f"since {self.since.isoformat()}" if self.since else "",
                f"until {self.until.isoformat()}" if self.until else "",
                *(f"source “{s}”" for s in self.sources),
                *(f"path “{p}”" for p in self.paths),
            )
            if part
        )
        publishers = sorted({info.source for info in infos if info.source})
        dates = sorted(info.published for info in infos if info.published)
        undated = sum(info.published is None for info in infos)
        held = [f"publishers {'; '.join(publishers)}" if publishers else "no stated publisher"]
        if dates:
            held.append(f"dates {dates[0].isoformat()} to {dates[-1].isoformat()}")
        if undated:
            held.append(f"{undated} undated")
        return f"No document matches the filter ({asked}). The corpus has {', '.join(held)}."

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "sources": list(self.sources),
            "paths": list(self.paths),
        }


@dataclass(frozen=True)
class Answer:
    """A cited answer to one question. ``found`` is False when the sources answer none of it."""

    question: str
    statements: tuple[Statement, ...]
    sources: tuple[Source, ...]
    passages: tuple[Passage, ...]
    found: bool
    note: str = ""  # e.g. that the LLM failed and the extractive generator answered
    unsupported: int = 0  # statements the verifier rejected (dropped or flagged)
    missing: tuple[Gap, ...] = ()  # parts of the question the sources do not answer
    unmatched: str = ""  # why no document passed the filters, with what the corpus holds

    def to_dict(self) -> dict[str, Any]:
        """As ``brief ask --json`` prints it: each statement with its source numbers."""
        numbers = {source.document.doc_id: source.number for source in self.sources}
        return {
            "question": self.question,
            "found": self.found,
            "statements": [
                {**s.to_dict(), "sources": sorted({numbers[c.doc_id] for c in s.citations})}
                for s in self.statements
            ],
            "unsupported": self.unsupported,
            "note": self.note,
            "missing": [gap.to_dict() for gap in self.missing],
            "unmatched": self.unmatched,
            "sources": [s.to_dict() for s in self.sources],
            "passages": [p.to_dict() for p in self.passages],
        }


@dataclass(frozen=True)
class SectionSpec:
    """A section of a spec. Without ``max_statements`` its budget grows with its questions
    (``briefings.section_budget``)."""

    heading: str
    questions: tuple[str, ...]
    max_statements: int | None = None


@dataclass(frozen=True)
class BriefingSpec:
    """What a briefing is about, read from ``briefings/<name>/spec.yaml``."""

    name: str
    title: str
    audience: str
    template: str
    sections: tuple[SectionSpec, ...]
    filters: Filters = field(default_factory=Filters)
    summary: str = ""
    date: date | None = None  # the briefing's own date, if the analyst sets one
    formats: tuple[str, ...] = TEXT_FORMATS


@dataclass(frozen=True)
class Section:
    """A generated section: its statements and the evidence retrieval gave it."""

    heading: str
    questions: tuple[str, ...]
    statements: tuple[Statement, ...]
    evidence: tuple[Passage, ...]
    note: str = ""
    unsupported: int = 0
    unanswered: tuple[Gap, ...] = ()


@dataclass(frozen=True)
class Briefing:
    spec: BriefingSpec
    sections: tuple[Section, ...]
    sources: tuple[Source, ...]
