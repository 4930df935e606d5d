from __future__ import annotations

from datetime import date

import pytest

from policybrief.citations import number_sources, source_numbers, verify_statement
from policybrief.types import Chunk, Citation, DocumentInfo, Statement

CHUNK = Chunk("c1", "a.md", "Alibaba plans to invest\n$52.7 billion in AI.", 0, 44, 3, "", "h")


def cite(doc_id: str, page: int | None = None, chunk_id: str = "c1") -> Citation:
    return Citation(chunk_id, doc_id, 0, 10, page)


def test_sources_are_numbered_by_first_citation_with_their_pages() -> None:
    docs = {d: DocumentInfo(d, f"corpus/{d}", d.upper(), date(2025, 1, 1)) for d in "abc"}
    statements = [
        Statement("x", (cite("b", 2),)),
        Statement("y", (cite("a"), cite("b", 5))),
        Statement("z", (cite("b", 2),)),
    ]
    sources = number_sources(statements, docs)
    assert [(s.number, s.document.doc_id, s.pages) for s in sources] == [
        (1, "b", (2, 5)),
        (2, "a", ()),
    ]
    assert source_numbers(sources) == {"b": 1, "a": 2}


@pytest.mark.parametrize(
    ("statement", "supported", "reason"),
    [
        (
            Statement("Alibaba plans to invest $52.7 billion in AI.", (cite("a.md"),)),
            True,
            "verbatim",
        ),
        (
            Statement("Alibaba plans to invest $60 billion in AI.", (cite("a.md"),)),
            False,
            "not found",
        ),
        (Statement("Alibaba plans to invest $52.7 billion in AI.", ()), False, "no citation"),
        (
            Statement(
                "Alibaba plans to invest $52.7 billion in AI.", (cite("a.md", chunk_id="zz"),)
            ),
            False,
            "not retrieved",
        ),
    ],
)
def test_verify_statement(statement: Statement, supported: bool, reason: str) -> None:
    verdict = verify_statement(statement, {"c1": CHUNK})
    assert verdict.supported is supported
    assert reason in verdict.reason
