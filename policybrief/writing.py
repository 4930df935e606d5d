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
    ) -> Iterator[Statement | Notice]:
        """Every statement as it is written, with its verdict, and notices of fallbacks.

        Callers show a statement only if ``shows`` says so.
        """
        chunks = {p.chunk.chunk_id: p.chunk for p in passages}
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
                    yield self.verifier.verify(statement, chunks)
                return
            except GenerationFailed as failure:
                yield Notice(f"{failure}; the extractive generator wrote this part instead")

    def shows(self, statement: Statement) -> bool:
        """Whether the policy lets a verified statement reach the reader (``fail`` raises)."""
        return bool(apply_policy([statement], self.policy)[0])

    def write(
        self,
        questions: Sequence[str],
        passages: Sequence[Passage],
        *,
        max_statements: int,
        exclude: Collection[tuple[str, int]] = (),
        heading: str = "",
    ) -> Draft:
        statements: list[Statement] = []
        notes: list[str] = []
        unsupported = 0
        for item in self.stream(
            questions, passages, max_statements=max_statements, exclude=exclude, heading=heading
        ):
            if isinstance(item, Notice):
                notes.append(item.text)
                continue
            unsupported += not (item.verdict and item.verdict.supported)
            if self.shows(item):
                statements.append(item)
        return Draft(tuple(statements), unsupported, " ".join(notes))
