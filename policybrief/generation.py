"""Passages → cited statements: extractive (the offline default) or written by an LLM.

Generators stream ``Statement``s so that callers can verify and show each one as it arrives.

The extractive generator quotes whole sentences from the retrieved passages: it scores each
sentence against the questions with the embedding model, then picks with maximal marginal
relevance so that statements do not repeat each other. Every statement is a verbatim sentence of
the passage it cites.

The LLM generator sends numbered, delimited sources to a LangChain chat model with prompts from
``templates/prompts/``, strips reasoning blocks such as ``<think>…</think>``, and turns each
sentence of the reply into a statement citing the sources it names as ``[n]``. Nothing it writes
is trusted: callers verify every statement (``citations.Verifier``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from policybrief.config import GenerationSettings
from policybrief.embedders import Embedder, SentenceVectors
from policybrief.errors import PolicybriefError
from policybrief.llm import BackendUnavailable, GenerationFailed, describe_failure
from policybrief.rendering import Renderer
from policybrief.text import looks_like_instruction, names_every_term, split_sentences
from policybrief.types import Citation, Passage, Statement

# Relevance against redundancy in the selection (1.0 would ignore redundancy): relevance
# dominates, redundancy breaks near-ties.
MMR_LAMBDA = 0.8
# Sentences this similar to one already chosen say the same thing.
DUPLICATE_SIMILARITY = 0.9
MIN_WORDS = 6
MAX_WORDS = 80
_TRUNCATED = re.compile(r"(?:\[\s*(?:…|\.\.\.)\s*\]|…)\s*$")
# A quotable sentence ends as a sentence does; link lines, headings and list fragments do not.
_COMPLETE = re.compile(r"[.!?][\"'”’)\]]*$")
_OPEN_QUOTES = {"“": "”", '"': '"', "‘": "’"}


class Generator(Protocol):
    name: str

    def stream(
        self,
        questions: Sequence[str],
        passages: Sequence[Passage],
        *,
        max_statements: int,
        exclude: Collection[tuple[str, int]] = (),
        heading: str = "",
    ) -> Iterator[Statement]:
        """Statements answering ``questions`` from ``passages``, each citing its support.

        ``exclude`` holds (doc_id, start) of sentences already used elsewhere in a briefing;
        ``heading`` names the briefing section being written ("" for a plain question).
        Raises ``GenerationFailed`` when the backend fails (callers fall back).
        """
        ...


# -- extractive ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    text: str
    citation: Citation


def candidate_sentences(
    passages: Sequence[Passage], exclude: Collection[tuple[str, int]] = ()
) -> list[_Candidate]:
    """Quotable sentences of the passages, each once, cited to the best-scoring passage."""
    seen: set[tuple[str, int]] = set(exclude)
    candidates: list[_Candidate] = []
    for passage in sorted(passages, key=lambda p: -p.score):
        chunk = passage.chunk
        for start, end in split_sentences(chunk.text, chunk.start):
            key = (chunk.doc_id, start)
            text = chunk.text[start - chunk.start : end - chunk.start]
            closing = _OPEN_QUOTES.get(text[0])
            if closing and closing not in text[1:]:  # a quotation that goes on past this sentence
                inner = text[1:].lstrip()
                start, text = end - len(inner), inner
            words = len(text.split())
            if key in seen or not MIN_WORDS <= words <= MAX_WORDS or _TRUNCATED.search(text):
                continue
            if not _COMPLETE.search(text) or looks_like_instruction(text):
                continue
            seen.add(key)
            citation = Citation(chunk.chunk_id, chunk.doc_id, start, end, chunk.page)
            candidates.append(_Candidate(text, citation))
    return candidates


def select_mmr(
    relevance: np.ndarray,
    similarity: np.ndarray,
    count: int,
    *,
    floor: float,
    lambda_: float = MMR_LAMBDA,
) -> list[int]:
    """Indices chosen by maximal marginal relevance, skipping near-duplicates and weak items."""
    chosen: list[int] = []
    available = [i for i in range(len(relevance)) if relevance[i] >= floor]
    while available and len(chosen) < count:
        if chosen:
            redundancy = similarity[np.ix_(available, chosen)].max(axis=1)
        else:
            redundancy = np.zeros(len(available))
        scores = lambda_ * relevance[available] - (1 - lambda_) * redundancy
        best = available[int(np.argmax(scores))]
        available.remove(best)
        if chosen and similarity[best, chosen].max() >= DUPLICATE_SIMILARITY:
            continue
        chosen.append(best)
    return chosen


class ExtractiveGenerator:
    """Quotes the most relevant, non-redundant sentences; needs no model beyond the embedder."""

    name = "extractive"

    def __init__(self, embedder: Embedder, min_score: float, relative_score: float) -> None:
        self.embedder = embedder
        self.min_score = min_score
        self.relative_score = relative_score
        self._embed = SentenceVectors(embedder)

    def stream(
        self,
        questions: Sequence[str],
        passages: Sequence[Passage],
        *,
        max_statements: int,
        exclude: Collection[tuple[str, int]] = (),
        heading: str = "",
    ) -> Iterator[Statement]:
        candidates = candidate_sentences(passages, exclude)
        if not candidates or not questions:
            return
        sentence_vectors = self._embed([c.text for c in candidates])
        question_vectors = np.stack([self.embedder.embed_query(q) for q in questions])
        relevance = (sentence_vectors @ question_vectors.T).max(axis=1)
        named = [any(names_every_term(q, c.text) for q in questions) for c in candidates]
        relevance = np.where(named, np.maximum(relevance, self.min_score), relevance)
        similarity = sentence_vectors @ sentence_vectors.T
        floor = max(self.min_score, self.relative_score * float(relevance.max()))
        for i in select_mmr(relevance, similarity, max_statements, floor=floor):
            yield Statement(candidates[i].text, (candidates[i].citation,))


# -- LLM output parsing -------------------------------------------------------------------------

_THINK_OPEN = re.compile(r"<(think|thinking|reasoning)>", re.IGNORECASE)
_PARTIAL_TAG = re.compile(r"<[/a-z]*$", re.IGNORECASE)
_CITATION = re.compile(r"\s*\[(\d+(?:\s*[-–,;]\s*\d+)*)\]")
# "…billion. [1]" → "…billion [1]." so a citation stays with the sentence it follows.
_CITATION_AFTER_END = re.compile(r"([.!?][\"'”’)]*)((?:\s*\[\d+(?:\s*[-–,;]\s*\d+)*\])+)(?=\s|$)")
_REFERENCE_LIST = re.compile(r"^(?:#+\s*)?(?:sources|references|citations)\b", re.IGNORECASE)


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


def strip_reasoning(text: str) -> str:
    think = ThinkFilter()
    return think.feed(text) + think.flush()


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
    text = _CITATION.sub("", sentence).replace("**", "")
    text = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split())).strip()
    if len(text.split()) < 3 or text.startswith("#"):
        return None
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
        text = _CITATION_AFTER_END.sub(r"\2\1", self.buffer)
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


def parse_reply(text: str, passages: Sequence[Passage]) -> list[Statement]:
    parser = StatementParser(passages)
    return parser.feed(strip_reasoning(text)) + parser.finish()


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
        self.name = f"{settings.backend}:{settings.model or settings.model_path}"
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
        exclude: Collection[tuple[str, int]] = (),
        heading: str = "",
    ) -> Iterator[Statement]:
        if not passages:
            return
        messages = self.messages(questions, passages, heading, max_statements)
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
