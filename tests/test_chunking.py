from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from policybrief.chunking import chunk_document, embedding_prefix
from policybrief.embedders import Embedder
from policybrief.loaders import load_document
from policybrief.testing import FakeEmbedder
from policybrief.text import split_sentences
from policybrief.types import Document
from tests.conftest import SAMPLE, SHARED


def chunks_of(doc: Document, embedder: Embedder, max_tokens: int = 200, overlap: int = 40):
    return chunk_document(
        doc,
        embedder.count_tokens,
        model_max_tokens=embedder.max_tokens,
        max_tokens=max_tokens,
        overlap_tokens=overlap,
    )


def model_tokens(embedder: Embedder, text: str) -> int:
    """Tokens as the model reads them: [CLS] + text + [SEP], counted by its own tokenizer."""
    return len(embedder.model.tokenizer(text)["input_ids"])  # type: ignore[attr-defined]


def long_document() -> Document:
    sentences = " ".join(
        f"Sentence number {i} says that the export rule number {i * 7} applies to chips."
        for i in range(120)
    )
    run_on = " ".join(["unpunctuated"] * 700)  # a 700-word 'sentence'
    giant_word = "x" * 3000  # one 'word' far over any token budget
    text = f"{sentences}\n{run_on}\n{giant_word}\nA closing paragraph ends here."
    return Document("long.txt", "long.txt", "A long document about chips", text)


@pytest.mark.parametrize("max_tokens", [64, 200, 400])
def test_every_chunk_fits_the_model_limit_measured_by_its_own_tokenizer(
    real_embedder: Embedder, max_tokens: int
) -> None:
    docs = [load_document(SAMPLE, SAMPLE.name), long_document()]
    docs += [load_document(p, p.name) for p in sorted((SHARED / "corpus-dev").glob("2*.md"))]
    for doc in docs:
        prefix = embedding_prefix(doc.title, real_embedder.count_tokens, real_embedder.max_tokens)
        for chunk in chunks_of(doc, real_embedder, max_tokens=max_tokens):
            assert model_tokens(real_embedder, prefix + chunk.text) <= real_embedder.max_tokens
            assert chunk.text == doc.text[chunk.start : chunk.end]


def test_chunks_cover_the_whole_text(real_embedder: Embedder) -> None:
    doc = long_document()
    chunks = chunks_of(doc, real_embedder, max_tokens=120)
    covered = set()
    for chunk in chunks:
        covered.update(range(chunk.start, chunk.end))
    letters = {i for i, ch in enumerate(doc.text) if not ch.isspace()}
    assert letters <= covered


def test_chunks_break_at_sentence_boundaries_and_overlap_by_whole_sentences() -> None:
    embedder = FakeEmbedder()
    doc = Document("d", "d", "", " ".join(f"This is sentence {i} of the text." for i in range(60)))
    chunks = chunks_of(doc, embedder, max_tokens=50, overlap=12)
    starts = {s for s, _ in split_sentences(doc.text)}
    ends = {e for _, e in split_sentences(doc.text)}
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.start in starts and chunk.end in ends
        assert embedder.count_tokens(chunk.text) <= 50
    for first, second in itertools.pairwise(chunks):
        assert second.start < first.end  # overlap
        assert embedder.count_tokens(doc.text[second.start : first.end]) <= 12


def test_chunk_ids_are_stable_and_follow_content() -> None:
    embedder = FakeEmbedder()
    text = "First paragraph is here.\nSecond paragraph is different."
    doc = Document("a.txt", "a.txt", "T", text)
    again = chunks_of(doc, embedder, max_tokens=8, overlap=0)
    assert [c.chunk_id for c in chunks_of(doc, embedder, max_tokens=8, overlap=0)] == [
        c.chunk_id for c in again
    ]
    edited = Document("a.txt", "a.txt", "T", text.replace("Second", "Another"))
    before = {c.chunk_id for c in again}
    after = {c.chunk_id for c in chunks_of(edited, embedder, max_tokens=8, overlap=0)}
    assert len(before & after) == 1  # the untouched paragraph keeps its id
    other_doc = Document("b.txt", "b.txt", "T", text)
    assert not before & {c.chunk_id for c in chunks_of(other_doc, embedder, max_tokens=8)}


def test_a_paragraph_break_starts_a_new_chunk_once_the_chunk_is_well_filled() -> None:
    embedder = FakeEmbedder()
    first = " ".join(["word"] * 35) + "."
    second = " ".join(["other"] * 10) + "."
    doc = Document("d", "d", "", f"{first}\n{second}")
    chunks = chunks_of(doc, embedder, max_tokens=50, overlap=0)
    assert [c.text for c in chunks] == [first, second]


def test_chunks_never_span_pages_and_carry_page_and_heading() -> None:
    embedder = FakeEmbedder()
    text = "Alpha page text.\nBeta page text."
    doc = Document("r.pdf", "r.pdf", "", text, page_starts=(0, 17), headings=((0, "Intro"),))
    chunks = chunks_of(doc, embedder, max_tokens=100)
    assert [(c.text, c.page, c.heading) for c in chunks] == [
        ("Alpha page text.", 1, "Intro"),
        ("Beta page text.", 2, "Intro"),
    ]


def test_an_overlong_title_is_not_prefixed(real_embedder: Embedder) -> None:
    assert embedding_prefix("Short title", real_embedder.count_tokens, 256) == "Short title\n"
    assert embedding_prefix("word " * 100, real_embedder.count_tokens, 256) == ""


def test_empty_tokens_budget_edge_is_safe(tmp_path: Path) -> None:
    embedder = FakeEmbedder(max_tokens=16)
    doc = Document("d", "d", "A title that is long-ish", "One two three four five six seven eight.")
    for chunk in chunks_of(doc, embedder, max_tokens=200):
        assert embedder.count_tokens(chunk.text) <= 14
