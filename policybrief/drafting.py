"""Generate → verify → apply the policy, with the extractive fallback when an LLM fails.

Both ``ask`` and briefing sections go through a ``Drafter``, so every statement that reaches a
reader has been checked against the passages it cites, whichever generator wrote it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from policybrief.citations import Verifier, shown_under
from policybrief.extractive import ExtractiveGenerator
from policybrief.generation import Generator
from policybrief.llm import GenerationFailed
from policybrief.types import ANSWER, Gap, Passage, Placement, Statement


@dataclass(frozen=True)
class Notice:
    """Something the reader should know about how the text was produced."""

    text: str


@dataclass(frozen=True)
class Draft:
    statements: tuple[Statement, ...]
    unsupported: int
    note: str = ""
    gaps: tuple[Gap, ...] = ()


class Drafter:
    """Drafts the statements for questions: the configured generator's, each verified and
    passed through the policy, with the extractive generator taking over when an LLM fails."""

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
        placement: Placement = ANSWER,
    ) -> Iterator[Statement | Notice | Draft]:
        """Each statement the policy lets through, as it is written, and notices of fallbacks;
        finally the whole ``Draft``, which also counts the unsupported statements held back."""
        chunks = {p.chunk.chunk_id: p.chunk for p in passages}
        shown: list[Statement] = []
        notes: list[str] = []
        unsupported = 0
        gaps: list[Gap] = []
        generators: list[Generator] = [self.generator, self.fallback]
        for generator in dict.fromkeys(generators):
            # After an LLM failed mid-answer, the fallback neither repeats what was shown nor
            # goes over the budget.
            if len(shown) >= max_statements:
                break
            try:
                for statement in generator.stream(
                    questions,
                    passages,
                    max_statements=max_statements - len(shown),
                    placement=_after(placement, shown),
                ):
                    if isinstance(statement, Gap):
                        gaps.append(statement)
                        continue
                    verified = self.verifier.attribute(statement, chunks)
                    unsupported += not (verified.verdict and verified.verdict.supported)
                    if shown_under(self.policy, verified):  # ``fail`` raises here
                        shown.append(verified)
                        yield verified
                break
            except GenerationFailed as failure:
                notice = Notice(f"{failure}; the extractive generator wrote this part instead")
                notes.append(notice.text)
                yield notice
        yield Draft(tuple(shown), unsupported, " ".join(notes), tuple(gaps))

    def draft(
        self,
        questions: Sequence[str],
        passages: Sequence[Passage],
        *,
        max_statements: int,
        placement: Placement = ANSWER,
    ) -> Draft:
        *_, draft = self.stream(
            questions, passages, max_statements=max_statements, placement=placement
        )
        assert isinstance(draft, Draft)
        return draft


def _after(placement: Placement, shown: Sequence[Statement]) -> Placement:
    """``placement`` with ``shown`` statements and the spans they cite taken as said."""
    if not shown:
        return placement
    return dataclasses.replace(
        placement,
        used=placement.used
        | {(c.doc_id, c.start, c.end) for statement in shown for c in statement.citations},
        said=(*placement.said, *(statement.text for statement in shown)),
    )
