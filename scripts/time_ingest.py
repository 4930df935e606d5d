"""A new project's first `brief ingest`, and one edited document's: this tree against an
earlier one, in the same run.

    .venv/bin/python scripts/time_ingest.py [--baseline REV] [--documents 600] [--repeats 3]

Each tree (the baseline exported with `git archive`, run by the same interpreter through
PYTHONPATH) gets its own project of ``--documents`` SciFact abstracts as Markdown. A first
ingest is timed with no index folder at all (so it also loads PyTorch once and writes the ONNX
export, as a user's first ingest does), and a sync after one document changed, in fresh
processes, alternating between the trees; medians are printed with their ratio, and the size
of the index folder.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchkit import REPO, brief_in, export_revision, scifact_records, table_head, write_markdown


def folder_mb(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="HEAD~1", help="git revision to compare against")
    parser.add_argument("--documents", type=int, default=600)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    records = list(scifact_records())[: args.documents]
    times: dict[tuple[str, str], list[float]] = {}
    sizes: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        trees = {"baseline": export_revision(args.baseline, Path(tmp) / "base"), "now": REPO}
        roots = {name: Path(tmp) / f"p-{name}" for name in trees}
        for root in roots.values():
            write_markdown(root / "corpus", records)
        for repeat in range(args.repeats):
            for name, tree in trees.items():
                root = roots[name]
                shutil.rmtree(root / ".policybrief", ignore_errors=True)
                times.setdefault((name, "first"), []).append(brief_in(tree, root, "ingest"))
                edited = root / "corpus" / f"{records[0]['_id']}.md"
                edited.write_text(
                    edited.read_text("utf-8") + f"\nA sentence added in run {repeat}.\n", "utf-8"
                )
                times.setdefault((name, "edit"), []).append(brief_in(tree, root, "ingest"))
                sizes[name] = folder_mb(root / ".policybrief")
    print(f"{args.documents} SciFact abstracts, median of {args.repeats}\n")
    print(table_head("`brief ingest`", f"baseline {args.baseline} (s)", "this tree (s)", "ratio"))
    for kind, label in (("first", "first, new project"), ("edit", "one document edited")):
        base = statistics.median(times[("baseline", kind)])
        now = statistics.median(times[("now", kind)])
        print(f"| {label} | {base:.1f} | {now:.1f} | {now / base:.2f} |")
    print(
        f"| index folder (MB) | {sizes['baseline']:.0f} | {sizes['now']:.0f} | "
        f"{sizes['now'] / sizes['baseline']:.2f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
