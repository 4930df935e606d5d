"""Settings from ``brief.toml`` with defaults that work offline.

Every section and key is a dataclass field with a comment saying what it does; unknown keys are
refused so that a typo never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from policybrief.errors import ConfigError

CONFIG_FILE = "brief.toml"
PACKAGED_MODEL = "all-MiniLM-L6-v2"


@dataclass(frozen=True)
class PathSettings:
    corpus: str = "corpus"  # folder of source documents the index mirrors
    briefings: str = "briefings"  # one folder per briefing: spec.yaml and its outputs
    templates: str = "templates"  # project templates; they override the shipped ones
    index: str = ".policybrief"  # index state: Chroma store, manifest (keep out of git)


@dataclass(frozen=True)
class EmbeddingSettings:
    # "all-MiniLM-L6-v2" is the model packaged with policybrief; anything else is read as
    # a local sentence-transformers model directory (relative to the project).
    model: str = PACKAGED_MODEL
    batch_size: int = 32


@dataclass(frozen=True)
class ChunkingSettings:
    # Chunks never exceed the model's own token limit; these bound them further.
    max_tokens: int = 200  # tokens of passage text per chunk (title prefix counted separately)
    overlap_tokens: int = 40  # at most this many tokens of whole sentences repeat between chunks


@dataclass(frozen=True)
class RetrievalSettings:
    mode: str = "hybrid"  # "dense", "keyword" (BM25) or "hybrid" (both, fused)
    top_k: int = 8  # passages retrieved per question
    candidates: int = 100  # chunks taken from each ranking before fusion
    dense_weight: float = 0.7  # weight of cosine similarity against scaled BM25 (hybrid)
    title_weight: float = 2.0  # BM25 weight of a document's title against its text
    # Optional cross-encoder: a local sentence-transformers CrossEncoder folder ("" = none).
    reranker: str = ""
    rerank_top: int = 30  # fused candidates the reranker re-orders
    # Cosine similarity below which a passage is not even considered (sentences are then
    # held to generation.min_sentence_score).
    min_score: float = 0.20


@dataclass(frozen=True)
class GenerationSettings:
    # "extractive" (offline default: quotes sentences from the passages), or an opt-in LLM:
    # "ollama", "openai" (any OpenAI-compatible server) or "gguf" (a local model file).
    backend: str = "extractive"
    model: str = ""  # model name on the server (ollama, openai)
    base_url: str = ""  # server URL; ollama defaults to http://127.0.0.1:11434
    api_key_env: str = "OPENAI_API_KEY"  # environment variable holding the API key, if any
    model_path: str = ""  # the .gguf file (gguf backend)
    timeout: float = 60.0  # seconds to wait on the server before falling back to extractive
    temperature: float = 0.0
    max_output_tokens: int = 700
    max_statements: int = 4  # statements per answer (sections set their own)
    # Minimum cosine similarity between a question and a sentence quoted in answer to it,
    # and the share of the best sentence's similarity that any other quoted sentence needs.
    min_sentence_score: float = 0.40
    relative_sentence_score: float = 0.75


@dataclass(frozen=True)
class VerificationSettings:
    # What happens to a statement its cited passage does not support: "drop" it, "flag" it
    # visibly in the output, or "fail" the command.
    policy: str = "drop"
    # Least cosine similarity between a statement and the best sentence (or sentence pair) of
    # a cited passage, and least share of its content words found in the cited passages;
    # both chosen on a labelled set (scripts/bench_verifier.py, BENCHMARKS.md).
    min_support: float = 0.7
    min_coverage: float = 0.5


@dataclass(frozen=True)
class Settings:
    paths: PathSettings = field(default_factory=PathSettings)
    embedding: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    verification: VerificationSettings = field(default_factory=VerificationSettings)


T = TypeVar("T")


def _build(cls: type[T], data: dict[str, Any], where: str) -> T:
    """Instantiate a settings dataclass from a dict, refusing unknown keys and wrong types."""
    known = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(data) - set(known))
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting(s) {', '.join(unknown)}; valid: {', '.join(sorted(known))}"
        )
    values: dict[str, Any] = {}
    for name, value in data.items():
        default = getattr(cls(), name)
        if dataclasses.is_dataclass(default):
            if not isinstance(value, dict):
                raise ConfigError(f"{where}.{name} must be a table")
            values[name] = _build(type(default), value, f"{where}.{name}")
            continue
        expected = type(default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            raise ConfigError(
                f"{where}.{name} must be {expected.__name__}, got {type(value).__name__}"
            )
        values[name] = value
    return cls(**values)


def with_overrides(settings: Settings, overrides: dict[str, dict[str, Any]]) -> Settings:
    """Settings with some values replaced (from command-line flags), checked like brief.toml."""
    merged = dataclasses.asdict(settings)
    for section, values in overrides.items():
        merged.setdefault(section, {}).update({k: v for k, v in values.items() if v is not None})
    return _build(Settings, merged, "command line")


def load_settings(project_root: Path) -> Settings:
    """Read ``brief.toml`` from the project root; defaults apply when it is absent."""
    path = project_root / CONFIG_FILE
    if not path.is_file():
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    return _build(Settings, data, CONFIG_FILE)


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` holding brief.toml, else ``start`` itself."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    return start
