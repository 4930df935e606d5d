"""Warm `brief serve` against cold `brief ask` on 5,000 SciFact abstracts, and a load test
(issue 15, point 4).

    .venv/bin/python scripts/bench_serve.py [--workdir DIR] [--questions 100] [--cold 5]

The project (the first 5,000 SciFact abstracts as Markdown) is built once in the work folder;
the first ingest embeds for several minutes. In one run:

- cold: `brief ask` in a fresh process, median of ``--cold`` runs, each a question not asked
  before (what a user at the terminal waits for);
- warm: the same service the CLI starts (uvicorn on 127.0.0.1), one client asking
  ``--questions`` SciFact queries it has not seen, p50 and p95 of the request's wall time;
- load: 200 asks from 8 concurrent clients (the queries again, now with cached vectors),
  counting errors, and the service's resident memory after a warm-up and after the load;
- a long run: ``--long`` more asks from 4 clients, each a question not asked before (the
  titles of the corpus's abstracts), with the resident memory after each quarter of it, to
  show whether it levels off.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchkit import SHARED, brief_command, scifact_records, table_head, wall_time, write_markdown

DOCUMENTS = 5000
LOAD_ASKS = 200
LOAD_CLIENTS = 8


def project(work: Path) -> Path:
    """The project, built or brought up to date (an older index format is rebuilt)."""
    root = work / f"serve-{DOCUMENTS}"
    if not (root / "corpus").is_dir():
        write_markdown(root / "corpus", list(scifact_records())[:DOCUMENTS])
        (root / "brief.toml").write_text("", encoding="utf-8")
    started = time.perf_counter()
    wall_time(brief_command(root, "-q", "ingest"))
    print(f"(ingest: {time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return root


def rss_mb() -> float:
    """This process's resident memory, in MB (the service runs in it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workdir", type=Path, default=Path.home() / ".cache" / "policybrief-bench"
    )
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--long", type=int, default=2000)
    args = parser.parse_args()
    root = project(args.workdir)
    queries = [
        json.loads(line)["text"]
        for line in (SHARED / "eval" / "scifact" / "queries.jsonl").open(encoding="utf-8")
    ]
    cold_questions, warm_questions = queries[-args.cold :], queries[: args.questions]

    cold = [wall_time(brief_command(root, "-q", "ask", q, "--json")) for q in cold_questions]

    import logging

    import httpx

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request otherwise

    from policybrief.api import Project
    from policybrief.serving import access_for, create_app, open_service, running

    service = open_service(Project.open(root))
    service.reader.embedder.embed_query("warm up")
    with running(create_app(service, access_for("127.0.0.1"))) as base:
        url = base + "/api/ask"

        def ask(client: httpx.Client, question: str) -> tuple[float, int]:
            started = time.perf_counter()
            status = client.post(url, json={"question": question}, timeout=120).status_code
            return (time.perf_counter() - started) * 1000, status

        with httpx.Client() as client:
            ask(client, "warm up the service")
            warm = [ask(client, q) for q in warm_questions]
        memory_before = rss_mb()

        def one_client(questions: list[str]) -> list[tuple[float, int]]:
            with httpx.Client() as client:
                return [ask(client, q) for q in questions]

        per_client = LOAD_ASKS // LOAD_CLIENTS
        batches = [
            [warm_questions[(c * per_client + i) % len(warm_questions)] for i in range(per_client)]
            for c in range(LOAD_CLIENTS)
        ]
        started = time.perf_counter()
        with ThreadPoolExecutor(LOAD_CLIENTS) as pool:
            loaded = [r for batch in pool.map(one_client, batches) for r in batch]
        load_seconds = time.perf_counter() - started
        memory_after = rss_mb()
        memory_long: list[float] = []
        long_run: list[tuple[float, int]] = []
        titles = [r["title"] for r in scifact_records()][: args.long]  # (all new questions)
        for quarter in range(4):
            asked = titles[quarter * len(titles) // 4 : (quarter + 1) * len(titles) // 4]
            with ThreadPoolExecutor(4) as pool:
                long_run += [
                    r
                    for batch in pool.map(one_client, [asked[c::4] for c in range(4)])
                    for r in batch
                ]
            memory_long.append(rss_mb())
    service.close()

    warm_ms = [ms for ms, _ in warm]
    cold_ms = statistics.median(cold) * 1000
    p50 = percentile(warm_ms, 0.5)
    print(f"# `brief serve`, {time.strftime('%Y-%m-%d')}, {DOCUMENTS:,} SciFact abstracts\n")
    print(table_head("measure", "value"))
    print(f"| cold `brief ask` (fresh process, median of {len(cold)}) | {cold_ms:.0f} ms |")
    print(f"| warm ask through the API, p50 ({len(warm_ms)} new questions) | {p50:.0f} ms |")
    print(f"| warm ask through the API, p95 | {percentile(warm_ms, 0.95):.0f} ms |")
    print(f"| cold / warm p50 | {cold_ms / p50:.1f}× |")
    errors = sum(status != 200 for _, status in [*warm, *loaded, *long_run])
    print(
        f"| load: {len(loaded)} asks from {LOAD_CLIENTS} clients | {load_seconds:.1f} s, "
        f"p50 {percentile([ms for ms, _ in loaded], 0.5):.0f} ms, "
        f"p95 {percentile([ms for ms, _ in loaded], 0.95):.0f} ms |"
    )
    print(f"| errors (warm, load and long run) | {errors} |")
    memory = f"{memory_before:.0f} → {memory_after:.0f} MB"
    print(f"| service memory after warm-up → after load | {memory} |")
    steps = " → ".join(f"{m:.0f}" for m in memory_long)
    print(f"| memory after each quarter of {args.long} more asks (4 clients) | {steps} MB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
