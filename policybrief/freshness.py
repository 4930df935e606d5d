"""Keeping briefings current: the lock file, staleness, history and diffs.

``sources.json`` beside each briefing is its lock: what it was built from (spec, templates,
settings, index generation) and, per section, the evidence retrieval returned (chunk ids with
content hashes) and the statements written from it. A briefing is stale when any of that would
come out differently now. Only sections whose evidence, questions or content settings changed
are rebuilt; a template or title change only re-renders.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policybrief.fsutil import atomic_write_bytes, atomic_write_text
from policybrief.types import (
    Briefing,
    BriefingSpec,
    Chunk,
    Citation,
    DocumentInfo,
    Gap,
    Passage,
    Section,
    SectionSpec,
    Statement,
    Verdict,
)

LOCK_FILE = "sources.json"
LOCK_FORMAT = 1
HISTORY = "history"
OUTPUT_FILES = ("briefing.md", "briefing.html", "briefing.pdf", "briefing.docx", LOCK_FILE)


def digest(value: Any) -> str:
    """A stable hash of JSON-able data."""
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def section_key(section: SectionSpec) -> str:
    return digest([section.heading, list(section.questions), section.max_statements])


def render_inputs(spec: BriefingSpec, templates: Mapping[str, str]) -> dict[str, Any]:
    """What decides how a briefing looks, but not what it says."""
    return {
        "title": spec.title,
        "audience": spec.audience,
        "summary": spec.summary,
        "template": spec.template,
        "templates": dict(templates),
        "formats": list(spec.formats),
    }


# -- the lock -----------------------------------------------------------------------------------


def lock_record(
    briefing: Briefing,
    *,
    spec_file: Path,
    templates: Mapping[str, str],
    content_settings: Mapping[str, Any],
    index_generation: int,
    generated_at: str,
) -> dict[str, Any]:
    spec = briefing.spec
    statements = [s for section in briefing.sections for s in section.statements]
    supported = sum(1 for s in statements if s.verdict and s.verdict.supported)
    return {
        "format": LOCK_FORMAT,
        "briefing": spec.name,
        "generated_at": generated_at,
        "spec_sha256": hashlib.sha256(spec_file.read_bytes()).hexdigest(),
        "render": render_inputs(spec, templates),
        "content_settings": dict(content_settings),
        "content_sha256": digest([content_settings, spec.filters.to_dict()]),
        "index_generation": index_generation,
        "statements": {
            "supported": supported,
            "unsupported_shown": len(statements) - supported,
            "unsupported": sum(section.unsupported for section in briefing.sections),
        },
        "sections": [
            {
                "heading": section.heading,
                "questions": list(section.questions),
                "spec_sha256": section_key(section_spec),
                "evidence": [
                    {
                        "chunk_id": p.chunk.chunk_id,
                        "content_hash": p.chunk.content_hash,
                        "doc_id": p.chunk.doc_id,
                        "score": round(p.score, 6),
                        "dense_score": significant(p.dense_score),
                        "keyword_score": significant(p.keyword_score),
                    }
                    for p in section.evidence
                ],
                "statements": [s.to_dict() for s in section.statements],
                "unsupported": section.unsupported,
                "note": section.note,
                "unanswered": [gap.to_dict() for gap in section.unanswered],
            }
            for section, section_spec in zip(briefing.sections, spec.sections, strict=True)
        ],
        "sources": [
            {"number": s.number, "pages": list(s.pages), **s.document.to_dict()}
            for s in briefing.sources
        ],
    }


def published_numbers(lock: Mapping[str, Any] | None) -> dict[str, int]:
    """Every source number a briefing has published (older locks: those of its sources)."""
    if lock is None:
        return {}
    numbered = lock.get("numbered") or {s["doc_id"]: s["number"] for s in lock["sources"]}
    return {str(doc_id): int(number) for doc_id, number in numbered.items()}


def read_lock(folder: Path) -> dict[str, Any] | None:
    path = folder / LOCK_FILE
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) and data.get("format") == LOCK_FORMAT else None


def evidence_of(entry: Mapping[str, Any]) -> set[tuple[str, str]]:
    return {(e["chunk_id"], e["content_hash"]) for e in entry["evidence"]}


def significant(score: float | None) -> float | None:
    """Six significant digits: the ONNX and PyTorch paths differ in the seventh, and a lock
    should not change with the path that embedded the question."""
    return None if score is None else float(f"{score:.6g}")


def lock_doc_ids(lock: Mapping[str, Any]) -> set[str]:
    """Every document a lock's statements cite."""
    return {
        c["doc_id"]
        for section in lock["sections"]
        for statement in section["statements"]
        for c in statement["citations"]
    }


def section_from_lock(
    entry: Mapping[str, Any],
    spec: SectionSpec,
    chunks: Mapping[str, Chunk],
    documents: Mapping[str, DocumentInfo],
) -> Section | None:
    """The section as the lock recorded it, if all its evidence is still indexed unchanged."""
    evidence = []
    for item in entry["evidence"]:
        chunk = chunks.get(item["chunk_id"])
        if chunk is None or chunk.content_hash != item["content_hash"]:
            return None
        if chunk.doc_id not in documents:
            return None
        evidence.append(
            Passage(
                chunk,
                documents[chunk.doc_id],
                item["score"],
                dense_score=item.get("dense_score"),
                keyword_score=item.get("keyword_score"),
            )
        )
    statements = tuple(
        Statement(
            s["text"],
            tuple(Citation.from_dict(c) for c in s["citations"]),
            Verdict(s["supported"], s["verification"]),
        )
        for s in entry["statements"]
    )
    return Section(
        spec.heading,
        spec.questions,
        statements,
        tuple(evidence),
        note=entry.get("note", ""),
        unsupported=entry.get("unsupported", 0),
        unanswered=tuple(Gap.from_dict(g) for g in entry.get("unanswered", [])),
    )


# -- staleness ----------------------------------------------------------------------------------


@dataclass
class Staleness:
    """Whether a briefing is current and, if not, why and which sections to rebuild."""

    name: str
    reasons: list[str] = field(default_factory=list)
    rebuild: set[int] = field(default_factory=set)  # section indices whose content must change
    rerender: bool = False  # only the look changed (template, title, …)

    @property
    def current(self) -> bool:
        return not (self.reasons or self.rebuild or self.rerender)


def compare(
    spec: BriefingSpec,
    lock: Mapping[str, Any] | None,
    *,
    folder: Path,
    templates: Mapping[str, str],
    content_settings: Mapping[str, Any],
    fresh_evidence: Mapping[int, set[tuple[str, str]]],
    documents: Mapping[str, DocumentInfo],
) -> Staleness:
    """Judge a briefing against its lock; ``fresh_evidence`` is retrieval re-run per section
    (only for sections whose own inputs are unchanged)."""
    state = Staleness(spec.name)
    everything = set(range(len(spec.sections)))
    if lock is None:
        state.reasons.append("never generated")
        state.rebuild = everything
        return state
    wanted = [f"briefing.{fmt}" for fmt in spec.formats] + [LOCK_FILE]
    missing = [f for f in wanted if not (folder / f).is_file()]
    if missing:
        state.reasons.append(f"output missing: {', '.join(missing)}")
        state.rerender = True
    if lock["content_sha256"] != digest([content_settings, spec.filters.to_dict()]):
        state.reasons.append("settings or filters changed")
        state.rebuild = everything
        return state
    old_render, new_render = lock["render"], render_inputs(spec, templates)
    for key in ("title", "audience", "summary", "template", "formats"):
        if old_render.get(key) != new_render[key]:
            state.reasons.append(f"spec changed: {key}")
            state.rerender = True
    for name in sorted(set(old_render["templates"]) | set(new_render["templates"])):
        if old_render["templates"].get(name) != new_render["templates"].get(name):
            state.reasons.append(f"template changed: {name}")
            state.rerender = True
    old_sections = {s["spec_sha256"]: s for s in lock["sections"]}
    if [s["heading"] for s in lock["sections"]] != [s.heading for s in spec.sections]:
        state.rerender = True
    for index, section in enumerate(spec.sections):
        entry = old_sections.get(section_key(section))
        if entry is None:
            state.reasons.append(f"spec changed: section “{section.heading}”")
            state.rebuild.add(index)
            continue
        cited = {c["doc_id"] for s in entry["statements"] for c in s["citations"]}
        removed = sorted(d for d in cited if d not in documents)
        if removed:
            state.reasons.append(
                f"source removed: {', '.join(removed)} (cited in “{section.heading}”)"
            )
            state.rebuild.add(index)
        elif index in fresh_evidence and fresh_evidence[index] != evidence_of(entry):
            state.reasons.append(f"new or changed evidence for “{section.heading}”")
            state.rebuild.add(index)
    dropped = set(old_sections) - {section_key(s) for s in spec.sections}
    if dropped:
        state.reasons.append(f"spec changed: {len(dropped)} section(s) removed")
        state.rerender = True
    return state


def reusable_sections(spec: BriefingSpec, lock: Mapping[str, Any] | None) -> dict[int, Any]:
    """Lock entries of the spec's sections, by section index (sections the spec kept)."""
    if lock is None:
        return {}
    entries = {s["spec_sha256"]: s for s in lock["sections"]}
    return {
        i: entries[section_key(s)] for i, s in enumerate(spec.sections) if section_key(s) in entries
    }


# -- history and diffs --------------------------------------------------------------------------


def archive(folder: Path, lock: Mapping[str, Any]) -> Path:
    """Copy the current outputs to ``history/<generated_at>/`` before they are replaced."""
    stamp = str(lock.get("generated_at", "unknown")).replace(":", "-").replace("+00-00", "Z")
    target = folder / HISTORY / stamp
    suffix = 1
    while target.exists():
        suffix += 1
        target = folder / HISTORY / f"{stamp}-{suffix}"
    target.mkdir(parents=True)
    for name in OUTPUT_FILES:
        if (folder / name).is_file():
            shutil.copy2(folder / name, target / name)
    return target


def versions(folder: Path) -> list[str]:
    """Archived versions, oldest first."""
    history = folder / HISTORY
    if not history.is_dir():
        return []
    return sorted(p.name for p in history.iterdir() if (p / LOCK_FILE).is_file())


@dataclass(frozen=True)
class SectionChange:
    heading: str
    added: tuple[str, ...]
    removed: tuple[str, ...]
    sources_added: tuple[str, ...]
    sources_removed: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.sources_added or self.sources_removed)


def diff_locks(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[SectionChange]:
    """Per section of ``new``: statements and cited sources added and removed since ``old``."""
    titles = {s["doc_id"]: s["title"] for lock in (old, new) for s in lock["sources"]}
    old_sections = {s["heading"]: s for s in old["sections"]}
    changes = []
    headings = [s["heading"] for s in new["sections"]]
    headings += [h for h in old_sections if h not in headings]
    new_sections = {s["heading"]: s for s in new["sections"]}
    for heading in headings:
        before = old_sections.get(heading, {"statements": []})
        after = new_sections.get(heading, {"statements": []})
        old_text = [s["text"] for s in before["statements"]]
        new_text = [s["text"] for s in after["statements"]]
        old_docs = _cited(before)
        new_docs = _cited(after)
        changes.append(
            SectionChange(
                heading,
                tuple(t for t in new_text if t not in old_text),
                tuple(t for t in old_text if t not in new_text),
                tuple(titles[d] for d in new_docs if d not in old_docs),
                tuple(titles[d] for d in old_docs if d not in new_docs),
            )
        )
    return changes


def _cited(section: Mapping[str, Any]) -> list[str]:
    return list(dict.fromkeys(c["doc_id"] for s in section["statements"] for c in s["citations"]))


def changes_view(changes: Sequence[SectionChange]) -> list[dict[str, Any]]:
    """The non-empty changes, as plain data for templates and JSON."""
    return [
        {
            "heading": c.heading,
            "added": list(c.added),
            "removed": list(c.removed),
            "sources_added": list(c.sources_added),
            "sources_removed": list(c.sources_removed),
        }
        for c in changes
        if not c.empty
    ]


def same_statements(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether two locks say the same things, citing the same sources."""

    def said(lock: Mapping[str, Any]) -> Any:
        return (
            [(s["heading"], s["statements"], s.get("note", "")) for s in lock["sections"]],
            lock["sources"],
        )

    return bool(said(old) == said(new))


def _without_time(text: str) -> Any:
    data = json.loads(text)
    data.pop("generated_at", None)
    return data


def write_outputs(
    folder: Path,
    files: Mapping[str, str],
    exports: Callable[[], Mapping[str, bytes]] = dict,
    export_names: Sequence[str] = (),
) -> bool:
    """Write outputs atomically, archiving the previous version first if anything differs.

    ``exports`` builds binary outputs (PDF, DOCX) from the same content; they are rebuilt only
    when a text output changed or one of ``export_names`` is missing. Returns False (and
    touches nothing) when every file already has this content (the lock's time aside).
    """

    def unchanged(name: str, text: str) -> bool:
        path = folder / name
        if not path.is_file():
            return False
        if name == LOCK_FILE:
            try:
                return bool(_without_time(path.read_text("utf-8")) == _without_time(text))
            except json.JSONDecodeError:
                return False
        return path.read_text("utf-8") == text

    exports_present = all((folder / name).is_file() for name in export_names)
    if exports_present and all(unchanged(name, text) for name, text in files.items()):
        return False
    binaries = exports()
    previous = read_lock(folder)
    # Archive a version only when what it says or shows changes, not when a format is added.
    rewritten = [
        name
        for name, text in files.items()
        if name != LOCK_FILE and (folder / name).is_file() and not unchanged(name, text)
    ]
    said = json.loads(files[LOCK_FILE]) if LOCK_FILE in files else None
    if previous is not None and said is not None and not same_statements(previous, said):
        rewritten.append(LOCK_FILE)
    if previous is not None and rewritten:
        archive(folder, previous)
    for name, data in binaries.items():
        atomic_write_bytes(folder / name, data)
    for name, text in files.items():  # the lock last: it vouches for the files before it
        atomic_write_text(folder / name, text)
    return True
