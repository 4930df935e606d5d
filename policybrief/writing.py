"""Generate → verify → apply the policy, with the extractive fallback when an LLM fails.

Both ``ask`` and briefing sections go through ``Writer``, so every statement that reaches a
reader has been checked against the passages it cites, whichever generator wrote it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass

from policybrief.citations import Verifier, apply_policy
from policybrief.generation import ExtractiveGenerator, Generator
from policybrief.llm import GenerationFailed
from policybrief.types import Passage, Statement


@dataclass(frozen=True)
class Notice:
    """Something the reader should know about how the text was produced."""

    text: str


@dataclass(frozen=True)
class Draft:
    statements: tuple[Statement, ...]
    unsupported: int
    note: str = ""


class Writer:
    def __init__(
        self,
        generator: Generator,
        fallback: ExtractiveGenerator,
        verifier: Verifier,
        policy: str,
    ) -> None:
        self.generator = generator
        self.fallback = fallback
        self.verifier = verifier
        self.policy = policy

    def stream(
        self,
        questions: Sequence[str],
        passages: Sequence[Passage],
        *,
        max_statements: int,
        exclude: Collection[tuple[str, int]] = (),
        heading: str = "",
    ) -> Iterator[Statement | Notice | Draft]:
        """Each statement the policy lets through, as it is written, and notices of fallbacks;
        finally the whole ``Draft``, which also counts the unsupported statements held back."""
        chunks = {p.chunk.chunk_id: p.chunk for p in passages}
        shown: list[Statement] = []
        notes: list[str] = []
        unsupported = 0
        generators: list[Generator] = [self.generator, self.fallback]
        for generator in dict.fromkeys(generators):
            try:
                for statement in generator.stream(
                    questions,
                    passages,
                    max_statements=max_statements,
                    exclude=exclude,
                    heading=heading,
                ):
                    verified = self.verifier.verify(statement, chunks)
                    unsupported += not (verified.verdict and verified.verdict.supported)
                    if apply_policy([verified], self.policy)[0]:  # ``fail`` raises here
                        shown.append(verified)
                        yield verified
                break
            except GenerationFailed as failure:
                notice = Notice(f"{failure}; the extractive generator wrote this part instead")
                notes.append(notice.text)
                yield notice
        yield Draft(tuple(shown), unsupported, " ".join(notes))

    def write(
        self,
        questions: Sequence[str],
        passages: Sequence[Passage],
        *,
        max_statements: int,
        exclude: Collection[tuple[str, int]] = (),
        heading: str = "",
    ) -> Draft:
        *_, draft = self.stream(
            questions, passages, max_statements=max_statements, exclude=exclude, heading=heading
        )
        assert isinstance(draft, Draft)
        return draft
