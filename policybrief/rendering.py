"""Jinja rendering over the project's ``templates/`` folder, then the shipped templates.

Undefined variables are errors, HTML templates autoescape, and any template failure becomes a
``TemplateRenderError`` naming the template file and line.
"""

from __future__ import annotations

import re
import traceback
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from policybrief.citations import source_numbers
from policybrief.errors import TemplateRenderError
from policybrief.types import Briefing, Chunk, Source, Statement

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_SOURCE_TAG = re.compile(r"<(/?)(sources?)\b", re.IGNORECASE)


def shipped_templates_dir() -> Path:
    """Templates installed with the package (a wheel) or the repository's ``templates/``."""
    packaged = Path(__file__).with_name("templates")
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "templates"


def md_escape(text: str) -> str:
    """Backslash-escape Markdown syntax so document text renders as the text it is."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def fence(text: str) -> str:
    """Document text for a prompt: it cannot close or open the tags that delimit sources."""
    return _SOURCE_TAG.sub(r"‹\1\2", text)


def cite(numbers: list[int]) -> str:
    return "".join(f"[{n}]" for n in numbers)


def format_date(value: date | str | None, fmt: str = "%d %B %Y") -> str:
    if value is None or value == "":
        return "undated"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return value.strftime(fmt).lstrip("0")


def _location(exc: BaseException) -> str:
    """``file:line`` of the innermost template frame of a rendering error."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"{exc.filename or exc.name}:{exc.lineno}"
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".j2"):
            return f"{frame.filename}:{frame.lineno}"
    return "template"


class Renderer:
    def __init__(self, project_templates: Path) -> None:
        folders = [project_templates, shipped_templates_dir()]
        unique = [f for i, f in enumerate(folders) if f.is_dir() and f not in folders[:i]]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(f) for f in unique]),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2")),
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(md=md_escape, cite=cite, date=format_date, fence=fence)

    def template_files(self, name: str) -> list[Path]:
        """The file ``name`` resolves to (project templates win), then every template it
        includes, imports or extends, recursively."""
        loader = self.env.loader
        assert loader is not None
        found: dict[str, Path] = {}
        pending = [name]
        while pending:
            current = pending.pop()
            if current in found:
                continue
            try:
                source, filename, _ = loader.get_source(self.env, current)
                parsed = self.env.parse(source, current, filename)
            except jinja2.TemplateNotFound as exc:
                raise TemplateRenderError(f"template {exc.name!r} not found") from exc
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateRenderError(f"{_location(exc)}: {exc.message}") from exc
            found[current] = Path(filename or current)
            pending.extend(n for n in jinja2.meta.find_referenced_templates(parsed) if n)
        return list(found.values())

    def render(self, name: str, context: dict[str, Any]) -> str:
        try:
            return self.env.get_template(name).render(context)
        except jinja2.TemplateNotFound as exc:
            raise TemplateRenderError(f"template {exc.name!r} not found") from exc
        except jinja2.TemplateError as exc:
            raise TemplateRenderError(f"{_location(exc)}: {exc.message or exc}") from exc
        except Exception as exc:  # errors raised inside template expressions
            raise TemplateRenderError(f"{_location(exc)}: {type(exc).__name__}: {exc}") from exc


def _source_view(source: Source) -> dict[str, Any]:
    info = source.document
    return {
        "number": source.number,
        "title": info.title,
        "source": info.source,
        "published": info.published,
        "path": info.path,
        "url": info.url,
        "pages": list(source.pages),
    }


def _statement_view(
    statement: Statement, numbers: dict[str, int], chunks: dict[str, Chunk]
) -> dict[str, Any]:
    excerpts = []
    for citation in statement.citations:
        chunk = chunks.get(citation.chunk_id)
        if chunk is not None:
            excerpts.append(chunk.text)
    verdict = statement.verdict
    return {
        "text": statement.text,
        "cites": sorted({numbers[c.doc_id] for c in statement.citations if c.doc_id in numbers}),
        "supported": verdict.supported if verdict else True,
        "reason": verdict.reason if verdict else "",
        "excerpts": excerpts,
    }


def briefing_view(
    briefing: Briefing, as_of: date | None, changes: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Plain data for briefing templates: no generation time, so output is reproducible.

    ``changes`` lists, per section, what changed since the previous version (empty if none).
    """
    numbers = source_numbers(briefing.sources)
    spec = briefing.spec
    sections = []
    for section in briefing.sections:
        chunks = {p.chunk.chunk_id: p.chunk for p in section.evidence}
        sections.append(
            {
                "heading": section.heading,
                "questions": list(section.questions),
                "statements": [_statement_view(s, numbers, chunks) for s in section.statements],
                "note": section.note,
                "unsupported": section.unsupported,
            }
        )
    return {
        "name": spec.name,
        "title": spec.title,
        "audience": spec.audience,
        "summary": spec.summary,
        "as_of": as_of,
        "filters": spec.filters.to_dict(),
        "sections": sections,
        "sources": [_source_view(s) for s in briefing.sources],
        "changes": changes or [],
    }
