"""Question → ranked ``Passage``s from the index, within the given filters.

Filters are resolved against document metadata in the catalog, then handed to the vector store
as a set of document ids, so every filter works the same way whatever the store. Passages whose
similarity falls below ``min_score`` are dropped: citing a weak match is worse than saying
nothing was found.
"""

from __future__ import annotations

from policybrief.config import RetrievalSettings
from policybrief.embedders import Embedder
from policybrief.index import Index
from policybrief.types import Filters, Passage

# Vectors written by a sync still in progress are not in the catalog yet; fetch a few extra.
FETCH_MARGIN = 10


class Retriever:
    def __init__(self, index: Index, embedder: Embedder, settings: RetrievalSettings) -> None:
        self.index = index
        self.embedder = embedder
        self.settings = settings

    def retrieve(
        self,
        query: str,
        *,
        k: int | None = None,
        filters: Filters | None = None,
        min_score: float | None = None,
    ) -> list[Passage]:
        k = k or self.settings.top_k
        floor = self.settings.min_score if min_score is None else min_score
        documents = self.index.documents()
        allowed = None
        if filters is not None and not filters.is_empty():
            allowed = sorted(d for d, info in documents.items() if filters.matches(info))
            if not allowed:
                return []
        if not documents:
            return []
        hits = self.index.store.search(self.embedder.embed_query(query), k + FETCH_MARGIN, allowed)
        chunks = self.index.chunks([chunk_id for chunk_id, _ in hits])
        passages = [
            Passage(chunks[chunk_id], documents[chunks[chunk_id].doc_id], score, dense_score=score)
            for chunk_id, score in hits
            if chunk_id in chunks and chunks[chunk_id].doc_id in documents
        ]
        return [p for p in passages[:k] if p.score >= floor]
