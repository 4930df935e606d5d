"""Citation numbering, source lists, and verification of statements against their passages.

A statement is supported only if all of these hold: it cites at least one source; every number
it cites was among the sources; every quotation in it is verbatim in a cited passage; every
number, percentage, money amount and date in it appears in a cited passage; it is semantically
close to a sentence (or two adjacent sentences) of a cited passage; and that supporting text is
not an instruction planted in the document. Verbatim quotes pass the semantic check at once.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from policybrief.config import POLICIES as POLICIES
from policybrief.embedders import Embedder, SentenceVectors
from policybrief.errors import VerificationFailed
from policybrief.meaning import conflicts
from policybrief.text import (
    CURRENCY_SIGN,
    MONTH,
    MONTH_NUMBERS,
    NUMBER_WORDS,
    content_words,
    looks_like_instruction,
    normalize_space,
    split_sentences,
)
from policybrief.types import Chunk, Citation, DocumentInfo, Source, Statement, Verdict

_NUMBER = re.compile(
    rf"(?<![\w.])(?:{CURRENCY_SIGN}\s?)?(\d{{1,3}}(?:,\d{{3}})+|\d+)(?:\.(\d+))?(?!\w)"
    r"(?:\s*(?:%|percent\b|per cent\b))?"
    r"(?:\s*(thousand|million|billion|trillion)\b)?",
    re.IGNORECASE,
)
_NUMBER_WORD = re.compile(r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE)
_QUOTE = re.compile(r"[\"“]([^\"“”]{12,}?)[\"”]")


def number_sources(
    statements: Iterable[Statement],
    documents: Mapping[str, DocumentInfo],
    numbered: Mapping[str, int] | None = None,
) -> tuple[Source, ...]:
    """One numbered source per cited document. A document ``numbered`` before keeps its number
    (an analyst may have quoted "[6]"); the others follow the highest number ever given, in order
    of first citation. A number is never given to another document, so a source no longer cited
    leaves its number unused."""
    numbered = numbered or {}
    pages: dict[str, set[int]] = {}
    for statement in statements:
        for citation in statement.citations:
            found = pages.setdefault(citation.doc_id, set())
            if citation.page is not None:
                found.add(citation.page)
    numbers = {doc_id: numbered[doc_id] for doc_id in pages if doc_id in numbered}
    following = max(numbered.values(), default=0)
    for doc_id in pages:
        if doc_id not in numbers:
            following += 1
            numbers[doc_id] = following
    return tuple(
        Source(number, documents[doc_id], tuple(sorted(pages[doc_id])))
        for doc_id, number in sorted(numbers.items(), key=lambda item: item[1])
    )


def source_numbers(sources: Sequence[Source]) -> dict[str, int]:
    return {source.document.doc_id: source.number for source in sources}


def _plain(text: str) -> str:
    """Quotes straightened and white space collapsed, for verbatim comparisons."""
    text = text.replace("“", '"').replace("”", '"').replace("‘", "'").replace("’", "'")
    return normalize_space(text)


def numeric_facts(text: str) -> set[str]:
    """Numbers as written ("52.7", "52.7 billion") and months (as "month:4")."""
    facts: set[str] = set()
    for match in _NUMBER.finditer(text):
        whole = match.group(1).replace(",", "").lstrip("0") or "0"
        fraction = (match.group(2) or "").rstrip("0")
        value = f"{whole}.{fraction}" if fraction else whole
        facts.add(value)
        if match.group(3):
            facts.add(f"{value} {match.group(3).lower()}")
    for match in MONTH.finditer(text):
        facts.add(f"month:{MONTH_NUMBERS[match.group(1).lower()]}")
    facts.update(str(NUMBER_WORDS[m.group(1).lower()]) for m in _NUMBER_WORD.finditer(text))
    return facts


def missing_facts(statement: str, evidence: str) -> list[str]:
    """Numbers, amounts and months of ``statement`` that ``evidence`` does not contain."""
    have = numeric_facts(evidence)
    # A month may be written as a word on one side and a number on the other.
    have |= {f"month:{int(v)}" for v in have if v.isdigit() and 1 <= int(v) <= 12}
    have |= {fact.removeprefix("month:") for fact in have if fact.startswith("month:")}
    missing = []
    for match in _NUMBER.finditer(statement):
        whole = match.group(1).replace(",", "").lstrip("0") or "0"
        fraction = (match.group(2) or "").rstrip("0")
        value = f"{whole}.{fraction}" if fraction else whole
        scaled = f"{value} {match.group(3).lower()}" if match.group(3) else value
        if scaled not in have:
            missing.append(match.group(0).strip())
    for match in MONTH.finditer(statement):
        if f"month:{MONTH_NUMBERS[match.group(1).lower()]}" not in have:
            missing.append(match.group(1))
    for match in _NUMBER_WORD.finditer(statement):
        if str(NUMBER_WORDS[match.group(1).lower()]) not in have:
            missing.append(match.group(1))
    return missing


def unsupported_words(statement: str, evidence: str) -> tuple[list[str], float]:
    """Content words of ``statement`` absent from ``evidence``, and the share present."""
    have = set(content_words(evidence))
    words = re.findall(r"[^\W_]+", statement)
    novel = [w for w in words if content_words(w) and content_words(w)[0] not in have]
    total = len(content_words(statement))
    return novel, (1.0 - len(novel) / total) if total else 1.0


@dataclass(frozen=True)
class _Window:
    text: str
    start: int  # document offsets
    end: int


def _windows(chunk: Chunk) -> list[_Window]:
    """Each sentence of the chunk, and each pair of adjacent sentences."""
    spans = split_sentences(chunk.text, chunk.start)
    windows = [_Window(chunk.text[s - chunk.start : e - chunk.start], s, e) for s, e in spans]
    for (s, _), (_, e) in itertools.pairwise(spans):
        windows.append(_Window(chunk.text[s - chunk.start : e - chunk.start], s, e))
    return windows


class Verifier:
    """Checks statements against the passages they cite (see the module docstring)."""

    def __init__(self, embedder: Embedder, min_support: float, min_coverage: float = 0.0) -> None:
        self.embedder = embedder
        self.min_support = min_support
        self.min_coverage = min_coverage
        self._embed = SentenceVectors(embedder)

    def support(self, text: str, chunks: Sequence[Chunk]) -> tuple[float, _Window | None, Chunk]:
        """The best-matching window of the chunks and its cosine similarity to ``text``."""
        best: tuple[float, _Window | None, Chunk] = (-1.0, None, chunks[0])
        statement_vector = self._embed([text])[0]
        for chunk in chunks:
            windows = _windows(chunk)
            if not windows:
                continue
            scores = self._embed([w.text for w in windows]) @ statement_vector
            index = int(np.argmax(scores))
            if float(scores[index]) > best[0]:
                best = (float(scores[index]), windows[index], chunk)
        return best

    def verify(self, statement: Statement, chunks: Mapping[str, Chunk]) -> Statement:
        """The statement with its verdict, and its first citation narrowed to the support."""
        verdict, citations = self._judge(statement, chunks)
        return replace(statement, verdict=verdict, citations=citations)

    def attribute(self, statement: Statement, chunks: Mapping[str, Chunk]) -> Statement:
        """A statement the reply left uncited, cited to the passage that supports it (found
        among all the model was given) and marked as cited by policybrief; else unsupported."""
        every = tuple(
            Citation(c.chunk_id, c.doc_id, c.start, c.end, c.page) for c in chunks.values()
        )
        if statement.citations or statement.unresolved or not every:
            return self.verify(statement, chunks)
        verdict, citations = self._judge(replace(statement, citations=every), chunks)
        if not verdict.supported:
            return replace(statement, verdict=Verdict(False, "no citation"))
        if citations == every:  # quoted verbatim: cite the passage that holds the quotation
            wanted = _plain(statement.text)
            citations = tuple(c for c in every if wanted in _plain(chunks[c.chunk_id].text))
        reason = f"{verdict.reason}; the reply gave no citation, policybrief found this one"
        return replace(statement, verdict=Verdict(True, reason), citations=citations[:1])

    def _judge(
        self, statement: Statement, chunks: Mapping[str, Chunk]
    ) -> tuple[Verdict, tuple[Citation, ...]]:
        citations = statement.citations
        if statement.unresolved:
            numbers = ", ".join(f"[{n}]" for n in statement.unresolved)
            return Verdict(False, f"cites {numbers}, which is not among the sources"), citations
        if not citations:
            return Verdict(False, "no citation"), citations
        cited = [chunks.get(c.chunk_id) for c in citations]
        present = [c for c in cited if c is not None]
        if len(present) < len(cited):
            return Verdict(False, "cites a passage that was not retrieved"), citations
        evidence = _plain(" ".join(c.text for c in present))
        for quote in _QUOTE.findall(statement.text):
            if _plain(quote) not in evidence:
                return Verdict(
                    False, f"quotation “{quote}” is not verbatim in the source"
                ), citations
        missing = missing_facts(statement.text, " ".join(c.text for c in present))
        if missing:
            listed = ", ".join(f"“{m}”" for m in missing)
            return Verdict(False, f"{listed} not in the cited source"), citations
        wanted = _plain(statement.text)
        verbatim = next((c for c in present if wanted in _plain(c.text)), None)
        if verbatim is not None:
            if looks_like_instruction(statement.text):
                return Verdict(False, "quotes an instruction planted in the source"), citations
            return Verdict(True, "quoted verbatim from the cited source"), citations
        novel, coverage = unsupported_words(statement.text, " ".join(c.text for c in present))
        if coverage < self.min_coverage:
            listed = ", ".join(f"“{w}”" for w in novel[:4])
            return Verdict(False, f"the cited source never mentions {listed}"), citations
        score, window, chunk = self.support(statement.text, present)
        if window is None or score < self.min_support:
            return (
                Verdict(False, f"the cited source does not say this (similarity {score:.2f})"),
                citations,
            )
        if looks_like_instruction(window.text):
            return Verdict(False, "rests on an instruction planted in the source"), citations
        changed = conflicts(statement.text, window.text)
        if changed:
            return Verdict(False, changed), citations
        narrowed = Citation(chunk.chunk_id, chunk.doc_id, window.start, window.end, chunk.page)
        others = tuple(c for c in citations if c.chunk_id != chunk.chunk_id)
        return Verdict(True, f"supported (similarity {score:.2f})"), (narrowed, *others)


def shown_under(policy: str, statement: Statement) -> bool:
    """Whether a verified statement is shown under ``drop``, ``flag`` or ``fail`` (which
    raises on an unsupported one)."""
    if statement.verdict and statement.verdict.supported:
        return True
    if policy == "fail":
        reason = statement.verdict.reason if statement.verdict else "not verified"
        raise VerificationFailed(f"1 unsupported statement(s), e.g. “{statement.text}”: {reason}")
    return policy == "flag"
