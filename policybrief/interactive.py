"""``brief ask -i``: an interactive session that keeps the model and the index loaded.

Questions stream their answers as ``brief ask`` does; lines starting with "/" are commands.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from policybrief.api import Project
from policybrief.errors import PolicybriefError
from policybrief.retrieval import MODES
from policybrief.text import parse_date
from policybrief.types import Answer, Filters

QUIT = object()
HELP = """\
Ask a question, or use a command:
  /sources                  the sources of the last answer, with the passages cited
  /filter since=2025-01-01  restrict evidence (since, until, source, path; /filter clear)
  /mode hybrid              retrieval mode: dense, keyword or hybrid
  /k 5                      passages retrieved per question
  /settings                 the current filters, mode and k
  /help                     this text
  /quit                     leave (Ctrl-D works too)"""


def filters_from_arguments(arguments: str, current: Filters) -> Filters:
    """``since=… until=… source=… path=…`` on top of ``current``; ``clear`` resets."""
    if arguments.strip() == "clear":
        return Filters()
    filters = current
    for pair in arguments.split():
        key, _, value = pair.partition("=")
        if not value:
            raise PolicybriefError(f"expected key=value, got {pair!r}")
        if key in ("since", "until"):
            day = parse_date(value)
            if day is None:
                raise PolicybriefError(f"{value!r} is not a date like 2025-01-31")
            filters = replace(filters, since=day) if key == "since" else replace(filters, until=day)
        elif key == "source":
            filters = replace(filters, sources=(*filters.sources, value))
        elif key == "path":
            filters = replace(filters, paths=(*filters.paths, value))
        else:
            raise PolicybriefError(f"unknown filter {key!r}: use since, until, source or path")
    return filters


class Session:
    def __init__(
        self,
        project: Project,
        *,
        mode: str | None = None,
        k: int | None = None,
        filters: Filters | None = None,
    ) -> None:
        self.project = project
        self.mode = mode
        self.k = k
        self.filters = filters or Filters()
        self.last: Answer | None = None

    def ask(self, question: str) -> Iterator[Any]:
        """The answer's events (see ``Project.ask_stream``); the answer is kept for /sources."""
        for event in self.project.ask_stream(
            question, k=self.k, filters=self.filters, mode=self.mode
        ):
            if isinstance(event, Answer):
                self.last = event
            yield event

    def settings(self) -> str:
        active = {k: v for k, v in self.filters.to_dict().items() if v}
        shown = ", ".join(f"{k}={v}" for k, v in active.items()) or "none"
        mode = self.mode or self.project.settings.retrieval.mode
        k = self.k or self.project.settings.retrieval.top_k
        return f"filters: {shown}; mode: {mode}; k: {k}"

    def command(self, line: str) -> object:
        """Run a /command; returns the text to show, or QUIT."""
        name, _, arguments = line.strip().partition(" ")
        if name in ("/quit", "/exit", "/q"):
            return QUIT
        if name == "/help":
            return HELP
        if name == "/settings":
            return self.settings()
        if name == "/filter":
            self.filters = filters_from_arguments(arguments, self.filters)
            return self.settings()
        if name == "/mode":
            if arguments.strip() not in MODES:
                return f"mode must be one of {', '.join(MODES)}"
            self.mode = arguments.strip()
            return self.settings()
        if name == "/k":
            if not arguments.strip().isdigit() or int(arguments) < 1:
                return "k must be a positive whole number"
            self.k = int(arguments)
            return self.settings()
        if name == "/sources":
            return self.sources()
        return f"unknown command {name}; /help lists them"

    def sources(self) -> str:
        if self.last is None or not self.last.sources:
            return "no sources yet: ask a question first"
        chunks = {p.chunk.chunk_id: p.chunk for p in self.last.passages}
        lines = []
        for source in self.last.sources:
            info = source.document
            lines.append(f"[{source.number}] {info.title} ({info.path})")
            for statement in self.last.statements:
                for citation in statement.citations:
                    chunk = chunks.get(citation.chunk_id)
                    if citation.doc_id == info.doc_id and chunk is not None:
                        start, end = citation.start - chunk.start, citation.end - chunk.start
                        lines.append(f"    “{chunk.text[start:end]}”")
        return "\n".join(lines)
