"""Shared fixtures: small projects built in tmp_path, the fake embedder, and the real model."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from policybrief.api import Project
from policybrief.config import EmbeddingSettings
from policybrief.embedders import Embedder, create_embedder
from policybrief.testing import FakeEmbedder

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("POLICYBRIEF_SHARED", REPO.parent / "shared"))
SAMPLE = REPO / "corpus" / "000_2ce7d138358dc40e.txt"

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def real_embedder() -> Embedder:
    """The packaged all-MiniLM-L6-v2, loaded once per test session."""
    return create_embedder(EmbeddingSettings(), REPO)


@pytest.fixture
def fake_embedder() -> FakeEmbedder:
    return FakeEmbedder()


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Path]:
    """Build a project folder: files maps corpus-relative paths to text (or bytes)."""

    def build(files: dict[str, str | bytes] | None = None, *, sample: bool = False) -> Path:
        root = tmp_path / "project"
        corpus = root / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        (root / "briefings").mkdir(exist_ok=True)
        if sample:
            shutil.copy(SAMPLE, corpus / SAMPLE.name)
        for name, content in (files or {}).items():
            path = corpus / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root

    return build


@pytest.fixture
def fake_project(
    make_project: Callable[..., Path], fake_embedder: FakeEmbedder
) -> Callable[..., Project]:
    """A Project over a tmp folder that embeds with the counting fake."""

    def build(files: dict[str, str | bytes] | None = None, *, sample: bool = False) -> Project:
        return Project.open(make_project(files, sample=sample), embedder=fake_embedder)

    return build


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Invoke `brief` in-process against a project folder."""
    from policybrief.cli import cli

    def run(root: Path, *args: str) -> Result:
        return CliRunner().invoke(cli, ["--project", str(root), *args], catch_exceptions=False)

    return run
