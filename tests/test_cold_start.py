"""Cold start: cheap commands stay cheap, and a question is embedded without torch.

The import checks run `brief` in a fresh interpreter, where nothing is loaded yet; the ONNX
checks compare the export with the real packaged PyTorch model.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import Result

from policybrief.embedders import Embedder, SentenceTransformerEmbedder
from policybrief.onnx_encoder import OnnxEncoder, export

HEAVY = ("torch", "sentence_transformers", "transformers", "chromadb")
PROBE = """
import sys
from policybrief.cli import cli
try:
    cli(sys.argv[1:], standalone_mode=False)
finally:
    heavy = [name for name in {heavy!r} if name in sys.modules]
    print("HEAVY=" + ",".join(heavy), file=sys.stderr)
"""
QUESTION = "How much is Alibaba investing in AI infrastructure?"


def fresh_brief(root: Path, *args: str) -> tuple[str, set[str]]:
    """stdout of `brief ARGS` in a new interpreter, and the heavy modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), "--project", str(root), *args],
        capture_output=True,
        text=True,
        check=True,
    )
    line = done.stderr.strip().splitlines()[-1]
    assert line.startswith("HEAVY="), done.stderr
    return done.stdout, {name for name in line.removeprefix("HEAVY=").split(",") if name}


@pytest.fixture(scope="module")
def indexed_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus after one real `brief ingest` (which also writes the ONNX export)."""
    from click.testing import CliRunner

    from policybrief.cli import cli
    from tests.conftest import SAMPLE

    root = tmp_path_factory.mktemp("cold")
    (root / "corpus").mkdir()
    (root / "corpus" / SAMPLE.name).write_bytes(SAMPLE.read_bytes())
    result: Result = CliRunner().invoke(cli, ["--project", str(root), "ingest"])
    assert result.exit_code == 0, result.output
    return root


@pytest.mark.parametrize("args", [["--help"], ["status"], ["ingest"]])
def test_help_status_and_a_no_op_ingest_import_neither_torch_nor_chromadb(
    indexed_sample: Path, args: list[str]
) -> None:
    _, heavy = fresh_brief(indexed_sample, *args)
    assert heavy == set()


def test_a_question_is_answered_without_importing_torch(indexed_sample: Path) -> None:
    assert list((indexed_sample / ".policybrief" / "models").glob("*.onnx"))
    answer, heavy = fresh_brief(indexed_sample, "ask", QUESTION)
    assert "[1]" in answer and "52.7" in answer
    assert heavy == {"chromadb"}


def test_the_onnx_export_embeds_as_the_pytorch_model_does(
    real_embedder: Embedder, tmp_path: Path
) -> None:
    assert isinstance(real_embedder, SentenceTransformerEmbedder)
    export(real_embedder.model[0].auto_model, tmp_path / "model.onnx")
    encoder = OnnxEncoder(tmp_path / "model.onnx", real_embedder.path, real_embedder.max_tokens)
    sample = Path(__file__).resolve().parents[1] / "corpus"
    article = next(sample.iterdir()).read_text("utf-8")
    # Short and long (truncated at 256 tokens) texts, more than one ONNX batch, mixed lengths.
    texts = [QUESTION, "Nvidia H20", article[:3000]] + [article[i : i + 200] for i in range(40)]
    expected = real_embedder.model.encode(texts, normalize_embeddings=True)
    assert np.abs(encoder.encode(texts) - expected).max() < 1e-5


@pytest.mark.parametrize("broken", ["the export fails", "the export is unreadable"])
def test_without_a_usable_export_questions_are_embedded_by_pytorch(
    real_embedder: Embedder,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broken: str,
) -> None:
    assert isinstance(real_embedder, SentenceTransformerEmbedder)
    onnx_file = tmp_path / "model.onnx"
    if broken == "the export fails":

        def fail(*_: object) -> None:
            raise RuntimeError("no onnx here")

        monkeypatch.setattr("policybrief.embedders.export", fail)
        embedder = SentenceTransformerEmbedder(real_embedder.path, "m", onnx_file=onnx_file)
        assert embedder.model is not None  # loading it is when the export is attempted
    else:
        onnx_file.write_bytes(b"not a model")
        embedder = SentenceTransformerEmbedder(real_embedder.path, "m", onnx_file=onnx_file)
    vector = embedder.embed_query(QUESTION)
    assert embedder.onnx_file is None
    assert np.allclose(vector, real_embedder.embed_query(QUESTION), atol=1e-6)
