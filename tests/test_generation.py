from __future__ import annotations

import numpy as np

from policybrief.generation import ExtractiveGenerator, candidate_sentences, select_mmr
from policybrief.testing import FakeEmbedder
from policybrief.types import Chunk, DocumentInfo, Passage


def passage(text: str, doc_id: str = "d.md", start: int = 0, score: float = 0.5) -> Passage:
    chunk = Chunk(f"{doc_id}-{start}", doc_id, text, start, start + len(text), None, "", "h")
    return Passage(chunk, DocumentInfo(doc_id, f"corpus/{doc_id}", "Title"), score)


def test_candidates_are_whole_quotable_sentences_with_exact_spans() -> None:
    text = (
        "Alibaba will invest 380 billion RMB in AI infrastructure. "
        "Short one. "
        "Click here for the report\n"
        "The letter was cut off mid sentence […]\n"
        "“Officials said the rule would tighten controls on chips. It was signed."
    )
    p = passage(text, start=100)
    found = candidate_sentences([p])
    assert [c.text for c in found] == [
        "Alibaba will invest 380 billion RMB in AI infrastructure.",
        "Officials said the rule would tighten controls on chips.",
    ]
    for candidate in found:
        c = candidate.citation
        assert text[c.start - 100 : c.end - 100] == candidate.text


def test_candidates_skip_excluded_and_repeated_sentences() -> None:
    sentence = "Tencent integrated AI throughout its vast suite of services."
    first, overlap = passage(sentence, start=0, score=0.9), passage(sentence, start=0, score=0.4)
    assert len(candidate_sentences([first, overlap])) == 1
    assert candidate_sentences([first], exclude={("d.md", 0)}) == []


def test_mmr_prefers_relevant_and_skips_near_duplicates() -> None:
    relevance = np.array([0.9, 0.89, 0.6, 0.1])
    similarity = np.array(
        [
            [1.0, 0.95, 0.2, 0.1],
            [0.95, 1.0, 0.2, 0.1],
            [0.2, 0.2, 1.0, 0.1],
            [0.1, 0.1, 0.1, 1.0],
        ]
    )
    assert select_mmr(relevance, similarity, 3, floor=0.3) == [0, 2]


def test_extractive_statements_quote_and_cite_their_passage() -> None:
    generator = ExtractiveGenerator(FakeEmbedder(), min_score=0.1, relative_score=0.5)
    p = passage("Alibaba planned to invest in AI infrastructure. The weather was sunny today.")
    statements = list(generator.stream(["Alibaba invest AI infrastructure"], [p], max_statements=3))
    assert [s.text for s in statements] == ["Alibaba planned to invest in AI infrastructure."]
    assert statements[0].citations[0].chunk_id == p.chunk.chunk_id


def test_no_passages_means_no_statements() -> None:
    generator = ExtractiveGenerator(FakeEmbedder(), min_score=0.1, relative_score=0.5)
    assert list(generator.stream(["anything"], [], max_statements=3)) == []
