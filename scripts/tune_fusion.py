"""Compare ways of fusing dense and BM25 rankings on a BEIR split, using the real index.

Run `brief eval retrieval --beir DIR` first (it builds the cached index this script reads), then:

    .venv/bin/python scripts/tune_fusion.py --beir ../shared/eval/scifact --split train

Dense and keyword candidates (top 300 chunks per query) are taken from the project's cached
evaluation index once; each fusion variant is then scored offline with the same nDCG@10 as
`brief eval`. Tune on train only.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

import numpy as np
from benchkit import table_head

from policybrief.api import Project
from policybrief.evaluation import cache_key, load_beir, ndcg_at
from policybrief.index import Index, settings_fingerprint

DEPTH = 300  # candidates kept per list
POOL = 100  # candidates pooled from each list before fusion
WEIGHTS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)

Transform = Callable[[np.ndarray], np.ndarray]
TRANSFORMS: dict[str, Transform] = {
    "raw": lambda v: v,
    "min-max": lambda v: (v - v.min()) / (v.max() - v.min() + 1e-12),
    "÷ max": lambda v: v / (v.max() + 1e-12),
    "z-score": lambda v: (v - v.mean()) / (v.std() + 1e-12),
    "log(1+x) ÷ max": lambda v: np.log1p(np.maximum(v, 0)) / (np.log1p(v.max()) + 1e-12),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--beir", type=Path, required=True)
    parser.add_argument("--split", default="train")
    parser.add_argument("--project", type=Path, default=Path("."))
    args = parser.parse_args()

    project = Project.open(args.project)
    data = load_beir(args.beir, args.split)
    fingerprint = settings_fingerprint(project.embedder.model_id, project.settings.chunking)
    folder = project.state_dir / "eval" / cache_key(data, fingerprint)
    if not (folder / "index").is_dir():
        raise SystemExit(f"no cached index at {folder}: run `brief eval retrieval` first")
    index = Index(folder / "index", project.embedder, project.settings.chunking, folder)

    query_ids = sorted(data.qrels)
    vectors = project.embedder.embed_documents([data.queries[q] for q in query_ids])
    runs = []
    for query_id, vector in zip(query_ids, vectors, strict=True):
        dense = index.dense_search(vector, DEPTH)
        keyword = index.keyword_search(data.queries[query_id], DEPTH, None, 2.0)
        runs.append((query_id, dense, keyword))
    doc_of = index.doc_ids_of(sorted({c for _, d, k in runs for c, _ in (*d, *k)}))

    def scaled(scores: dict[str, float], transform: str) -> dict[str, float]:
        values = TRANSFORMS[transform](np.array(list(scores.values()), dtype=float))
        return dict(zip(scores, values.tolist(), strict=True))

    def score(dense_tf: str, keyword_tf: str, weight: float, fill: bool) -> float:
        """Mean nDCG@10. ``fill``: pooled chunks missing from a list get their true score
        (the dense list's floor or BM25 0 beyond depth 300); otherwise 0 after scaling."""
        total = 0.0
        for query_id, dense, keyword in runs:
            pool = list(
                dict.fromkeys([c for c, _ in dense[:POOL]] + [c for c, _ in keyword[:POOL]])
            )
            if fill:
                dense_all, keyword_all = dict(dense), dict(keyword)
                floor = min(dense_all.values())
                dense_part = {c: dense_all.get(c, floor) for c in pool}
                keyword_part = {c: keyword_all.get(c, 0.0) for c in pool}
            else:
                dense_part, keyword_part = dict(dense[:POOL]), dict(keyword[:POOL])
            d, k = scaled(dense_part, dense_tf), scaled(keyword_part, keyword_tf)
            best: dict[str, float] = {}
            for chunk_id in pool:
                value = weight * d.get(chunk_id, 0.0) + (1 - weight) * k.get(chunk_id, 0.0)
                doc = doc_of[chunk_id].removesuffix(".md")
                best[doc] = max(best.get(doc, float("-inf")), value)
            ranked = sorted(best, key=lambda doc: -best[doc])
            total += ndcg_at(ranked, data.qrels[query_id])
        return total / len(runs)

    dense_only, keyword_only = score("raw", "raw", 1.0, True), score("raw", "raw", 0.0, True)
    print(f"dense only {dense_only:.4f}, BM25 only {keyword_only:.4f}")
    print(table_head("dense", "BM25", "missing scores", "best weight", "nDCG@10"))
    variants = [
        ("min-max", "min-max", False),
        ("min-max", "min-max", True),
        ("z-score", "z-score", True),
        ("÷ max", "÷ max", True),
        ("raw", "÷ max", True),
        ("raw", "log(1+x) ÷ max", True),
    ]
    for dense_tf, keyword_tf, fill in variants:
        results = [(score(dense_tf, keyword_tf, w, fill), w) for w in WEIGHTS]
        best_score, best_weight = max(results)
        how = "true score" if fill else "0 after scaling"
        print(f"| {dense_tf} | {keyword_tf} | {how} | {best_weight} | {best_score:.4f} |")


if __name__ == "__main__":
    main()
