"""Optional cross-encoder reranking from a user-supplied local model folder.

No reranker ships with policybrief (none suitable is packaged for offline use); point
``[retrieval] reranker`` at a sentence-transformers ``CrossEncoder`` folder to enable one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from policybrief.errors import ConfigError
from policybrief.types import Passage


class Reranker:
    """Re-orders passages by a cross-encoder's score of (query, passage) pairs."""

    def __init__(self, model_dir: Path) -> None:
        if not (model_dir / "config.json").is_file():
            raise ConfigError(f"reranker {model_dir} is not a local model folder (no config.json)")
        self.model_dir = model_dir
        self._model: Any = None

    @property
    def model(self) -> Any:
        if self._model is None:
            from sentence_transformers import CrossEncoder

            self._model = CrossEncoder(str(self.model_dir), device="cpu")
        return self._model

    def scores(self, query: str, passages: Sequence[Passage]) -> list[float]:
        pairs = [(query, f"{p.document.title}\n{p.chunk.text}") for p in passages]
        return [float(s) for s in self.model.predict(pairs, show_progress_bar=False)]

    def rerank(self, query: str, passages: Sequence[Passage]) -> list[Passage]:
        if not passages:
            return []
        scored = zip(self.scores(query, passages), passages, strict=True)
        ranked = sorted(scored, key=lambda pair: -pair[0])
        return [replace(passage, score=score) for score, passage in ranked]
