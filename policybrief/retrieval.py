"""Question → ranked ``Passage``s: dense, keyword (BM25), or both fused.

Hybrid retrieval pools the top candidates of each ranking and scores every pooled chunk on both
scales: its cosine similarity to the question (looked up in the vector store when the dense
search did not return it) and its BM25 score divided by the best BM25 score in the pool (0 when
it matches no query term, or lies beyond a deep keyword list). The blend is
``dense_weight * cosine + (1 - dense_weight) * bm25 / max_bm25``, chosen on SciFact train
(BENCHMARKS.md). Filters are resolved against document metadata in the catalog and applied inside
both searches. The cosine stays on each passage as the relevance gauge: passages below
``min_score`` are dropped, since citing a weak match is worse than saying nothing was found.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from policybrief.config import MODES as MODES
from policybrief.config import RetrievalSettings
from policybrief.embedders import Embedder
from policybrief.errors import ConfigError, IndexStateError
from policybrief.index import Index
from policybrief.questions import names_everything
from policybrief.text import names_every_term
from policybrief.types import TEXT_BEFORE, Filters, Passage

if TYPE_CHECKING:
    from policybrief.reranking import Reranker

# Vectors written by a sync still in progress are not in the catalog yet; fetch a few extra.
FETCH_MARGIN = 10
# Hybrid looks up BM25 scores this many times deeper than it pools candidates.
KEYWORD_DEPTH = 10
# Documents a corpus needs before "Give me a summary" starts from their leads.
LEAD_SUMMARY_DOCUMENTS = 3
# In diversify(): how much a passage from an already chosen document counts as redundant.
SAME_DOCUMENT_REDUNDANCY = 0.8


@dataclass(frozen=True)
class Candidate:
    """A chunk's scores before it becomes a passage."""

    chunk_id: str
    score: float
    dense: float | None = None
    keyword: float | None = None


def fuse(
    pool: Sequence[str],
    dense: Mapping[str, float],
    keyword: Mapping[str, float],
    dense_weight: float,
) -> list[Candidate]:
    """Blend cosine similarity with BM25 scaled by the pool's best; a missing BM25 score is 0."""
    best_keyword = max((keyword.get(c, 0.0) for c in pool), default=0.0) or 1.0
    fused = [
        Candidate(
            chunk_id,
            dense_weight * dense.get(chunk_id, 0.0)
            + (1 - dense_weight) * keyword.get(chunk_id, 0.0) / best_keyword,
            dense.get(chunk_id),
            keyword.get(chunk_id),
        )
        for chunk_id in dict.fromkeys(pool)
    ]
    return sorted(fused, key=lambda c: (-c.score, c.chunk_id))


def aggregate_documents(
    candidates: Sequence[Candidate], doc_of: Mapping[str, str]
) -> list[tuple[str, float]]:
    """Rank documents by their best chunk (chunks of one document do not add up)."""
    best: dict[str, float] = {}
    for candidate in candidates:
        doc_id = doc_of.get(candidate.chunk_id)
        if doc_id is not None and candidate.score > best.get(doc_id, float("-inf")):
            best[doc_id] = candidate.score
    return sorted(best.items(), key=lambda item: (-item[1], item[0]))


def marginal_relevance(relevance: float, redundancy: float, weight: float) -> float:
    """Maximal marginal relevance: how relevant, less how much it repeats what was chosen
    (``redundancy``: its greatest similarity to a chosen item), ``weight`` deciding between
    the two. Passages (``diversify``) and quoted sentences (``extractive``) are chosen by it."""
    return weight * relevance - (1 - weight) * redundancy


def diversify(
    relevance: Sequence[float],
    vectors: np.ndarray,
    doc_ids: Sequence[str],
    count: int,
    lambda_: float = 0.7,
) -> list[int]:
    """Maximal marginal relevance over passages: near-duplicates and same-source passages
    count as redundant, so one document does not fill every slot while others are relevant."""
    chosen: list[int] = []
    remaining = list(range(len(relevance)))
    while remaining and len(chosen) < count:

        def marginal(i: int) -> float:
            redundancy = 0.0
            for j in chosen:
                same = SAME_DOCUMENT_REDUNDANCY if doc_ids[i] == doc_ids[j] else 0.0
                redundancy = max(redundancy, float(vectors[i] @ vectors[j]), same)
            return marginal_relevance(relevance[i], redundancy, lambda_)

        best = max(remaining, key=marginal)
        remaining.remove(best)
        chosen.append(best)
    return chosen


def _incomplete(what: str) -> IndexStateError:
    """An index that lost part of itself answers from what remains: say so instead."""
    return IndexStateError(f"the index is incomplete: {what}; run `brief doctor --repair`")


class Retriever:
    def __init__(
        self,
        index: Index,
        embedder: Embedder,
        settings: RetrievalSettings,
        reranker: Reranker | None = None,
    ) -> None:
        if settings.mode not in MODES:
            raise ConfigError(f"retrieval mode must be one of {', '.join(MODES)}")
        self.index = index
        self.embedder = embedder
        self.settings = settings
        self.reranker = reranker

    def _allowed(self, filters: Filters | None) -> list[str] | None:
        if filters is None or filters.is_empty():
            return None
        return sorted(d for d, info in self.index.documents().items() if filters.matches(info))

    def candidates(
        self, query: str, *, mode: str, limit: int, allowed: Sequence[str] | None = None
    ) -> list[Candidate]:
        """Chunk candidates for ``query`` in ``mode``, best first (not yet gated or trimmed)."""
        if mode not in MODES:
            raise ConfigError(f"retrieval mode must be one of {', '.join(MODES)}")
        if mode == "keyword":
            keyword = self._keyword(query, limit, allowed)
            return [Candidate(i, s, keyword=s) for i, s in keyword]
        vector = self.query_vector(query)
        dense = self.index.dense_search(vector, limit + FETCH_MARGIN, allowed)
        if not dense and (allowed is None or allowed) and not self.index.is_empty():
            raise _incomplete("the vector store holds no vectors for the indexed chunks")
        if mode == "dense":
            return [Candidate(i, s, dense=s) for i, s in dense]
        keyword = self._keyword(query, limit * KEYWORD_DEPTH, allowed)
        pool = [i for i, _ in dense[:limit]] + [i for i, _ in keyword[:limit]]
        cosine = dict(dense)
        missing = [i for i in pool if i not in cosine]
        found = self.index.vectors(missing)
        if len(found) < len(set(missing)):
            raise _incomplete(f"{len(set(missing)) - len(found)} indexed chunks have no vector")
        for chunk_id, chunk_vector in found.items():
            cosine[chunk_id] = float(chunk_vector @ vector)
        return fuse(pool, cosine, dict(keyword), self.settings.dense_weight)

    def query_vector(self, query: str) -> np.ndarray:
        """The query's embedding, cached in the catalog: re-checking a briefing's questions
        for staleness then needs no model."""
        return self.index.query_vector(self.embedder.model_id, query, self.embedder.embed_query)

    def _keyword(
        self, query: str, limit: int, allowed: Sequence[str] | None
    ) -> list[tuple[str, float]]:
        return self.index.keyword_search(query, limit, allowed, self.settings.title_weight)

    def retrieve(
        self,
        query: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        min_score: float | None = None,
        mode: str | None = None,
    ) -> list[Passage]:
        """The ``k`` best passages that pass the relevance floor."""
        k = k or self.settings.top_k
        mode = mode or self.settings.mode
        floor = self.settings.min_score if min_score is None else min_score
        allowed = self._allowed(filters)
        if allowed is not None and not allowed:
            return []
        if self.index.is_empty():
            return []
        limit = max(k, self.settings.candidates)
        found = self.candidates(query, mode=mode, limit=limit, allowed=allowed)
        chunks = self.index.chunks([c.chunk_id for c in found])
        documents = self.index.documents(c.doc_id for c in chunks.values())
        passages = [
            Passage(
                chunks[c.chunk_id],
                documents[chunks[c.chunk_id].doc_id],
                c.score,
                dense_score=c.dense,
                keyword_score=c.keyword,
            )
            for c in found
            if c.chunk_id in chunks and chunks[c.chunk_id].doc_id in documents
        ]
        if self.reranker is not None:
            passages = self.reranker.rerank(query, passages[: self.settings.rerank_top])
        kept = [
            p
            for p in passages
            if p.dense_score is None
            or p.dense_score >= floor
            or names_every_term(query, p.chunk.text)
            or names_everything(query, f"{p.document.title}\n{p.chunk.text}")
        ]
        return [
            dataclasses.replace(p, before=self.index.text_before(p.chunk, TEXT_BEFORE))
            for p in kept[:k]
        ]

    def leads(self, *, k: int | None = None, filters: Filters | None = None) -> list[Passage]:
        """The opening passage of each of the ``k`` most recent documents: what a summary of the
        whole corpus starts from (a report's lead says what it is about), where a query of no
        content ("Give me a summary") would retrieve at random. None for a corpus of fewer than
        LEAD_SUMMARY_DOCUMENTS documents: one article is summarised from all of it."""
        k = k or self.settings.top_k
        documents = {
            doc_id: info
            for doc_id, info in self.index.documents().items()
            if filters is None or filters.is_empty() or filters.matches(info)
        }
        if len(documents) < LEAD_SUMMARY_DOCUMENTS:
            return []
        newest = sorted(
            documents.values(),
            key=lambda d: (d.published or date.min, d.path),
            reverse=True,
        )[:k]
        opening = self.index.opening_chunks(d.doc_id for d in newest)
        return [
            Passage(opening[d.doc_id], d, 1.0 - rank / (2 * k))
            for rank, d in enumerate(newest)
            if d.doc_id in opening
        ]

    def rank_documents(
        self, query: str, *, k: int, mode: str | None = None, filters: Filters | None = None
    ) -> list[tuple[str, float]]:
        """Documents ranked for ``query`` by their best chunk (used by the evaluation)."""
        mode = mode or self.settings.mode
        allowed = self._allowed(filters)
        limit = max(k * 3, self.settings.candidates)
        found = self.candidates(query, mode=mode, limit=limit, allowed=allowed)
        doc_of = self.index.doc_ids_of([c.chunk_id for c in found])
        return aggregate_documents(found, doc_of)[:k]

    def diverse(self, passages: Sequence[Passage], count: int) -> list[Passage]:
        """The ``count`` passages chosen for relevance and spread across sources."""
        if len(passages) <= 1:
            return list(passages)
        vectors = self.index.vectors([p.chunk.chunk_id for p in passages])
        dimension = next(iter(vectors.values())).shape[0] if vectors else 1
        matrix = np.stack([vectors.get(p.chunk.chunk_id, np.zeros(dimension)) for p in passages])
        order = diversify(
            [p.score for p in passages], matrix, [p.document.doc_id for p in passages], count
        )
        return [passages[i] for i in order]
