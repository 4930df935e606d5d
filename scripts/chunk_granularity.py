"""How chunk size moves dense, BM25 and hybrid nDCG@10 on a BEIR split (about 30 minutes).

    .venv/bin/python scripts/chunk_granularity.py --beir ../shared/eval/scifact --split train

Variants: one vector per document (title + text, truncated at the model's 256 tokens: the
setting of the published MTEB figure), and our chunker at several sizes. Each variant embeds the
corpus with the packaged model, indexes the same chunks in an in-memory SQLite FTS5 table
(Porter stemmer, title weighted twice, as the catalog does), ranks documents by their best
chunk, and fuses with the default formula (cosine + BM25 ÷ best BM25 in the pool).
"""

from __future__ import annotations

import argparse
import sqlite3
import time
from pathlib import Path

import numpy as np
from benchkit import table_head

from policybrief.catalog import match_expression
from policybrief.chunking import chunk_document, embedding_prefix
from policybrief.config import EmbeddingSettings
from policybrief.embedders import create_embedder
from policybrief.evaluation import Qrels, load_beir, ndcg_at
from policybrief.types import Document

SIZES = ((200, 40), (128, 32), (96, 24), (64, 16))
WEIGHTS = (0.5, 0.6, 0.7, 0.8)
POOL = 100


def hybrid(
    similarity: np.ndarray,
    keyword: list[dict[int, float]],
    owners: list[str],
    qrels: Qrels,
    query_ids: list[str],
    weight: float,
) -> float:
    """Mean nDCG@10 of the default fusion at ``weight`` (0: BM25 alone)."""
    total = 0.0
    for row, query_id in enumerate(query_ids):
        scores = keyword[row]
        top_keyword = sorted(scores, key=lambda r: -scores[r])[:POOL]
        pool = list(dict.fromkeys([*np.argsort(-similarity[row])[:POOL].tolist(), *top_keyword]))
        best_keyword = max(scores.get(r, 0.0) for r in pool) or 1.0
        best: dict[str, float] = {}
        for r in pool:
            value = weight * similarity[row, r] + (1 - weight) * scores.get(r, 0.0) / best_keyword
            best[owners[r]] = max(best.get(owners[r], -9.0), float(value))
        total += ndcg_at(sorted(best, key=lambda d: -best[d]), qrels[query_id])
    return total / len(query_ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, required=True)
    parser.add_argument("--split", default="train")
    args = parser.parse_args()
    data = load_beir(args.beir, args.split)
    embedder = create_embedder(EmbeddingSettings(), Path("."))
    query_ids = sorted(data.qrels)
    queries = embedder.embed_documents([data.queries[q] for q in query_ids])

    def dense_ndcg(similarity: np.ndarray, owners: list[str]) -> float:
        total = 0.0
        for row, query_id in enumerate(query_ids):
            best: dict[str, float] = {}
            for j in np.argsort(-similarity[row])[: POOL * 4]:
                best[owners[j]] = max(best.get(owners[j], -1.0), float(similarity[row, j]))
            total += ndcg_at(sorted(best, key=lambda d: -best[d]), data.qrels[query_id])
        return total / len(query_ids)

    print(table_head("variant", "vectors", "dense", "BM25", "hybrid (best weight)", "seconds"))
    started = time.perf_counter()
    texts = [f"{title} {text}" for title, text in data.corpus.values()]
    similarity = queries @ embedder.embed_documents(texts).T
    print(
        f"| one vector per document, truncated | {len(texts)} | "
        f"{dense_ndcg(similarity, list(data.corpus)):.4f} | – | – | "
        f"{time.perf_counter() - started:.0f} |",
        flush=True,
    )

    for max_tokens, overlap in SIZES:
        started = time.perf_counter()
        chunks, owners, titles, embedded = [], [], [], []
        for doc_id, (title, text) in data.corpus.items():
            document = Document(doc_id, doc_id, title, text)
            prefix = embedding_prefix(title, embedder.count_tokens, embedder.max_tokens)
            for chunk in chunk_document(
                document,
                embedder.count_tokens,
                model_max_tokens=embedder.max_tokens,
                max_tokens=max_tokens,
                overlap_tokens=overlap,
            ):
                chunks.append(chunk.text)
                owners.append(doc_id)
                titles.append(title)
                embedded.append(prefix + chunk.text)
        similarity = queries @ embedder.embed_documents(embedded).T

        db = sqlite3.connect(":memory:")
        db.execute(
            "CREATE VIRTUAL TABLE t USING fts5(title, body, "
            "tokenize = 'porter unicode61 remove_diacritics 2')"
        )
        db.executemany(
            "INSERT INTO t (rowid, title, body) VALUES (?, ?, ?)",
            [(i, titles[i], chunks[i]) for i in range(len(chunks))],
        )
        keyword = []
        for query_id in query_ids:
            rows = db.execute(
                "SELECT rowid, -bm25(t, 2.0, 1.0) FROM t WHERE t MATCH ? "
                "ORDER BY bm25(t, 2.0, 1.0) LIMIT 1000",
                (match_expression(data.queries[query_id]),),
            ).fetchall()
            keyword.append(dict(rows))

        fused = max(
            (hybrid(similarity, keyword, owners, data.qrels, query_ids, w), w) for w in WEIGHTS
        )
        keyword_only = hybrid(similarity, keyword, owners, data.qrels, query_ids, 0.0)
        print(
            f"| chunks of {max_tokens} tokens, overlap {overlap} | {len(chunks)} | "
            f"{dense_ndcg(similarity, owners):.4f} | {keyword_only:.4f} | "
            f"{fused[0]:.4f} (w={fused[1]}) | {time.perf_counter() - started:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
