"""Jinja rendering over the project's ``templates/`` folder, then the shipped templates.

Templates run in Jinja's immutable sandbox, undefined variables are errors, HTML templates
autoescape, and any template failure becomes a ``TemplateRenderError`` naming the file and line.
"""

from __future__ import annotations

import re
import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
from jinja2.sandbox import ImmutableSandboxedEnvironment

from policybrief.citations import source_numbers
from policybrief.errors import TemplateRenderError
from policybrief.figures import event_date, figures_in
from policybrief.text import content_words
from policybrief.types import TEXT_FORMATS, Briefing, Chunk, Citation, DocumentInfo, Statement

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")
_SOURCE_TAG = re.compile(r"<(/?)(sources?)\b", re.IGNORECASE)


# Only web addresses become links: "javascript:", "data:" and the rest are shown as text.
_WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'`\\]+", re.IGNORECASE)


def safe_link(url: str) -> str:
    """``url`` if a briefing may link to it (http or https, nothing a browser would strip or
    reinterpret first), else ""."""
    return url if url and _WEB_ADDRESS.fullmatch(url) else ""


def shipped_templates_dir() -> Path:
    """Templates installed with the package (a wheel) or the repository's ``templates/``."""
    packaged = Path(__file__).with_name("templates")
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[1] / "templates"


def md_escape(text: str) -> str:
    """Backslash-escape Markdown syntax so document text renders as the text it is."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def end_sentence(text: str) -> str:
    """``text`` ending in a full stop, without a second one after "U.S." or a question mark."""
    return text if text.rstrip().endswith((".", "?", "!")) else f"{text}."


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
        # Sandboxed: a template (a user's own, or one shared with them) cannot reach Python
        # internals such as __class__ or call unsafe methods.
        self.env = ImmutableSandboxedEnvironment(
            loader=jinja2.FileSystemLoader([str(f) for f in unique]),
            undefined=jinja2.StrictUndefined,
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2")),
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters.update(
            md=md_escape, cite=cite, date=format_date, fence=fence, period=end_sentence
        )

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
            text = self.env.get_template(name).render(context)
        except jinja2.TemplateNotFound as exc:
            raise TemplateRenderError(f"template {exc.name!r} not found") from exc
        except jinja2.TemplateError as exc:
            raise TemplateRenderError(f"{_location(exc)}: {exc.message or exc}") from exc
        except Exception as exc:  # errors raised inside template expressions
            raise TemplateRenderError(f"{_location(exc)}: {type(exc).__name__}: {exc}") from exc
        if name.endswith(".md.j2"):  # one blank line between blocks, however templates join
            text = _BLANK_LINES.sub("\n\n", text)
        return text


_BLANK_LINES = re.compile(r"\n{3,}")


def _quote(citation: Citation, chunks: dict[str, Chunk]) -> str:
    """The exact span a citation points at, taken from its chunk."""
    chunk = chunks.get(citation.chunk_id)
    if chunk is None:
        return ""
    start = max(citation.start, chunk.start) - chunk.start
    end = min(citation.end, chunk.end) - chunk.start
    return chunk.text[start:end] if end > start else chunk.text


def _statement_view(
    statement: Statement,
    numbers: dict[str, int],
    chunks: dict[str, Chunk],
    documents: dict[str, DocumentInfo],
) -> dict[str, Any]:
    verdict = statement.verdict
    cited = [c for c in statement.citations if c.doc_id in numbers]
    dates = sorted(d for c in cited if (d := documents[c.doc_id].published) is not None)
    event = event_date(statement.text)
    return {
        "text": statement.text,
        "cites": sorted({numbers[c.doc_id] for c in cited}),
        "supported": verdict.supported if verdict else True,
        "reason": verdict.reason if verdict else "",
        "excerpts": [q for q in dict.fromkeys(_quote(c, chunks) for c in cited) if q],
        "date": dates[0] if dates else None,
        # The date of the event the sentence reports ("effective November 17, 2023"), as
        # precisely as it gives it; None when it names no date.
        "event": event[0] if event else None,
        "when": _when(event) if event else format_date(dates[0] if dates else None),
    }


def _when(event: tuple[date, str]) -> str:
    day, precision = event
    return {"day": format_date(day), "month": day.strftime("%B %Y"), "year": str(day.year)}[
        precision
    ]


def key_figures(sections: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every amount, percentage, count and date in the quoted statements, once, with the clause
    that first says what it measures and every source that gives it for the same thing
    ("October 17, 2023" of the rules released that day, in two sources, is one row cited to
    both; "$52.7 billion" that Alibaba invests and that the CHIPS Act appropriates are two)."""
    rows: list[dict[str, Any]] = []
    for section in sections:
        for statement in section["statements"]:
            if not statement["supported"]:
                continue
            for figure in figures_in(statement["text"]):
                same = next(
                    (
                        row
                        for row in rows
                        if row["figure"] == figure.text
                        and _same_measure(row["measures"], figure.context, figure.text)
                    ),
                    None,
                )
                if same is None:
                    rows.append(
                        {
                            "figure": figure.text,
                            "kind": figure.kind,
                            "measures": figure.context,
                            "cites": list(statement["cites"]),
                            "section": section["heading"],
                        }
                    )
                else:
                    same["cites"] += [c for c in statement["cites"] if c not in same["cites"]]
    return rows


# Words two clauses must share, besides the figure, to measure the same thing.
SAME_MEASURE_WORDS = 2


def _same_measure(first: str, second: str, figure: str) -> bool:
    """Whether two clauses around one figure say it measures the same thing: the same
    clause, or SAME_MEASURE_WORDS content words in common besides the figure's own."""
    if first == second:
        return True
    own = set(content_words(figure))
    shared = (set(content_words(first)) & set(content_words(second))) - own
    return len(shared) >= SAME_MEASURE_WORDS


def briefing_view(
    briefing: Briefing, as_of: date | None, changes: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Plain data for briefing templates: no generation time, so output is reproducible.

    ``changes`` lists, per section, what changed since the previous version (empty if none);
    ``timeline`` holds every statement ordered by the date of the event it reports, else of
    the source it cites; ``key_figures`` every figure the statements quote.
    """
    numbers = source_numbers(briefing.sources)
    documents = {s.document.doc_id: s.document for s in briefing.sources}
    spec = briefing.spec
    sections: list[dict[str, Any]] = []
    quotes: dict[int, list[str]] = {n: [] for n in numbers.values()}
    for section in briefing.sections:
        chunks = {p.chunk.chunk_id: p.chunk for p in section.evidence}
        statements = [_statement_view(s, numbers, chunks, documents) for s in section.statements]
        for statement, view in zip(section.statements, statements, strict=True):
            for citation in statement.citations:
                quote = _quote(citation, chunks)
                number = numbers.get(citation.doc_id)
                if number is not None and quote and quote not in quotes[number]:
                    quotes[number].append(quote)
            view["section"] = section.heading
        sections.append(
            {
                "heading": section.heading,
                "questions": list(section.questions),
                "statements": statements,
                "note": section.note,
                "unsupported": section.unsupported,
                "unanswered": [gap.to_dict() for gap in section.unanswered],
            }
        )
    timeline = sorted(
        (st for section in sections for st in section["statements"]),
        key=lambda st: (
            (st["event"] or st["date"]) is None,
            st["event"] or st["date"] or date.min,
            st["date"] or date.min,
        ),
    )
    return {
        "name": spec.name,
        "title": spec.title,
        "audience": spec.audience,
        "summary": spec.summary,
        "date": spec.date,
        "as_of": as_of,
        "filters": spec.filters.to_dict(),
        "sections": sections,
        "timeline": timeline,
        "key_figures": key_figures(sections),
        "sources": [
            {
                "number": s.number,
                "title": s.document.title,
                "source": s.document.source,
                "published": s.document.published,
                "path": s.document.path,
                "url": safe_link(s.document.url),  # "" unless it may become a link
                "url_text": s.document.url,
                "pages": list(s.pages),
                "quotes": quotes.get(s.number, []),
            }
            for s in briefing.sources
        ],
        "changes": changes or [],
    }


@dataclass(frozen=True)
class TemplateInfo:
    name: str
    description: str
    formats: tuple[str, ...]
    origin: str  # "shipped", "project" (only in the project) or "project (overrides shipped)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "formats": list(self.formats),
            "origin": self.origin,
        }


def _description(path: Path) -> str:
    """The first sentence of a template's leading ``{#- … -#}`` comment."""
    match = re.match(r"\s*\{#-?\s*(.*?)\s*-?#\}", path.read_text("utf-8"), re.DOTALL)
    text = " ".join(match.group(1).split()) if match else ""
    return text.split(". ")[0].rstrip(".")


def available_templates(project_templates: Path) -> list[TemplateInfo]:
    """Briefing templates a spec can name (files starting with "_" are partials)."""
    shipped, project = shipped_templates_dir(), project_templates
    names: set[str] = set()
    for folder in (shipped, project):
        if folder.is_dir():
            names.update(
                p.name.split(".")[0] for p in folder.glob("*.j2") if not p.name.startswith("_")
            )
    found = []
    for name in sorted(names):
        formats = tuple(
            fmt
            for fmt in TEXT_FORMATS
            if (project / f"{name}.{fmt}.j2").is_file() or (shipped / f"{name}.{fmt}.j2").is_file()
        )
        in_project = any((project / f"{name}.{fmt}.j2").is_file() for fmt in formats)
        in_shipped = any((shipped / f"{name}.{fmt}.j2").is_file() for fmt in formats)
        origin = "shipped"
        if in_project and project.resolve() != shipped.resolve():
            origin = "project (overrides shipped)" if in_shipped else "project"
        source = next(
            f / f"{name}.{fmt}.j2"
            for f in (project, shipped)
            for fmt in formats
            if (f / f"{name}.{fmt}.j2").is_file()
        )
        found.append(TemplateInfo(name, _description(source), formats, origin))
    return found
