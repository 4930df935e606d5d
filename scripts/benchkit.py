"""What the benchmark scripts share: timing `brief` in a fresh process, SciFact as Markdown,
Markdown table heads, and judging a labelled statement with the verifier's rules.

Not a script: the others import it (`from benchkit import ...`), as they import each other.
It imports only the standard library and ``policybrief.types`` when loaded, so that a script
timing other processes stays light; the verifier and numpy are imported where they are used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from policybrief.types import Chunk, Citation, Statement

if TYPE_CHECKING:
    import numpy as np

    from policybrief.citations import Verifier
    from policybrief.embedders import Embedder

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def export_revision(revision: str, target: Path) -> Path:
    """The files of a git revision of this repository, written to ``target`` (for timing an
    earlier tree with ``PYTHONPATH``, against this one, in the same run)."""
    import io
    import tarfile

    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", revision], check=True, capture_output=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def brief_in(tree: Path, project: Path, *args: str) -> float:
    """Seconds `brief ARGS...` takes in a new process, run from the package of ``tree``.

    The process starts in ``tree``: ``python -m`` puts its working folder before PYTHONPATH,
    so started anywhere in this checkout it would import this checkout's package instead.
    """
    env = {**os.environ, "PYTHONPATH": str(tree), "HF_HUB_OFFLINE": "1"}
    return wall_time(brief_command(project, *args), env=env, cwd=tree)


def brief_command(project: Path, *args: str) -> list[str]:
    """The command line of `brief --project PROJECT ARGS...`, run by this interpreter."""
    return [sys.executable, "-m", "policybrief", "--project", str(project), *args]


def wall_time(
    args: list[str], env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> float:
    """Seconds a command takes in a new process (its output captured; raises if it fails)."""
    started = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True, env=env, cwd=cwd)
    return time.perf_counter() - started


def wall_time_and_peak_rss(args: list[str]) -> tuple[float, float]:
    """(seconds, peak RSS in MB) of a command in a new process."""
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{args} failed: {process.stderr.read().decode()[-500:]}")  # type: ignore[union-attr]
    return seconds, usage.ru_maxrss / 1024


def scifact_records(shared: Path = SHARED) -> Iterator[dict[str, Any]]:
    """SciFact's abstracts (``_id``, ``title``, ``text``, …), in the order of its corpus.jsonl."""
    with (shared / "eval" / "scifact" / "corpus.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def write_markdown(corpus: Path, records: Iterable[dict[str, Any]], suffix: str = "") -> None:
    """Each record as ``corpus/<_id><suffix>.md``: its title in front matter, then its text."""
    corpus.mkdir(parents=True, exist_ok=True)
    for record in records:
        body = f"---\ntitle: {json.dumps(record['title'])}\n---\n{record['text']}\n"
        (corpus / f"{record['_id']}{suffix}.md").write_text(body, encoding="utf-8")


def table_head(*columns: str) -> str:
    """A Markdown table's header row and the rule under it (two lines, no final newline)."""
    return "| " + " | ".join(columns) + " |\n" + "|---" * len(columns) + "|"


def default_verifier(embedder: Embedder) -> Verifier:
    """The citation verifier with the project's default thresholds."""
    from policybrief.citations import Verifier
    from policybrief.config import VerificationSettings

    settings = VerificationSettings()
    return Verifier(embedder, settings.min_support, settings.min_coverage)


def flagged_by(verifier: Verifier, statement: str, cited: Sequence[Chunk]) -> tuple[bool, str]:
    """Whether the verifier calls ``statement``, citing all of ``cited``, unsupported; and why."""
    citing = Statement(
        statement, tuple(Citation(c.chunk_id, c.doc_id, c.start, c.end, c.page) for c in cited)
    )
    verdict = verifier.verify(citing, {c.chunk_id: c for c in cited}).verdict
    return not (verdict and verdict.supported), verdict.reason if verdict else ""


def case_masks(cases: Sequence[Any]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Over ``bench_meaning``'s cases: which change the meaning, which are SciFact claims and
    which are in the calibration half."""
    import numpy as np

    return (
        np.array([case.changed for case in cases]),
        np.array([case.doc.startswith("scifact:") for case in cases]),
        np.array([case.half == "calibration" for case in cases]),
    )


def by_set_and_half(scifact: np.ndarray, calibration: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """("written, calibration", its cases), … : the four rows of a table, in order."""
    return [
        (f"{name}, {half}", group & members)
        for name, group in (("written", ~scifact), ("SciFact", scifact))
        for half, members in (("calibration", calibration), ("held-out", ~calibration))
    ]
