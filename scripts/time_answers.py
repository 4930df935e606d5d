"""Cold `brief ask` and `brief generate` on the demo corpus: this tree against an earlier one.

    .venv/bin/python scripts/time_answers.py [--baseline REV] [--repeats 7]

The baseline revision is exported with `git archive` into a temporary folder and run by the
same interpreter (PYTHONPATH first), so both trees share the venv, the model and the machine in
the same run. Each tree gets its own copy of the demo project, indexed once; then the two are
timed alternately, a fresh `brief` process per measurement, and the medians are printed with
their ratio (this tree / baseline).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchkit import REPO, brief_in, export_revision, table_head

QUESTION = "How much is Alibaba investing in AI infrastructure?"


def project(tree: Path, root: Path) -> Path:
    shutil.copytree(tree / "corpus", root / "corpus")
    spec = root / "briefings" / "ai-independence"
    spec.mkdir(parents=True)
    shutil.copy(tree / "briefings" / "ai-independence" / "spec.yaml", spec / "spec.yaml")
    return root


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="HEAD~1", help="git revision to compare against")
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"baseline": export_revision(args.baseline, Path(tmp) / "base"), "this tree": REPO}
        roots = {
            name: project(tree, Path(tmp) / f"p-{i}")
            for i, (name, tree) in enumerate(trees.items())
        }
        for name, tree in trees.items():
            brief_in(tree, roots[name], "ingest")
            brief_in(tree, roots[name], "generate", "ai-independence")  # the first run writes
        times: dict[tuple[str, str], list[float]] = {}
        for _ in range(args.repeats):
            for name, tree in trees.items():
                times.setdefault((name, "ask"), []).append(
                    brief_in(tree, roots[name], "ask", QUESTION)
                )
                times.setdefault((name, "generate"), []).append(
                    brief_in(tree, roots[name], "generate", "ai-independence")
                )
    print(table_head("command", f"baseline {args.baseline} (s)", "this tree (s)", "ratio"))
    for command in ("ask", "generate"):
        base = statistics.median(times[("baseline", command)])
        now = statistics.median(times[("this tree", command)])
        print(f"| cold `brief {command}` | {base:.2f} | {now:.2f} | {now / base:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
