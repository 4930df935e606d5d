"""Retrieval evaluation on BEIR-format data, through the same pipeline users run.

The corpus is written out as Markdown files (title in front matter) into a cache folder keyed by
the corpus content, the slice, the model and the chunking settings, then indexed with ``Index``;
a second run finds the cache and embeds nothing. Documents are ranked by their best chunk.
Metrics follow trec_eval: ``ndcg_cut_10`` (gain = relevance grade, log2 discount),
``recall_100`` and ``recip_rank`` cut at 10; queries without relevant documents are left out.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from policybrief.errors import PolicybriefError
from policybrief.fsutil import atomic_write_text
from policybrief.index import Index, ProgressCallback
from policybrief.retrieval import Retriever

Qrels = dict[str, dict[str, int]]


@dataclass(frozen=True)
class BeirData:
    corpus: dict[str, tuple[str, str]]  # doc id → (title, text)
    queries: dict[str, str]
    qrels: Qrels
    corpus_hash: str


def load_beir(folder: Path, split: str) -> BeirData:
    """Read ``corpus.jsonl``, ``queries.jsonl`` and ``qrels/<split>.tsv``."""
    files = [folder / "corpus.jsonl", folder / "queries.jsonl", folder / "qrels" / f"{split}.tsv"]
    for file in files:
        if not file.is_file():
            raise PolicybriefError(f"{file} not found: expected a BEIR folder")
    digest = hashlib.sha256()
    corpus: dict[str, tuple[str, str]] = {}
    with files[0].open("rb") as handle:
        for raw in handle:
            digest.update(raw)
            record = json.loads(raw)
            corpus[str(record["_id"])] = (record.get("title") or "", record.get("text") or "")
    queries = {}
    with files[1].open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            queries[str(record["_id"])] = record["text"]
    qrels: Qrels = {}
    with files[2].open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle, delimiter="\t")
        for row in reader:
            if len(row) < 3 or row[0] == "query-id":
                continue
            qrels.setdefault(row[0].strip(), {})[row[1].strip()] = int(row[2])
    qrels = {q: docs for q, docs in qrels.items() if q in queries and any(docs.values())}
    return BeirData(corpus, queries, qrels, digest.hexdigest())


def slice_beir(data: BeirData, max_docs: int | None, max_queries: int | None) -> BeirData:
    """A deterministic subset: the first queries (by id) and their relevant documents, filled
    up with other documents in corpus order, so every kept query can still be answered."""
    query_ids = sorted(data.qrels)[:max_queries] if max_queries else sorted(data.qrels)
    qrels = {q: data.qrels[q] for q in query_ids}
    if not max_docs:
        return BeirData(data.corpus, data.queries, qrels, data.corpus_hash)
    keep = dict.fromkeys(d for q in query_ids for d in qrels[q] if d in data.corpus)
    for doc_id in data.corpus:
        if len(keep) >= max_docs:
            break
        keep.setdefault(doc_id)
    corpus = {d: data.corpus[d] for d in keep}
    qrels = {q: {d: r for d, r in rels.items() if d in corpus} for q, rels in qrels.items()}
    return BeirData(corpus, data.queries, qrels, data.corpus_hash)


# -- metrics (trec_eval definitions) ------------------------------------------------------------


def ndcg_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    gains = [relevant.get(d, 0) for d in ranked[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains) if g > 0)
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 100) -> float:
    wanted = {d for d, g in relevant.items() if g > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr_at(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 10) -> float:
    for position, doc_id in enumerate(ranked[:k], start=1):
        if relevant.get(doc_id, 0) > 0:
            return 1.0 / position
    return 0.0


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


@dataclass
class ModeResult:
    mode: str
    ndcg_10: float
    recall_100: float
    mrr_10: float
    latency_p50_ms: float
    latency_p95_ms: float


@dataclass
class EvalReport:
    dataset: str
    split: str
    documents: int
    queries: int
    chunks: int
    index_seconds: float
    embedded: int  # chunks embedded by this run (0 when the cache was reused)
    cache: str
    modes: list[ModeResult] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _doc_file(doc_id: str) -> str:
    return quote(doc_id, safe="") + ".md"


def materialize(data: BeirData, corpus_dir: Path) -> None:
    """Write each document as Markdown with its title in front matter (once per cache)."""
    marker = corpus_dir / ".complete"
    if marker.is_file():
        return
    corpus_dir.mkdir(parents=True, exist_ok=True)
    for doc_id, (title, text) in data.corpus.items():
        body = f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n{text}\n"
        (corpus_dir / _doc_file(doc_id)).write_text(body, encoding="utf-8")
    atomic_write_text(marker, "")


def cache_key(data: BeirData, index_settings: str) -> str:
    shape = json.dumps([data.corpus_hash, sorted(data.corpus), index_settings])
    return hashlib.sha256(shape.encode("utf-8")).hexdigest()[:16]


def evaluate_retrieval(
    data: BeirData,
    *,
    dataset: str,
    split: str,
    cache_root: Path,
    index_settings: str,
    make_index: Callable[[Path, Path], Index],
    make_retriever: Callable[[Index], Retriever],
    modes: Sequence[str],
    progress: ProgressCallback | None = None,
) -> EvalReport:
    """Index ``data`` (or reuse the cache) and score every mode on the same queries.

    ``make_index(state_dir, project_root)`` and ``make_retriever(index)`` build the same parts a
    project uses, so what is measured is what users run.
    """
    folder = cache_root / cache_key(data, index_settings)
    corpus_dir = folder / "corpus"
    materialize(data, corpus_dir)
    index = make_index(folder / "index", folder)
    started = time.perf_counter()
    sync = index.sync(corpus_dir, progress)
    index_seconds = time.perf_counter() - started
    report = EvalReport(
        dataset=dataset,
        split=split,
        documents=len(data.corpus),
        queries=len(data.qrels),
        chunks=sync.chunks,
        index_seconds=round(index_seconds, 1),
        embedded=sync.embedded,
        cache=str(folder),
    )
    retriever = make_retriever(index)
    try:
        _score_modes(report, data, retriever, modes)
    finally:
        index.close()
    return report


def _score_modes(
    report: EvalReport, data: BeirData, retriever: Retriever, modes: Sequence[str]
) -> None:
    # Embed every query once before timing: the first mode timed would otherwise pay for the
    # query vectors the others then find cached (dense 421 ms against hybrid 6 ms).
    for query_id in sorted(data.qrels):
        retriever.rank_documents(data.queries[query_id], k=100, mode=modes[0])
    for mode in modes:
        ndcg, recall, mrr, latencies = [], [], [], []
        for query_id, relevant in sorted(data.qrels.items()):
            started = time.perf_counter()
            ranking = retriever.rank_documents(data.queries[query_id], k=100, mode=mode)
            latencies.append((time.perf_counter() - started) * 1000)
            ranked = [unquote(doc_id.removesuffix(".md")) for doc_id, _ in ranking]
            ndcg.append(ndcg_at(ranked, relevant))
            recall.append(recall_at(ranked, relevant))
            mrr.append(mrr_at(ranked, relevant))
        count = max(1, len(ndcg))
        report.modes.append(
            ModeResult(
                mode=mode,
                ndcg_10=round(sum(ndcg) / count, 4),
                recall_100=round(sum(recall) / count, 4),
                mrr_10=round(sum(mrr) / count, 4),
                latency_p50_ms=round(percentile(latencies, 0.5), 2),
                latency_p95_ms=round(percentile(latencies, 0.95), 2),
            )
        )
