from __future__ import annotations

from datetime import date

import pytest

from policybrief.citations import (
    Verifier,
    missing_facts,
    number_sources,
    shown_under,
    source_numbers,
)
from policybrief.embedders import Embedder
from policybrief.errors import VerificationFailed
from policybrief.types import Chunk, Citation, DocumentInfo, Statement, Verdict

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
            "$60 billion",
        ),
        (Statement("Alibaba plans to invest $52.7 billion in AI.", ()), False, "no citation"),
        (
            Statement(
                "Alibaba plans to invest $52.7 billion in AI.", (cite("a.md", chunk_id="zz"),)
            ),
            False,
            "not retrieved",
        ),
        (
            Statement("Alibaba plans big AI spending.", (cite("a.md"),), unresolved=(4,)),
            False,
            "[4]",
        ),
        (
            Statement('Alibaba said it "plans to spend $52.7 billion".', (cite("a.md"),)),
            False,
            "not verbatim",
        ),
    ],
)
def test_verifier_checks(
    real_embedder: Embedder, statement: Statement, supported: bool, reason: str
) -> None:
    verdict = Verifier(real_embedder, 0.6).verify(statement, {"c1": CHUNK}).verdict
    assert verdict is not None
    assert verdict.supported is supported
    assert reason in verdict.reason


def test_a_paraphrase_is_supported_and_its_citation_narrowed(real_embedder: Embedder) -> None:
    chunk = Chunk(
        "c2",
        "b.md",
        "The weather was mild. Alibaba plans to invest $52.7 billion in AI. Rain followed.",
        100,
        180,
        None,
        "",
        "h",
    )
    statement = Statement(
        "Alibaba intends to spend $52.7 billion on AI.", (cite("b.md", chunk_id="c2"),)
    )
    checked = Verifier(real_embedder, 0.6).verify(statement, {"c2": chunk})
    assert checked.verdict and checked.verdict.supported, checked.verdict
    citation = checked.citations[0]
    assert chunk.text[citation.start - 100 : citation.end - 100] == (
        "Alibaba plans to invest $52.7 billion in AI."
    )


@pytest.mark.parametrize(
    ("statement", "evidence", "missing"),
    [
        ("It costs $60 billion.", "It costs $52.7 billion.", ["$60 billion"]),
        ("It costs 52.7 billion.", "around $52.70 billion", []),
        ("It costs $52.7 million.", "around $52.7 billion", ["$52.7 million"]),
        ("Up 5% in 2024.", "rose 5 percent in 2024", []),
        ("On 2025-04-21.", "On April 21, 2025.", []),
        ("In March 2025.", "In February 2025.", ["March"]),
        ("It may rise by 1,000 units.", "It rose by 1000 units.", []),
        ("The H20 and 3D models.", "Nothing numeric.", []),
        ("Rules from Oct. 7, 2022.", "On October 7, 2022, BIS acted.", []),
    ],
)
def test_missing_facts(statement: str, evidence: str, missing: list[str]) -> None:
    assert missing_facts(statement, evidence) == missing


def test_policies_drop_flag_or_fail() -> None:
    good = Statement("a", (), Verdict(True, "ok"))
    bad = Statement("b", (), Verdict(False, "no citation"))
    assert [shown_under(policy, good) for policy in ("drop", "flag", "fail")] == [True] * 3
    assert not shown_under("drop", bad)
    assert shown_under("flag", bad)
    with pytest.raises(VerificationFailed, match="1 unsupported statement"):
        shown_under("fail", bad)


def test_a_statement_on_the_same_words_but_another_subject_fails_similarity(
    real_embedder: Embedder,
) -> None:
    chunk = Chunk(
        "c3",
        "c.md",
        "Rain fell in Beijing on Monday. Markets in Beijing were calm.",
        0,
        62,
        None,
        "",
        "h",
    )
    statement = Statement("Beijing markets fell on Monday.", (cite("c.md", chunk_id="c3"),))
    by_words = Verifier(real_embedder, 0.99, min_coverage=0.5).verify(statement, {"c3": chunk})
    assert by_words.verdict and "does not say this" in by_words.verdict.reason
    lenient = Verifier(real_embedder, 0.5, min_coverage=0.5).verify(statement, {"c3": chunk})
    assert lenient.verdict and lenient.verdict.supported
    novel = Statement("Tokyo markets fell on Monday.", (cite("c.md", chunk_id="c3"),))
    strict = Verifier(real_embedder, 0.0, min_coverage=0.9).verify(novel, {"c3": chunk})
    assert strict.verdict and strict.verdict.reason == "the cited source never mentions “Tokyo”"
