"""Run a sync and kill it with SIGKILL at a chosen point (used by tests/test_reliability.py).

    python tests/crash_driver.py PROJECT POINT N

POINT: "embed" (after N embedding batches), "publish" (all vectors stored, before the catalog
publishes), "delete" (after publishing, before stale vectors are deleted). The embedder is the
fast fake: what is under test is the index's bookkeeping, not the model.
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import policybrief.index
from policybrief.api import Project
from policybrief.testing import FakeEmbedder

# Small batches, so that the test corpus's first sync takes more than one and can die between.
policybrief.index.EMBED_BATCH = 256


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


class KillingEmbedder(FakeEmbedder):
    def __init__(self, after: int) -> None:
        super().__init__()
        self.after = after

    def embed_documents(self, texts: Any) -> Any:
        if self.calls >= self.after:
            die()
        return super().embed_documents(texts)


def main() -> None:
    root, point, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    embedder = KillingEmbedder(count) if point == "embed" else FakeEmbedder()
    project = Project.open(root, embedder=embedder)
    index = project.index
    if point == "publish":
        index.catalog.publish = lambda *args, **kwargs: die()  # type: ignore[method-assign]
    if point == "delete":
        index.store.delete = lambda *args, **kwargs: die()  # type: ignore[method-assign]
    project.ingest()
    print("finished without being killed")


if __name__ == "__main__":
    main()
