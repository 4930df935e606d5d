"""Keeping briefings current: staleness, history and diffs, over the typed lock.

A briefing is stale when anything its lock (``lockfile.Lock``) records would come out
differently now. Only sections whose evidence, questions or content settings changed are
rebuilt; a template or title change only re-renders.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from policybrief.fsutil import atomic_write_bytes, atomic_write_text
from policybrief.lockfile import (
    LOCK_FILE,
    Lock,
    LockedSection,
    RenderInputs,
    SectionChange,
    content_digest,
    parse_lock,
    section_key,
)
from policybrief.types import (
    FORMATS,
    BriefingSpec,
    Chunk,
    DocumentInfo,
    Passage,
    Section,
    SectionSpec,
    output_file,
)

HISTORY = "history"
OUTPUT_FILES = (*map(output_file, FORMATS), LOCK_FILE)


def section_from_lock(
    entry: LockedSection,
    spec: SectionSpec,
    chunks: Mapping[str, Chunk],
    documents: Mapping[str, DocumentInfo],
) -> Section | None:
    """The section as the lock recorded it, if all its evidence is still indexed unchanged."""
    evidence = []
    for item in entry.evidence:
        chunk = chunks.get(item.chunk_id)
        if chunk is None or chunk.content_hash != item.content_hash:
            return None
        if chunk.doc_id not in documents:
            return None
        evidence.append(
            Passage(
                chunk,
                documents[chunk.doc_id],
                item.score,
                dense_score=item.dense_score,
                keyword_score=item.keyword_score,
            )
        )
    return Section(
        spec.heading,
        spec.questions,
        entry.statements,
        tuple(evidence),
        note=entry.note,
        unsupported=entry.unsupported,
        unanswered=entry.unanswered,
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

    def to_dict(self) -> dict[str, Any]:
        """As ``brief status --json`` shows a briefing (``sections``: indices from 0)."""
        return {
            "name": self.name,
            "current": self.current,
            "reasons": self.reasons,
            "sections": sorted(self.rebuild),
        }


def compare(
    spec: BriefingSpec,
    lock: Lock | None,
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
    wanted = [output_file(fmt) for fmt in spec.formats] + [LOCK_FILE]
    missing = [f for f in wanted if not (folder / f).is_file()]
    if missing:
        state.reasons.append(f"output missing: {', '.join(missing)}")
        state.rerender = True
    if lock.content_sha256 != content_digest(content_settings, spec):
        state.reasons.append("settings or filters changed")
        state.rebuild = everything
        return state
    old_render, new_render = lock.render, RenderInputs.of(spec, templates)
    for key in RenderInputs.SPEC_FIELDS:
        if getattr(old_render, key) != getattr(new_render, key):
            state.reasons.append(f"spec changed: {key}")
            state.rerender = True
    for name in sorted(set(old_render.templates) | set(new_render.templates)):
        if old_render.templates.get(name) != new_render.templates.get(name):
            state.reasons.append(f"template changed: {name}")
            state.rerender = True
    old_sections = {s.spec_sha256: s for s in lock.sections}
    if [s.heading for s in lock.sections] != [s.heading for s in spec.sections]:
        state.rerender = True
    for index, section in enumerate(spec.sections):
        entry = old_sections.get(section_key(section))
        if entry is None:
            state.reasons.append(f"spec changed: section “{section.heading}”")
            state.rebuild.add(index)
            continue
        removed = sorted(d for d in entry.cited if d not in documents)
        if removed:
            state.reasons.append(
                f"source removed: {', '.join(removed)} (cited in “{section.heading}”)"
            )
            state.rebuild.add(index)
        elif index in fresh_evidence and fresh_evidence[index] != entry.evidence_keys:
            state.reasons.append(f"new or changed evidence for “{section.heading}”")
            state.rebuild.add(index)
    dropped = set(old_sections) - {section_key(s) for s in spec.sections}
    if dropped:
        state.reasons.append(f"spec changed: {len(dropped)} section(s) removed")
        state.rerender = True
    return state


def reusable_sections(spec: BriefingSpec, lock: Lock | None) -> dict[int, LockedSection]:
    """Lock entries of the spec's sections, by section index (sections the spec kept)."""
    if lock is None:
        return {}
    entries = {s.spec_sha256: s for s in lock.sections}
    return {
        i: entries[section_key(s)] for i, s in enumerate(spec.sections) if section_key(s) in entries
    }


# -- history and diffs --------------------------------------------------------------------------


def archive(folder: Path, lock: Lock) -> Path:
    """Copy the current outputs to ``history/<generated_at>/`` before they are replaced."""
    stamp = lock.generated_at.replace(":", "-").replace("+00-00", "Z")
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


def diff_locks(old: Lock, new: Lock) -> list[SectionChange]:
    """Per section of ``new``: statements and cited sources added and removed since ``old``."""
    titles = {s.document.doc_id: s.document.title for lock in (old, new) for s in lock.sources}
    old_sections = {s.heading: s for s in old.sections}
    new_sections = {s.heading: s for s in new.sections}
    headings = [s.heading for s in new.sections]
    headings += [h for h in old_sections if h not in headings]
    changes = []
    for heading in headings:
        before, after = old_sections.get(heading), new_sections.get(heading)
        old_text = [s.text for s in before.statements] if before else []
        new_text = [s.text for s in after.statements] if after else []
        old_docs = before.cited if before else []
        new_docs = after.cited if after else []
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


def changes_view(changes: Sequence[SectionChange]) -> list[dict[str, Any]]:
    """The non-empty changes, as plain data for templates and JSON."""
    return [c.to_dict() for c in changes if not c.empty]


def _without_time(text: str) -> Any:
    data = json.loads(text)
    data.pop("generated_at", None)
    return data


def replace_outputs(
    folder: Path,
    files: Mapping[str, str],
    previous: Lock | None,
    exports: Callable[[], Mapping[str, bytes]] = dict,
    export_names: Sequence[str] = (),
) -> bool:
    """Write outputs atomically, archiving the previous version first (``previous``: the lock
    on disk, which the caller has read) if what it says or shows differs.

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
    # Archive a version only when what it says or shows changes, not when a format is added.
    rewritten = [
        name
        for name, text in files.items()
        if name != LOCK_FILE and (folder / name).is_file() and not unchanged(name, text)
    ]
    said = parse_lock(files[LOCK_FILE]) if LOCK_FILE in files else None
    if previous is not None and said is not None and not previous.says_the_same(said):
        rewritten.append(LOCK_FILE)
    if previous is not None and rewritten:
        archive(folder, previous)
    for name, data in binaries.items():
        atomic_write_bytes(folder / name, data)
    for name, text in files.items():  # the lock last: it vouches for the files before it
        atomic_write_text(folder / name, text)
    return True
