"""The labelled set behind the verifier benchmark stays usable (scripts/bench_verifier.py)."""

from __future__ import annotations

import json
from collections import Counter

from tests.conftest import REPO, SHARED

DATA = REPO / "scripts" / "data" / "verifier_statements.jsonl"


def test_the_labelled_set_is_large_enough_and_resolvable() -> None:
    rows = [json.loads(line) for line in DATA.read_text("utf-8").splitlines()]
    labels = Counter(row["label"] for row in rows)
    assert len(rows) >= 60
    assert set(labels) == {"supported", "unsupported", "altered"} and min(labels.values()) >= 20
    scifact_ids = {
        json.loads(line)["_id"]
        for line in (SHARED / "eval" / "scifact" / "corpus.jsonl").open(encoding="utf-8")
    }
    for row in rows:
        kind, _, name = row["source"].partition(":")
        if kind == "corpus":
            assert (REPO / "corpus" / name).is_file()
        elif kind == "dev":
            assert (SHARED / "corpus-dev" / name).is_file()
        else:
            assert kind == "scifact" and name in scifact_ids
