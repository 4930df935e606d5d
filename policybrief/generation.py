"""Passages → cited statements. The offline default is extractive.

The extractive generator quotes whole sentences from the retrieved passages: it scores each
sentence against the questions with the embedding model, then picks with maximal marginal
relevance so that statements do not repeat each other. Every statement is a verbatim sentence
of the passage it cites, so its citation is true by construction (and still verified).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from policybrief.embedders import Embedder
from policybrief.text import split_sentences
from policybrief.types import Citation, Passage, Statement

# Relevance against redundancy in the selection (1.0 would ignore redundancy).
MMR_LAMBDA = 0.7
# Sentences this similar to one already chosen say the same thing.
DUPLICATE_SIMILARITY = 0.9
MIN_WORDS = 6
MAX_WORDS = 80
_TRUNCATED = re.compile(r"(?:\[\s*(?:…|\.\.\.)\s*\]|…)\s*$")
# A quotable sentence ends as a sentence does; link lines, headings and list fragments do not.
_COMPLETE = re.compile(r"[.!?][\"'”’)\]]*$")
_OPEN_QUOTES = {"“": "”", '"': '"', "‘": "’"}


class Generator(Protocol):
    def generate(
        self,
        questions: Sequence[str],
        passages: Sequence[Passage],
        *,
        max_statements: int,
        exclude: Collection[tuple[str, int]] = (),
    ) -> list[Statement]:
        """Statements answering ``questions`` from ``passages``, each citing its support.

        ``exclude`` holds (doc_id, start) of sentences already used elsewhere in a briefing.
        """
        ...


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
                text, start = text[1:].lstrip(), start + 1 + len(text[1:]) - len(text[1:].lstrip())
            words = len(text.split())
            if key in seen or not MIN_WORDS <= words <= MAX_WORDS or _TRUNCATED.search(text):
                continue
            if not _COMPLETE.search(text):
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

    def __init__(self, embedder: Embedder, min_score: float, relative_score: float) -> None:
        self.embedder = embedder
        self.min_score = min_score
        self.relative_score = relative_score
        self._vectors: dict[str, np.ndarray] = {}

    def _embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vector in zip(missing, self.embedder.embed_documents(missing), strict=True):
                self._vectors[text] = vector
        return np.stack([self._vectors[t] for t in texts])

    def generate(
        self,
        questions: Sequence[str],
        passages: Sequence[Passage],
        *,
        max_statements: int,
        exclude: Collection[tuple[str, int]] = (),
    ) -> list[Statement]:
        candidates = candidate_sentences(passages, exclude)
        if not candidates or not questions:
            return []
        sentence_vectors = self._embed([c.text for c in candidates])
        question_vectors = np.stack([self.embedder.embed_query(q) for q in questions])
        relevance = (sentence_vectors @ question_vectors.T).max(axis=1)
        similarity = sentence_vectors @ sentence_vectors.T
        floor = max(self.min_score, self.relative_score * float(relevance.max()))
        picked = select_mmr(relevance, similarity, max_statements, floor=floor)
        return [Statement(candidates[i].text, (candidates[i].citation,)) for i in picked]
