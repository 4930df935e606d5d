"""The catalog: what the index holds, in one SQLite file beside the vector store.

It records each corpus file (size, mtime, content hash, metadata, or why it was skipped) and
each chunk (text and provenance). A sync publishes its changes in one transaction, so readers
see the corpus before or after a sync, never half of one; vectors for chunks that the catalog
does not list are invisible to readers, and deletions wait in ``pending_deletes`` until the
vector store has applied them.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from policybrief.types import Chunk, DocumentInfo, text_before

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    title TEXT NOT NULL DEFAULT '',
    published TEXT,
    source TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '',
    error TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS chunks (
    row INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    doc_id TEXT NOT NULL,
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    page INTEGER,
    heading TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    embed_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_by_doc ON chunks (doc_id, ordinal);
CREATE INDEX IF NOT EXISTS chunks_by_embedding ON chunks (embed_hash);
CREATE TABLE IF NOT EXISTS pending_deletes (chunk_id TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS query_vectors (
    model TEXT NOT NULL,
    text TEXT NOT NULL,
    vector BLOB NOT NULL,
    PRIMARY KEY (model, text)
);
CREATE TABLE IF NOT EXISTS sentence_vectors (hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS chunk_sentences (
    chunk_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (chunk_id, hash)
);
CREATE INDEX IF NOT EXISTS chunk_sentences_by_hash ON chunk_sentences (hash);
CREATE VIRTUAL TABLE IF NOT EXISTS chunk_text USING fts5(
    title, body, tokenize = 'porter unicode61 remove_diacritics 2'
);
"""
# Bump when the schema changes: an older catalog is rebuilt from the corpus (vectors are reused).
SCHEMA_VERSION = "4"
# Question vectors the catalog keeps (the most recently saved), checked every PRUNE_EVERY saves.
QUERY_VECTORS_KEPT = 20_000
PRUNE_EVERY = 1000
# A sentence vector no chunk refers to (through chunk_sentences' index on hash).
_UNUSED = "NOT EXISTS (SELECT 1 FROM chunk_sentences AS c WHERE c.hash = sentence_vectors.hash)"
# Lucene's English stop words, left out of keyword queries.
STOP_WORDS = frozenset(
    "a an and are as at be but by for if in into is it no not of on or such that the their "
    "then there these they this to was will with".split()
)
_QUERY_WORD = re.compile(r"\w\w+")


def match_expression(query: str) -> str:
    """An FTS5 query matching any of the query's words (stop words dropped), ranked by BM25."""
    words = dict.fromkeys(w for w in _QUERY_WORD.findall(query.lower()) if w not in STOP_WORDS)
    return " OR ".join('"' + word.replace('"', '""') + '"' for word in words)


@dataclass(frozen=True)
class FileState:
    """What the catalog last saw of a file: enough to tell whether it changed."""

    size: int
    mtime_ns: int
    sha256: str
    error: str = ""


@dataclass(frozen=True)
class DocumentUpdate:
    """A file's new state: its metadata and chunks, or the reason it was skipped."""

    doc_id: str
    state: FileState
    info: DocumentInfo
    chunks: tuple[Chunk, ...] = ()


class Catalog:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, timeout=60, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        if self.get_meta("schema") != SCHEMA_VERSION:
            older = bool(self.get_meta("schema"))
            self._reset()  # before SCHEMA, which may index columns an old catalog lacks
            if older:  # (until the next sync: readers say why the index is empty)
                self.set_meta("outdated", "1")
        else:
            self._db.executescript(SCHEMA)

    def _reset(self) -> None:
        """Start an outdated catalog afresh; the next sync re-reads the corpus."""
        self._db.execute("BEGIN IMMEDIATE")
        for table in (
            "documents",
            "chunks",
            "chunk_text",
            "pending_deletes",
            "query_vectors",
            "chunk_sentences",
            "meta",
        ):  # (sentence vectors are kept: found by model and text, they are still right)
            self._db.execute(f"DROP TABLE IF EXISTS {table}")
        self._db.execute("COMMIT")
        self._db.executescript(SCHEMA)
        self.set_meta("schema", SCHEMA_VERSION)

    def close(self) -> None:
        self._db.close()

    # -- meta -------------------------------------------------------------------------------

    def get_meta(self, key: str, default: str = "") -> str:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else default

    def set_meta(self, key: str, value: str) -> None:
        self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    @property
    def generation(self) -> int:
        """Counts syncs that changed content: equal numbers mean identical indexed content."""
        return int(self.get_meta("generation", "0"))

    def query_vector(self, model: str, text: str) -> np.ndarray | None:
        row = self._db.execute(
            "SELECT vector FROM query_vectors WHERE model = ? AND text = ?", (model, text)
        ).fetchone()
        return None if row is None else np.frombuffer(row[0], dtype=np.float32)

    def save_query_vector(self, model: str, text: str, vector: np.ndarray) -> None:
        """Cache a question's vector; only the QUERY_VECTORS_KEPT most recently saved stay, so
        that a long-running service asked endless new questions does not grow the file."""
        row = self._db.execute(
            "INSERT OR REPLACE INTO query_vectors VALUES (?, ?, ?)",
            (model, text, np.asarray(vector, dtype=np.float32).tobytes()),
        ).lastrowid
        if row and row % PRUNE_EVERY == 0:
            self._db.execute(
                "DELETE FROM query_vectors WHERE rowid <= ?", (row - QUERY_VECTORS_KEPT,)
            )

    # -- reading ----------------------------------------------------------------------------

    def file_states(self) -> dict[str, FileState]:
        rows = self._db.execute("SELECT doc_id, size, mtime_ns, sha256, error FROM documents")
        return {row[0]: FileState(row[1], row[2], row[3], row[4]) for row in rows}

    def documents(self, doc_ids: Iterable[str] | None = None) -> dict[str, DocumentInfo]:
        """Indexed documents (skipped files excluded) by id: all, or those of ``doc_ids``."""
        select = (
            "SELECT doc_id, path, title, published, source, url FROM documents WHERE error = ''"
        )
        if doc_ids is None:
            rows: Iterable[Any] = self._db.execute(f"{select} ORDER BY doc_id")
        else:
            rows = self._select_in(select + " AND doc_id IN ({marks})", doc_ids)
        return {
            row[0]: DocumentInfo(
                doc_id=row[0],
                path=row[1],
                title=row[2],
                published=date.fromisoformat(row[3]) if row[3] else None,
                source=row[4],
                url=row[5],
            )
            for row in rows
        }

    def skipped(self) -> dict[str, str]:
        """Files that could not be loaded, with the reason."""
        rows = self._db.execute(
            "SELECT path, error FROM documents WHERE error != '' ORDER BY doc_id"
        )
        return {row[0]: row[1] for row in rows}

    def chunk_ids(self, doc_ids: Iterable[str] | None = None) -> set[str]:
        if doc_ids is None:
            return {row[0] for row in self._db.execute("SELECT chunk_id FROM chunks")}
        rows = self._select_in("SELECT chunk_id FROM chunks WHERE doc_id IN ({marks})", doc_ids)
        return {row[0] for row in rows}

    def chunks(self, chunk_ids: Sequence[str]) -> dict[str, Chunk]:
        rows = self._select_in(
            'SELECT chunk_id, doc_id, text, start, "end", page, heading, content_hash, embed_hash '
            "FROM chunks WHERE chunk_id IN ({marks})",
            chunk_ids,
        )
        return {row[0]: Chunk(*row) for row in rows}

    def opening_chunks(self, doc_ids: Iterable[str]) -> dict[str, Chunk]:
        """Each document's first chunk, by document id."""
        rows = self._select_in(
            'SELECT chunk_id, doc_id, text, start, "end", page, heading, content_hash, embed_hash '
            "FROM chunks WHERE start = 0 AND doc_id IN ({marks})",
            doc_ids,
        )
        return {row[1]: Chunk(*row) for row in rows}

    def text_before(self, chunk: Chunk, limit: int) -> str:
        """Up to ``limit`` characters of the document before ``chunk`` (see ``text_before``)."""
        row = self._db.execute(
            'SELECT chunk_id, doc_id, text, start, "end", page, heading, content_hash, embed_hash '
            "FROM chunks WHERE doc_id = ? AND start < ? ORDER BY ordinal DESC LIMIT 1",
            (chunk.doc_id, chunk.start),
        ).fetchone()
        return text_before(chunk, None if row is None else Chunk(*row), limit)

    def stored_sentences(self, hashes: Iterable[str]) -> set[str]:
        """Which of these sentence hashes have a stored vector."""
        rows = self._select_in("SELECT hash FROM sentence_vectors WHERE hash IN ({marks})", hashes)
        return {row[0] for row in rows}

    def sentence_vectors(self, hashes: Iterable[str]) -> dict[str, np.ndarray]:
        """The stored vectors of these sentence hashes (those not stored are left out)."""
        rows = self._select_in(
            "SELECT hash, vector FROM sentence_vectors WHERE hash IN ({marks})", hashes
        )
        return {row[0]: np.frombuffer(row[1], dtype=np.float32) for row in rows}

    def keyword_search(
        self,
        query: str,
        limit: int,
        doc_ids: Sequence[str] | None = None,
        title_weight: float = 2.0,
    ) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; titles weigh ``title_weight`` times the body."""
        expression = match_expression(query)
        if not expression or (doc_ids is not None and not doc_ids):
            return []
        restrict = ""
        if doc_ids is not None:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS allowed (doc_id TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM temp.allowed")
            self._db.executemany(
                "INSERT OR IGNORE INTO temp.allowed VALUES (?)", [(d,) for d in doc_ids]
            )
            restrict = (
                "AND rowid IN (SELECT row FROM chunks "
                "WHERE doc_id IN (SELECT doc_id FROM temp.allowed))"
            )
        # Rank and cut inside the full-text table, then join only the best: a third faster.
        rows = self._db.execute(
            "SELECT c.chunk_id, best.rank FROM ("
            "SELECT rowid, bm25(chunk_text, ?, 1.0) AS rank FROM chunk_text "
            f"WHERE chunk_text MATCH ? {restrict} ORDER BY rank, rowid LIMIT ?"
            ") best JOIN chunks c ON c.row = best.rowid ORDER BY best.rank, best.rowid",
            (title_weight, expression, limit),
        )
        return [(row[0], -float(row[1])) for row in rows]

    def chunks_embedded_as(self, embed_hashes: Sequence[str]) -> dict[str, str]:
        """embed hash → one indexed chunk id embedded from exactly that text."""
        rows = self._select_in(
            "SELECT embed_hash, MIN(chunk_id) FROM chunks WHERE embed_hash IN ({marks}) "
            "GROUP BY embed_hash",
            embed_hashes,
        )
        return {row[0]: row[1] for row in rows}

    def doc_ids_of(self, chunk_ids: Sequence[str]) -> dict[str, str]:
        """Chunk id → document id, for the chunks the catalog holds."""
        rows = self._select_in(
            "SELECT chunk_id, doc_id FROM chunks WHERE chunk_id IN ({marks})", chunk_ids
        )
        return {row[0]: row[1] for row in rows}

    def keyword_rows(self) -> tuple[set[int], set[int]]:
        """(chunk rows with no keyword entry, keyword entries with no chunk row)."""
        chunks = {row[0] for row in self._db.execute("SELECT row FROM chunks")}
        indexed = {row[0] for row in self._db.execute("SELECT rowid FROM chunk_text")}
        return chunks - indexed, indexed - chunks

    def repair_keyword_rows(self, missing: set[int], orphans: set[int]) -> None:
        """Re-create the keyword entries of ``missing`` chunk rows, drop ``orphans``."""
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("DELETE FROM chunk_text WHERE rowid = ?", [(r,) for r in orphans])
            for row in sorted(missing):
                db.execute(
                    "INSERT INTO chunk_text (rowid, title, body) SELECT c.row, d.title, c.text "
                    "FROM chunks c JOIN documents d ON d.doc_id = c.doc_id WHERE c.row = ?",
                    (row,),
                )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def counts(self) -> tuple[int, int]:
        """(indexed documents, chunks)."""
        docs = self._db.execute("SELECT COUNT(*) FROM documents WHERE error = ''").fetchone()[0]
        chunks = self._db.execute("SELECT COUNT(*) FROM chunks").fetchone()[0]
        return int(docs), int(chunks)

    def pending_deletes(self) -> list[str]:
        return [row[0] for row in self._db.execute("SELECT chunk_id FROM pending_deletes")]

    # -- writing ----------------------------------------------------------------------------

    def save_sentence_vectors(self, vectors: Mapping[str, np.ndarray]) -> None:
        """Store sentence vectors by hash ahead of a publish, which makes chunks refer to them
        (until then, and if the sync dies, nothing does: ``drop_unused_sentence_vectors``)."""
        self._db.execute("BEGIN IMMEDIATE")
        try:
            self._db.executemany(
                "INSERT OR IGNORE INTO sentence_vectors VALUES (?, ?)",
                [(h, np.asarray(v, dtype=np.float32).tobytes()) for h, v in vectors.items()],
            )
            self._db.execute("COMMIT")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise

    def drop_unused_sentence_vectors(self) -> None:
        """Remove the sentence vectors no chunk refers to (left by a sync that died)."""
        self._db.execute(f"DELETE FROM sentence_vectors WHERE {_UNUSED}")

    def publish(
        self,
        updates: Sequence[DocumentUpdate],
        removed: Sequence[str],
        touched: Sequence[tuple[str, int, int]],
        stale_chunks: Iterable[str],
        meta: dict[str, str],
        sentences: Mapping[str, Sequence[str]] | None = None,
        *,
        drop_unused: bool = False,
    ) -> None:
        """Apply one sync in a single transaction: readers see all of it or none of it.

        ``sentences`` gives, per new chunk id, the hashes of the sentence vectors it refers to;
        vectors that only replaced chunks referred to are removed with them, and with
        ``drop_unused`` every vector no chunk refers to (after a killed sync or a rebuild).
        """
        db = self._db
        sentences = sentences or {}
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TEMP TABLE IF NOT EXISTS released (hash TEXT PRIMARY KEY)")
            db.execute("DELETE FROM released")
            for doc_id in [*removed, *(u.doc_id for u in updates)]:
                owned = "(SELECT chunk_id FROM chunks WHERE doc_id = ?)"
                db.execute(
                    "INSERT OR IGNORE INTO released "
                    f"SELECT hash FROM chunk_sentences WHERE chunk_id IN {owned}",
                    (doc_id,),
                )
                db.execute(f"DELETE FROM chunk_sentences WHERE chunk_id IN {owned}", (doc_id,))
                db.execute(
                    "DELETE FROM chunk_text WHERE rowid IN "
                    "(SELECT row FROM chunks WHERE doc_id = ?)",
                    (doc_id,),
                )
                db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
                db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))
            for update in updates:
                info, state = update.info, update.state
                db.execute(
                    "INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        update.doc_id,
                        info.path,
                        state.size,
                        state.mtime_ns,
                        state.sha256,
                        info.title,
                        info.published.isoformat() if info.published else None,
                        info.source,
                        info.url,
                        state.error,
                    ),
                )
                for n, c in enumerate(update.chunks):
                    row = db.execute(
                        'INSERT INTO chunks (chunk_id, doc_id, ordinal, text, start, "end", '
                        "page, heading, content_hash, embed_hash) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (
                            c.chunk_id,
                            c.doc_id,
                            n,
                            c.text,
                            c.start,
                            c.end,
                            c.page,
                            c.heading,
                            c.content_hash,
                            c.embed_hash,
                        ),
                    ).lastrowid
                    db.execute(
                        "INSERT INTO chunk_text (rowid, title, body) VALUES (?, ?, ?)",
                        (row, info.title, c.text),
                    )
            db.executemany(
                "INSERT OR IGNORE INTO chunk_sentences VALUES (?, ?)",
                [(chunk_id, h) for chunk_id, hashes in sentences.items() for h in hashes],
            )
            if drop_unused:
                db.execute(f"DELETE FROM sentence_vectors WHERE {_UNUSED}")
            else:
                db.execute(f"DELETE FROM sentence_vectors WHERE hash IN released AND {_UNUSED}")
            db.executemany(
                "UPDATE documents SET size = ?, mtime_ns = ? WHERE doc_id = ?",
                [(size, mtime, doc_id) for doc_id, size, mtime in touched],
            )
            db.executemany(
                "DELETE FROM pending_deletes WHERE chunk_id = ?",
                [(c.chunk_id,) for u in updates for c in u.chunks],
            )
            db.executemany(
                "INSERT OR IGNORE INTO pending_deletes VALUES (?)",
                [(chunk_id,) for chunk_id in stale_chunks],
            )
            if updates or removed:
                meta = {**meta, "generation": str(self.generation + 1)}
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(meta.items()))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def clear_pending_deletes(self, chunk_ids: Sequence[str]) -> None:
        self._db.executemany(
            "DELETE FROM pending_deletes WHERE chunk_id = ?", [(c,) for c in chunk_ids]
        )

    def _select_in(self, sql: str, keys: Iterable[str]) -> Iterator[Any]:
        """Rows of ``sql`` run for ``keys`` (distinct) in its ``IN ({marks})``, in batches: SQLite
        limits the number of parameters in one statement."""
        distinct = list(dict.fromkeys(keys))
        for start in range(0, len(distinct), 900):
            batch = distinct[start : start + 900]
            yield from self._db.execute(sql.format(marks=",".join("?" * len(batch))), batch)
