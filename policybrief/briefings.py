"""Briefing specs, section planning, and building a ``Briefing`` from the index.

A spec (``briefings/<name>/spec.yaml``) names the topic, audience, template, filters and the
sections with their questions. Each section retrieves for each of its questions, pools the
passages, and asks the generator for statements; a sentence used in one section is not repeated
in a later one. Every statement is verified against the passages it cites before it is kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from policybrief.citations import number_sources
from policybrief.drafting import Drafter
from policybrief.errors import SpecError
from policybrief.questions import analyse, is_summary
from policybrief.retrieval import Retriever
from policybrief.text import parse_date, yaml_problem
from policybrief.types import (
    FORMATS,
    TEXT_FORMATS,
    Briefing,
    BriefingSpec,
    Filters,
    Passage,
    Placement,
    Section,
    SectionSpec,
)

SPEC_FILE = "spec.yaml"
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_SPEC_KEYS = {"title", "audience", "template", "summary", "filters", "sections", "date", "formats"}
_SECTION_KEYS = {"heading", "questions", "question", "max_statements"}
_FILTER_KEYS = {"since", "until", "sources", "paths"}
# A section's evidence: each question's best passages, and this many more for spread.
PASSAGES_PER_QUESTION = 2
EXTRA_PASSAGES = 4
# Statements a section without its own max_statements may hold, however few its questions.
MIN_SECTION_BUDGET = 4


def section_budget(section: SectionSpec) -> int:
    """Statements a section may hold: its own cap, else room for every part of every question
    ("…, and by what deadline?" is a part of its own) and a little more."""
    if section.max_statements:
        return section.max_statements
    parts = sum(len(analyse(question)) for question in section.questions)
    return max(MIN_SECTION_BUDGET, parts + 2)


def check_name(name: str) -> str:
    """A briefing name is one plain path segment: no separators, no ``..``."""
    if not NAME_PATTERN.fullmatch(name) or name.strip(".") == "":
        raise SpecError(
            f"invalid briefing name {name!r}: use letters, digits, '.', '_' and '-' only"
        )
    return name


def list_briefings(briefings_dir: Path) -> list[str]:
    if not briefings_dir.is_dir():
        return []
    return sorted(p.parent.name for p in briefings_dir.glob(f"*/{SPEC_FILE}"))


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise SpecError(f"{where} must be a string or a list of strings")


def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    parsed = parse_date(value)
    if parsed is None:
        raise SpecError(f"{where} must be a date like 2025-01-31, got {value!r}")
    return parsed


def filters_from_spec(data: Any, where: str) -> Filters:
    if data is None:
        return Filters()
    if not isinstance(data, dict):
        raise SpecError(f"{where} must be a mapping")
    unknown = set(data) - _FILTER_KEYS
    if unknown:
        raise SpecError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    return Filters(
        since=_date(data.get("since"), f"{where}.since"),
        until=_date(data.get("until"), f"{where}.until"),
        sources=_strings(data.get("sources"), f"{where}.sources"),
        paths=_strings(data.get("paths"), f"{where}.paths"),
    )


def load_spec(briefings_dir: Path, name: str) -> BriefingSpec:
    """Read and validate ``<briefings>/<name>/spec.yaml``; errors name the file and field."""
    path = briefings_dir / check_name(name) / SPEC_FILE
    if not path.is_file():
        known = ", ".join(list_briefings(briefings_dir)) or "none"
        raise SpecError(f"no briefing spec at {path} (briefings: {known})")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SpecError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except yaml.YAMLError as exc:
        raise SpecError(f"{path}: not valid YAML at {yaml_problem(exc)}") from exc
    if not isinstance(data, dict):
        raise SpecError(f"{path}: expected a mapping with title and sections")
    unknown = set(data) - _SPEC_KEYS
    if unknown:
        raise SpecError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}")
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        raise SpecError(f"{path}: 'title' is required")
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise SpecError(f"{path}: 'sections' must be a non-empty list")
    sections = []
    for number, raw in enumerate(raw_sections, start=1):
        where = f"{path}: sections[{number}]"
        if not isinstance(raw, dict) or not isinstance(raw.get("heading"), str):
            raise SpecError(f"{where} needs a 'heading'")
        unknown = set(raw) - _SECTION_KEYS
        if unknown:
            raise SpecError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        questions = _strings(raw.get("questions"), f"{where}.questions") + _strings(
            raw.get("question"), f"{where}.question"
        )
        if not questions:
            raise SpecError(f"{where} ({raw['heading']}) needs at least one question")
        max_statements = raw.get("max_statements")
        if max_statements is not None and (
            not isinstance(max_statements, int) or max_statements < 1
        ):
            raise SpecError(f"{where}.max_statements must be a positive integer")
        sections.append(SectionSpec(raw["heading"], questions, max_statements))
    return BriefingSpec(
        name=name,
        title=data["title"].strip(),
        audience=str(data.get("audience") or ""),
        template=str(data.get("template") or "briefing"),
        sections=tuple(sections),
        filters=filters_from_spec(data.get("filters"), f"{path}: filters"),
        summary=str(data.get("summary") or ""),
        date=_date(data.get("date"), f"{path}: date"),
        formats=parse_formats(data.get("formats"), f"{path}: formats"),
    )


def parse_formats(value: Any, where: str) -> tuple[str, ...]:
    """Output formats from a spec or ``--format md,pdf``; Markdown is always written."""
    if value is None:
        return TEXT_FORMATS
    items = value.split(",") if isinstance(value, str) else value
    formats = _strings([str(v).strip().lower() for v in items if str(v).strip()], where)
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown:
        raise SpecError(
            f"{where}: unknown format(s) {', '.join(unknown)}; use {', '.join(FORMATS)}"
        )
    return tuple(f for f in FORMATS if f in {"md", *formats})


def section_passages(
    retriever: Retriever, questions: Sequence[str], filters: Filters
) -> list[Passage]:
    """Evidence for a section: each question's best passages, then a diverse selection of the
    rest (each chunk once, at its best score) so that one source does not fill every slot.
    Every question keeps its own best evidence however many questions share the section."""
    best: dict[str, Passage] = {}
    own: list[Passage] = []
    for question in questions:
        # A summary asks for what is central, which no similarity floor can judge.
        floor = 0.0 if is_summary(question) else None
        found = retriever.retrieve(question, filters=filters, min_score=floor)
        own.extend(found[:PASSAGES_PER_QUESTION])
        for passage in found:
            known = best.get(passage.chunk.chunk_id)
            if known is None or passage.score > known.score:
                best[passage.chunk.chunk_id] = passage
    kept = {p.chunk.chunk_id: best[p.chunk.chunk_id] for p in own}
    rest = sorted(
        (p for p in best.values() if p.chunk.chunk_id not in kept),
        key=lambda p: (-p.score, p.chunk.chunk_id),
    )
    room = max(retriever.settings.top_k - len(kept), EXTRA_PASSAGES)
    chosen = [*kept.values(), *retriever.diverse(rest, room)]
    return sorted(chosen, key=lambda p: (-p.score, p.chunk.chunk_id))


def build_briefing(
    spec: BriefingSpec,
    retriever: Retriever,
    drafter: Drafter,
    *,
    reuse: Mapping[int, Section] | None = None,
    numbered: Mapping[str, int] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Briefing:
    """Write every section of ``spec``, except those in ``reuse`` (kept as they are).

    Each section's best answers to its own questions are reserved for it first, so that an
    earlier section's spare slots do not take the sentence a later question needs.

    ``numbered`` holds the source numbers published before: a document keeps its number and new
    ones follow (``number_sources``), so citations read the same after a rebuild.
    """
    reuse = reuse or {}
    sections = []
    kept = [st for section in reuse.values() for st in section.statements]
    used = {(c.doc_id, c.start, c.end) for st in kept for c in st.citations}
    said = [st.text for st in kept]
    evidence = {
        index: section_passages(retriever, section_spec.questions, spec.filters)
        for index, section_spec in enumerate(spec.sections)
        if index not in reuse
    }
    # Only the extractive generator honours reservations; an LLM writes from the passages.
    claims = {
        index: drafter.fallback.claims(spec.sections[index].questions, passages)
        if drafter.generator is drafter.fallback
        else frozenset()
        for index, passages in evidence.items()
    }
    for index, section_spec in enumerate(spec.sections):
        if progress:
            progress(index, len(spec.sections))
        if index in reuse:
            sections.append(reuse[index])
            continue
        passages = evidence[index]
        others = [keys for other, keys in claims.items() if other != index]
        reserved = frozenset[tuple[str, int]]().union(*others) - claims[index]
        draft = drafter.draft(
            section_spec.questions,
            passages,
            max_statements=section_budget(section_spec),
            placement=Placement(section_spec.heading, frozenset(used), tuple(said), reserved),
        )
        used.update((c.doc_id, c.start, c.end) for s in draft.statements for c in s.citations)
        said.extend(s.text for s in draft.statements)
        sections.append(
            Section(
                section_spec.heading,
                section_spec.questions,
                draft.statements,
                tuple(passages),
                note=draft.note,
                unsupported=draft.unsupported,
                unanswered=draft.gaps,
            )
        )
    if progress:
        progress(len(spec.sections), len(spec.sections))
    documents = {p.document.doc_id: p.document for s in sections for p in s.evidence}
    statements = [st for s in sections for st in s.statements]
    return Briefing(spec, tuple(sections), number_sources(statements, documents, numbered))
