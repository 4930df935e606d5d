"""The vector store: a Chroma collection, always given explicit embeddings.

It lives on local disk (PersistentClient) or on a Chroma server (HttpClient); the rest of the
code does not know which.

Chroma is imported only when a store is opened. Collections are created without an embedding
function (Chroma's default would try to download a model), with cosine distance, and with
anonymized telemetry off. Each vector carries its chunk's text and document id, so the
collection is readable on its own (for example by LangChain's Chroma wrapper); the catalog
holds the rest of the provenance.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

from policybrief.errors import ConfigError
from policybrief.types import Chunk

if TYPE_CHECKING:
    import numpy as np


class VectorStore(Protocol):
    """What the index needs from a vector database: every method ``Index`` calls on its store,
    so any object with these (a fake in tests, another database) can be passed to
    ``Index(store=...)``. Vectors are normalised float32 rows, one per chunk id."""

    def existing(self, ids: Sequence[str]) -> set[str]: ...

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def search(
        self, vector: np.ndarray, k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) best first, optionally within some documents."""
        ...

    def all_ids(self) -> set[str]: ...

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]: ...

    def close(self) -> None: ...


def _client_settings() -> Any:
    from chromadb.config import Settings

    return Settings(anonymized_telemetry=False, allow_reset=False)


def chroma_client(location: Path | str) -> Any:
    """An embedded client for a folder, or an HTTP client for a server URL."""
    import chromadb

    if isinstance(location, Path):
        location.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(location), settings=_client_settings())
    url = urlparse(location)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise ConfigError(f"[chroma] url must look like http://host:port, got {location!r}")
    try:
        client = chromadb.HttpClient(
            host=url.hostname,
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=_client_settings(),
        )
        client.heartbeat()
    except Exception as exc:
        raise ConfigError(
            f"cannot reach the Chroma server at {location}: start it with `chroma run --path "
            "DIR --host HOST --port PORT`, or clear [chroma] url to use the local store"
        ) from exc
    return client


class ChromaStore:
    """A Chroma collection: embedded on local disk, or on a Chroma server."""

    def __init__(self, location: Path | str, collection: str) -> None:
        self.client = chroma_client(location)
        self.name = collection
        self.collection = self.client.get_or_create_collection(
            collection, embedding_function=None, metadata={"hnsw:space": "cosine"}
        )
        self.max_batch = int(self.client.get_max_batch_size())

    def existing(self, ids: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), self.max_batch):
            batch = list(ids[start : start + self.max_batch])
            found.update(self.collection.get(ids=batch, include=[])["ids"])
        return found

    def add(self, chunks: Sequence[Chunk], vectors: np.ndarray) -> None:
        for start in range(0, len(chunks), self.max_batch):
            batch = chunks[start : start + self.max_batch]
            self.collection.upsert(
                ids=[c.chunk_id for c in batch],
                embeddings=vectors[start : start + len(batch)],
                documents=[c.text for c in batch],
                metadatas=[{"doc_id": c.doc_id, "content_hash": c.content_hash} for c in batch],
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), self.max_batch):
            self.collection.delete(ids=list(ids[start : start + self.max_batch]))

    def search(
        self, vector: np.ndarray, k: int, doc_ids: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        if doc_ids is not None and not doc_ids:
            return []
        where: dict[str, Any] | None = None
        if doc_ids is not None:
            where = {"doc_id": {"$in": list(doc_ids)}}
        # No count() first: it costs more than the query, which returns fewer when there are.
        result = self.collection.query(
            query_embeddings=[vector],
            n_results=k,
            where=where,
            include=["distances"],
        )
        ids = result["ids"][0]
        distances = result["distances"][0] if result["distances"] else []
        return [(chunk_id, 1.0 - float(d)) for chunk_id, d in zip(ids, distances, strict=True)]

    def vectors(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        import numpy as np

        found: dict[str, np.ndarray] = {}
        for start in range(0, len(ids), self.max_batch):
            batch = self.collection.get(
                ids=list(ids[start : start + self.max_batch]), include=["embeddings"]
            )
            embeddings = batch["embeddings"]
            if embeddings is None:
                continue
            for chunk_id, vector in zip(batch["ids"], embeddings, strict=True):
                found[chunk_id] = np.asarray(vector, dtype=np.float32)
        return found

    def all_ids(self) -> set[str]:
        ids: set[str] = set()
        offset = 0
        while True:
            batch = self.collection.get(include=[], limit=self.max_batch, offset=offset)["ids"]
            ids.update(batch)
            if len(batch) < self.max_batch:
                return ids
            offset += len(batch)

    def close(self) -> None:
        """Release the client: Chroma caches one system per path until its last client closes,
        and a cached system would outlive a deleted index folder."""
        close = getattr(self.client, "close", None)  # Chroma clients gained close() in 1.x
        if close is not None:
            close()

    def drop_other_collections(self) -> list[str]:
        """Remove collections built for another model; returns their names."""
        dropped = []
        for collection in self.client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if name != self.name and name.startswith("pb_"):
                self.client.delete_collection(name)
                dropped.append(name)
        return dropped
