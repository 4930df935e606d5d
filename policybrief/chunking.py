"""``Document`` → ``Chunk``s that fit the embedder, measured in the embedder's own tokens.

Chunks are built from whole sentences, start a new chunk at paragraph breaks when the current
one is already well filled, never span two pages, and repeat a sentence or two of overlap. A
sentence longer than the budget is cut at word boundaries. Pure functions: the token counter is
passed in, so tests can use the real tokenizer or a stand-in.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from policybrief.text import paragraphs, split_sentences, word_spans
from policybrief.types import Chunk, Document

TokenCounter = Callable[[str], int]
BatchCounter = Callable[[list[str]], list[int]]

# A paragraph break ends the chunk when it is at least this full, so chunks follow the text.
PARAGRAPH_BREAK_FILL = 0.6
# Titles longer than this share of the model limit are not prefixed to chunks.
MAX_TITLE_SHARE = 0.25


def sha(text: str, length: int = 16) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def embedding_prefix(title: str, count_tokens: TokenCounter, model_max_tokens: int) -> str:
    """The title line put before each chunk's text when embedding it ("" if too long)."""
    if title and count_tokens(title) <= model_max_tokens * MAX_TITLE_SHARE:
        return title + "\n"
    return ""


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    tokens: int
    opens_paragraph: bool


def _units(
    doc: Document, count: TokenCounter, budget: int, count_many: BatchCounter | None
) -> list[list[_Unit]]:
    """Sentence units grouped by page; sentences over budget are cut into word windows."""
    bounds = [*doc.page_starts, len(doc.text)] if doc.page_starts else [0, len(doc.text)]
    spans: list[tuple[int, int, int, bool]] = []  # page, start, end, opens a paragraph
    for page, (page_start, page_end) in enumerate(itertools.pairwise(bounds)):
        for p_start, p_end in paragraphs(doc.text[page_start:page_end]):
            sentences = split_sentences(
                doc.text[page_start + p_start : page_start + p_end], page_start + p_start
            )
            spans.extend((page, s, e, i == 0) for i, (s, e) in enumerate(sentences))
    texts = [doc.text[s:e] for _, s, e, _ in spans]
    counts = count_many(texts) if count_many else [count(t) for t in texts]
    pages: list[list[_Unit]] = [[] for _ in range(len(bounds) - 1)]
    for (page, s_start, s_end, first), tokens in zip(spans, counts, strict=True):
        if tokens <= budget:
            pages[page].append(_Unit(s_start, s_end, tokens, first))
        else:
            pages[page].extend(_word_windows(doc.text, s_start, s_end, count, budget, first))
    return pages


def _fitting_ends(
    text: str, start: int, ends: Sequence[int], count: TokenCounter, budget: int
) -> int:
    """How many of the ascending ``ends`` give a span from ``start`` within ``budget`` tokens."""
    low, high = 0, len(ends)
    while low < high:
        middle = (low + high + 1) // 2
        if count(text[start : ends[middle - 1]]) <= budget:
            low = middle
        else:
            high = middle - 1
    return low


def _word_windows(
    text: str, start: int, end: int, count: TokenCounter, budget: int, first: bool
) -> list[_Unit]:
    """Cut an over-long sentence into windows of whole words (of characters, for one huge word)."""
    windows: list[_Unit] = []
    words = word_spans(text, start, end)
    index = 0
    while index < len(words):
        w_start = words[index][0]
        # Every word is at least one token, so no window holds more than ``budget`` words.
        word_ends = [w_end for _, w_end in words[index : index + budget]]
        fitting = _fitting_ends(text, w_start, word_ends, count, budget)
        if fitting:
            w_end = word_ends[fitting - 1]
            index += fitting
        else:  # one word over budget: cut it by characters
            char_ends = range(w_start + 1, min(words[index][1], w_start + budget * 8) + 1)
            w_end = char_ends[max(0, _fitting_ends(text, w_start, char_ends, count, budget) - 1)]
            words[index] = (w_end, words[index][1])
        windows.append(_Unit(w_start, w_end, count(text[w_start:w_end]), first and not windows))
    return windows


def _make_chunk(doc: Document, prefix: str, start: int, end: int, seen: dict[str, int]) -> Chunk:
    """A chunk whose id hashes everything that was embedded: title prefix and text."""
    text = doc.text[start:end]
    content_hash = sha(text)
    occurrence = seen.get(content_hash, 0)
    seen[content_hash] = occurrence + 1
    return Chunk(
        chunk_id=sha(f"{doc.doc_id}\x00{prefix}\x00{content_hash}\x00{occurrence}", 20),
        doc_id=doc.doc_id,
        text=text,
        start=start,
        end=end,
        page=doc.page_at(start),
        heading=doc.heading_at(start),
        content_hash=content_hash,
        embed_hash=sha(f"{prefix}\x00{content_hash}", 20),
    )


def chunk_document(
    doc: Document,
    count_tokens: TokenCounter,
    *,
    model_max_tokens: int,
    max_tokens: int,
    overlap_tokens: int,
    count_many: BatchCounter | None = None,
) -> list[Chunk]:
    """Split ``doc`` so that prefix + chunk text + special tokens fit ``model_max_tokens``.

    ``count_many`` counts many texts in one call (faster than ``count_tokens`` one by one).
    """
    prefix = embedding_prefix(doc.title, count_tokens, model_max_tokens)
    reserved = 2 + (count_tokens(prefix) if prefix else 0)  # [CLS] and [SEP]
    budget = max(8, min(max_tokens, model_max_tokens - reserved))
    chunks: list[Chunk] = []
    seen: dict[str, int] = {}
    for units in _units(doc, count_tokens, budget, count_many):
        begin = 0
        while begin < len(units):
            stop, used = begin, 0
            while stop < len(units) and used + units[stop].tokens <= budget:
                if (
                    stop > begin
                    and units[stop].opens_paragraph
                    and used >= (budget * PARAGRAPH_BREAK_FILL)
                ):
                    break
                used += units[stop].tokens
                stop += 1
            stop = max(stop, begin + 1)
            start, end = units[begin].start, units[stop - 1].end
            # Joining sentences can tokenize differently from the sum of the parts: check.
            while stop - begin > 1 and count_tokens(doc.text[start:end]) > budget:
                stop -= 1
                end = units[stop - 1].end
            chunks.append(_make_chunk(doc, prefix, start, end, seen))
            if stop >= len(units):
                break
            begin = _overlap_start(units, begin, stop, overlap_tokens)
    return chunks


def _overlap_start(units: list[_Unit], begin: int, stop: int, overlap_tokens: int) -> int:
    """Where the next chunk starts: back over whole sentences worth ``overlap_tokens``."""
    nxt, carried = stop, 0
    while nxt - 1 > begin and carried + units[nxt - 1].tokens <= overlap_tokens:
        nxt -= 1
        carried += units[nxt].tokens
    return nxt
