"""Passages → cited statements: extractive (the offline default) or written by an LLM.

Generators stream ``Statement``s so that callers can verify and show each one as it arrives.

The extractive generator (``extractive.py``) quotes whole sentences from the retrieved
passages, or reports a ``Gap`` when they do not answer a question.

The LLM generator sends numbered, delimited sources to a LangChain chat model with prompts from
``templates/prompts/``, strips reasoning blocks such as ``<think>…</think>``, and turns each
sentence of the reply into a statement citing the sources it names as ``[n]``. Nothing it writes
is trusted: callers verify every statement (``citations.Verifier``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Protocol

from policybrief.config import GenerationSettings
from policybrief.errors import PolicybriefError
from policybrief.llm import BackendUnavailable, GenerationFailed, describe_failure
from policybrief.rendering import Renderer
from policybrief.text import split_sentences
from policybrief.types import ANSWER, Citation, Gap, Passage, Placement, Statement


class Generator(Protocol):
    def stream(
        self,
        questions: Sequence[str],
        passages: Sequence[Passage],
        *,
        max_statements: int,
        placement: Placement = ANSWER,
    ) -> Iterator[Statement | Gap]:
        """Statements answering ``questions`` from ``passages``, each citing its support, and
        ``Gap``s for what the passages do not answer (when the generator can tell).
        Raises ``GenerationFailed`` when the backend fails (callers fall back).
        """
        ...


# -- LLM output parsing -------------------------------------------------------------------------

_THINK_OPEN = re.compile(r"<(think|thinking|reasoning)>", re.IGNORECASE)
_PARTIAL_TAG = re.compile(r"<[/a-z]*$", re.IGNORECASE)
_CITATION = re.compile(r"\s*\[(\d+(?:\s*[-–,;]\s*\d+)*)\]")
# "…billion. [1]" → "…billion [1]." so a citation stays with the sentence it follows.
_CITATION_AFTER_END = re.compile(r"([.!?][\"'”’)]*)((?:\s*\[\d+(?:\s*[-–,;]\s*\d+)*\])+)(?=\s|$)")
_REFERENCE_LIST = re.compile(r"^(?:#+\s*)?(?:sources|references|citations)\b", re.IGNORECASE)
# Other ways models cite: "[Source 1]", "(Sources 1 and 2)", "according to source 1", "^1",
# "【1】" and "【1†source】"; each becomes "[1]".
_NUMBERS = r"(\d+(?:\s*(?:,|;|and|&|-|–)\s*\d+)*)"
_OTHER_CITATIONS = (
    re.compile(rf"\[\s*sources?\s*{_NUMBERS}\s*\]", re.IGNORECASE),
    re.compile(rf"\(\s*(?:sources?|refs?\.?)\s*{_NUMBERS}\s*\)", re.IGNORECASE),
    re.compile(
        rf"\b(?:according to|as (?:stated|reported|noted) in|per) sources?\s*{_NUMBERS},?",
        re.IGNORECASE,
    ),
    re.compile(rf"【\s*{_NUMBERS}(?:†[^】]*)?\s*】"),
    re.compile(r"\^(\d+)\b"),
)
# A reply's framing, not a claim: "Here is the section you asked for:", "I hope this helps."
_FRAMING = re.compile(
    r"^(?:(?:sure|certainly|of course|okay|ok)\b|here (?:is|are)\b|below (?:is|are)\b"
    r"|based on the (?:provided )?(?:sources|passages|documents)[^,]*[:.]$|i hope\b|let me know\b"
    r"|feel free\b|in summary:?$)|:\s*$",
    re.IGNORECASE,
)
_LABEL = re.compile(r"^\s*(?:[-*•]\s*)?\*\*[^*]{1,60}?:?\*\*:?\s*")


def normalize_citations(text: str) -> str:
    """The reply with every common citation form written as "[n]"."""
    for pattern in _OTHER_CITATIONS:
        text = pattern.sub(
            lambda m: " [" + re.sub(r"\s*(?:and|&)\s*", ", ", m.group(1)) + "] ", text
        )
    return text


class ThinkFilter:
    """Removes reasoning blocks from streamed text, even when tags straddle chunks."""

    def __init__(self) -> None:
        self.pending = ""
        self.inside = ""

    def feed(self, text: str) -> str:
        self.pending += text
        out: list[str] = []
        while True:
            if self.inside:
                close = f"</{self.inside}>"
                end = self.pending.lower().find(close)
                if end < 0:
                    self.pending = self.pending[-len(close) :]
                    return "".join(out)
                self.pending = self.pending[end + len(close) :]
                self.inside = ""
                continue
            closing = self.pending.lower().find("</think>")
            opening = _THINK_OPEN.search(self.pending)
            if closing >= 0 and (opening is None or closing < opening.start()):
                self.pending = self.pending[closing + len("</think>") :]  # reasoning left open
                out.clear()
                continue
            if opening:
                out.append(self.pending[: opening.start()])
                self.inside = opening.group(1).lower()
                self.pending = self.pending[opening.end() :]
                continue
            partial = _PARTIAL_TAG.search(self.pending)
            cut = partial.start() if partial else len(self.pending)
            out.append(self.pending[:cut])
            self.pending = self.pending[cut:]
            return "".join(out)

    def flush(self) -> str:
        rest = "" if self.inside else self.pending
        self.pending, self.inside = "", ""
        return rest


def _numbers(group: str) -> list[int]:
    found: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group):
        bounds = re.split(r"\s*[-–]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit():
            low, high = int(bounds[0]), int(bounds[1])
            found.extend(range(low, min(high, low + 20) + 1))
        elif part.isdigit():
            found.append(int(part))
    return found


def statement_from_sentence(sentence: str, passages: Sequence[Passage]) -> Statement | None:
    """A statement with its ``[n]`` citations resolved to passages (n counts from 1)."""
    numbers = [n for match in _CITATION.finditer(sentence) for n in _numbers(match.group(1))]
    text = _CITATION.sub("", _LABEL.sub("", sentence)).replace("**", "")
    text = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split())).strip()
    text = text[:1].upper() + text[1:]  # "According to source 1, the ban…" → "The ban…"
    if len(text.split()) < 3 or text.startswith("#"):
        return None
    if not numbers and _FRAMING.search(text):
        return None  # a preamble or sign-off, not a statement
    citations, unresolved = [], []
    for number in dict.fromkeys(numbers):
        if 1 <= number <= len(passages):
            c = passages[number - 1].chunk
            citations.append(Citation(c.chunk_id, c.doc_id, c.start, c.end, c.page))
        else:
            unresolved.append(number)
    return Statement(text, tuple(citations), unresolved=tuple(unresolved))


class StatementParser:
    """Turns streamed reply text into statements, one complete sentence at a time."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self.passages = passages
        self.buffer = ""
        self.finished = False

    def _sentences(self, final: bool) -> Iterator[Statement]:
        text = _CITATION_AFTER_END.sub(r"\2\1", normalize_citations(self.buffer))
        spans = split_sentences(text)
        ready = len(spans) if final else 0
        if not final:
            # A sentence is complete once another one has begun after it (not a citation).
            while ready + 1 < len(spans) and not text[spans[ready + 1][0]].startswith("["):
                ready += 1
        for start, end in spans[:ready]:
            sentence = text[start:end]
            if _REFERENCE_LIST.match(sentence):
                self.finished = True
                break
            statement = statement_from_sentence(sentence, self.passages)
            if statement is not None:
                yield statement
        self.buffer = text[spans[ready][0] :] if ready < len(spans) else ""

    def feed(self, text: str) -> list[Statement]:
        if self.finished:
            return []
        self.buffer += text
        return list(self._sentences(final=False))

    def finish(self) -> list[Statement]:
        return [] if self.finished else list(self._sentences(final=True))


# -- LLM generation -----------------------------------------------------------------------------


def _content(chunk: Any) -> str:
    content = getattr(chunk, "content", chunk)
    if isinstance(content, str):
        return content
    if isinstance(content, Iterable):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content)


class LLMGenerator:
    """Writes cited prose with a LangChain chat model; statements still need verifying."""

    def __init__(self, chat_model: Any, renderer: Renderer, settings: GenerationSettings) -> None:
        self.chat_model = chat_model
        self.renderer = renderer
        self.settings = settings
        self._reached = False

    def messages(
        self, questions: Sequence[str], passages: Sequence[Passage], heading: str, count: int
    ) -> list[Any]:
        from langchain_core.messages import HumanMessage, SystemMessage

        context = {
            "questions": list(questions),
            "heading": heading,
            "max_statements": count,
            "sources": [
                {
                    "number": number,
                    "title": p.document.title,
                    "source": p.document.source,
                    "published": p.document.published.isoformat() if p.document.published else "",
                    "page": p.chunk.page,
                    "text": p.chunk.text,
                }
                for number, p in enumerate(passages, start=1)
            ],
        }
        return [
            SystemMessage(self.renderer.render("prompts/system.j2", context)),
            HumanMessage(self.renderer.render("prompts/answer.j2", context)),
        ]

    def stream(
        self,
        questions: Sequence[str],
        passages: Sequence[Passage],
        *,
        max_statements: int,
        placement: Placement = ANSWER,
    ) -> Iterator[Statement | Gap]:
        if not passages:
            return
        messages = self.messages(questions, passages, placement.heading, max_statements)
        parser, think = StatementParser(passages), ThinkFilter()
        produced = False
        try:
            for chunk in self.chat_model.stream(messages):
                self._reached = True
                for statement in parser.feed(think.feed(_content(chunk))):
                    produced = True
                    yield statement
            for statement in [*parser.feed(think.flush()), *parser.finish()]:
                produced = True
                yield statement
        except PolicybriefError:
            raise
        except Exception as exc:
            kind, message = describe_failure(exc, self.settings)
            if kind == "connection" and not self._reached:
                raise BackendUnavailable(message) from exc
            raise GenerationFailed(message) from exc
        if not produced:
            raise GenerationFailed(f"{self.settings.backend} returned no usable sentences")
