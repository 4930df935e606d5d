"""Citation numbering, source lists, and verification of statements against their passages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from policybrief.text import normalize_space
from policybrief.types import Chunk, DocumentInfo, Source, Statement, Verdict


def number_sources(
    statements: Iterable[Statement], documents: Mapping[str, DocumentInfo]
) -> tuple[Source, ...]:
    """One numbered source per cited document, in order of first citation."""
    order: dict[str, set[int]] = {}
    for statement in statements:
        for citation in statement.citations:
            pages = order.setdefault(citation.doc_id, set())
            if citation.page is not None:
                pages.add(citation.page)
    return tuple(
        Source(number, documents[doc_id], tuple(sorted(pages)))
        for number, (doc_id, pages) in enumerate(order.items(), start=1)
    )


def source_numbers(sources: Sequence[Source]) -> dict[str, int]:
    return {source.document.doc_id: source.number for source in sources}


def verify_statement(statement: Statement, chunks: Mapping[str, Chunk]) -> Verdict:
    """Whether the statement's cited passages exist and one of them contains its text."""
    if not statement.citations:
        return Verdict(False, "no citation")
    cited = [chunks.get(c.chunk_id) for c in statement.citations]
    if any(chunk is None for chunk in cited):
        return Verdict(False, "cites a passage that was not retrieved")
    wanted = normalize_space(statement.text)
    for chunk in cited:
        assert chunk is not None
        if wanted in normalize_space(chunk.text):
            return Verdict(True, "quoted verbatim from the cited passage")
    return Verdict(False, "text not found in the cited passage")
