"""Fakes for fast tests of the logic around the model (ours and users' alike).

``FakeEmbedder`` is deterministic and cheap: a hashed bag of words, so texts that share words
are similar. It counts what it embeds, which is how tests prove that an unchanged corpus
embeds nothing. It proves nothing about retrieval quality: tests of that use the real model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

_WORD = re.compile(r"\w+")


class FakeEmbedder:
    def __init__(self, dimension: int = 256, max_tokens: int = 256) -> None:
        self._dimension = dimension
        self._max_tokens = max_tokens
        self.calls = 0
        self.embedded: list[str] = []

    @property
    def model_id(self) -> str:
        return f"fake-bag-of-words-{self._dimension}"

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    @property
    def dimension(self) -> int:
        return self._dimension

    def count_tokens(self, text: str) -> int:
        """One token per word or punctuation mark, roughly as WordPiece would count."""
        return len(re.findall(r"\w+|[^\w\s]", text))

    def count_tokens_batch(self, texts: list[str]) -> list[int]:
        return [self.count_tokens(t) for t in texts]

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self._dimension, dtype=np.float32)
        for word in _WORD.findall(text.lower()):
            digest = hashlib.blake2b(word.encode(), digest_size=4).digest()
            vector[int.from_bytes(digest, "little") % self._dimension] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.embedded.extend(texts)
        if not texts:
            return np.zeros((0, self._dimension), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)
