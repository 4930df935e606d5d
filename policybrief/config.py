"""Settings from ``brief.toml`` with defaults that work offline.

Every section and key is a dataclass field that says what it does (``setting``) and, where it
matters, which values it allows (its choices, or the bounds of a number). Unknown keys, wrong
types and values out of bounds are refused at load, so that a typo never silently falls back to
a default or fails only when the setting is first used.
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

# The choices of settings, here (the lowest layer) so that every module and flag shares them.
MODES = ("dense", "keyword", "hybrid")
POLICIES = ("drop", "flag", "fail")
LLM_BACKENDS = ("ollama", "openai", "gguf")
BACKENDS = ("extractive", *LLM_BACKENDS)


def setting(
    default: Any,
    help: str,
    *,
    choices: tuple[str, ...] | None = None,
    minimum: float | None = None,
    maximum: float | None = None,
    above: float | None = None,
    below: str | None = None,
) -> Any:
    """A settings field with the description that `brief init` writes into brief.toml.

    ``choices`` lists the values allowed; ``minimum`` and ``maximum`` bound a number inclusively,
    ``above`` exclusively; ``below`` names a field of the same section the number must stay under.
    """
    limits: dict[str, object] = {"choices": choices, "minimum": minimum, "maximum": maximum}
    limits |= {"above": above, "below": below}
    metadata = {"help": help, **{k: v for k, v in limits.items() if v is not None}}
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class PathSettings:
    corpus: str = setting("corpus", "folder of source documents the index mirrors")
    briefings: str = setting("briefings", "one folder per briefing: spec.yaml and its outputs")
    templates: str = setting("templates", "project templates; they override shipped ones")
    index: str = setting(".policybrief", "index state: Chroma store and catalog (not in git)")


@dataclass(frozen=True)
class IngestSettings:
    max_file_mb: float = setting(
        20.0, "larger files are skipped (with a reason), not indexed", above=0.0
    )
    follow_symlinks: bool = setting(
        False, "index files that symlinks in the corpus point to outside it"
    )


@dataclass(frozen=True)
class ChromaSettings:
    url: str = setting(
        "", "a Chroma server (http://host:port); empty: an embedded store in the index folder"
    )
    collection: str = setting(
        "", "collection name; empty: derived from the model (and, on a server, the project)"
    )


@dataclass(frozen=True)
class EmbeddingSettings:
    model: str = setting(
        PACKAGED_MODEL,
        "the packaged model, or a local sentence-transformers folder (never downloaded)",
    )
    batch_size: int = setting(32, "texts per forward pass of the model", minimum=1)
    onnx: bool = setting(True, "answer questions with an ONNX export of the model (fast start)")


@dataclass(frozen=True)
class ChunkingSettings:
    max_tokens: int = setting(
        200, "passage tokens per chunk (never above the model's limit, title counted)", minimum=1
    )
    overlap_tokens: int = setting(
        40, "at most this many tokens of whole sentences repeat", minimum=0, below="max_tokens"
    )


@dataclass(frozen=True)
class RetrievalSettings:
    mode: str = setting("hybrid", "dense | keyword (BM25) | hybrid (both, fused)", choices=MODES)
    top_k: int = setting(8, "passages retrieved per question", minimum=1)
    candidates: int = setting(100, "chunks pooled from each ranking before fusion", minimum=1)
    dense_weight: float = setting(
        0.7, "cosine against scaled BM25 in the hybrid blend", minimum=0.0, maximum=1.0
    )
    title_weight: float = setting(
        2.0, "BM25 weight of a document's title against its text", minimum=0.0
    )
    reranker: str = setting("", 'a local CrossEncoder folder, or "" for none')
    rerank_top: int = setting(30, "fused candidates the reranker re-orders", minimum=1)
    min_score: float = setting(
        0.20, "passages less similar (cosine) are not considered", minimum=-1.0, maximum=1.0
    )


@dataclass(frozen=True)
class GenerationSettings:
    backend: str = setting(
        "extractive",
        "extractive (offline, quotes sources) | ollama | openai | gguf",
        choices=BACKENDS,
    )
    model: str = setting("", "LLM model name on the server (ollama, openai)")
    base_url: str = setting("", "LLM server URL (ollama default: http://127.0.0.1:11434)")
    api_key_env: str = setting("OPENAI_API_KEY", "environment variable holding an API key")
    model_path: str = setting("", "the .gguf model file (gguf backend)")
    timeout: float = setting(60.0, "seconds before a section falls back to extractive", above=0.0)
    temperature: float = setting(0.0, "LLM sampling temperature", minimum=0.0, maximum=2.0)
    max_output_tokens: int = setting(700, "LLM reply length limit", minimum=1)
    max_statements: int = setting(4, "statements per answer (sections set their own)", minimum=1)
    min_sentence_score: float = setting(
        0.40,
        "extractive: least cosine between a question and a quoted sentence",
        minimum=-1.0,
        maximum=1.0,
    )
    relative_sentence_score: float = setting(
        0.65,
        "extractive: a question's further statements score at least this share of its best",
        minimum=0.0,
        maximum=1.0,
    )


@dataclass(frozen=True)
class VerificationSettings:
    policy: str = setting(
        "drop", "unsupported statements: drop | flag (shown, marked) | fail", choices=POLICIES
    )
    min_support: float = setting(
        0.7,
        "least cosine to the best supporting sentence(s); see BENCHMARKS.md",
        minimum=-1.0,
        maximum=1.0,
    )
    min_coverage: float = setting(
        0.5, "least share of content words found in cited passages", minimum=0.0, maximum=1.0
    )


@dataclass(frozen=True)
class Settings:
    paths: PathSettings = field(default_factory=PathSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)
    chroma: ChromaSettings = field(default_factory=ChromaSettings)
    embedding: EmbeddingSettings = field(default_factory=EmbeddingSettings)
    chunking: ChunkingSettings = field(default_factory=ChunkingSettings)
    retrieval: RetrievalSettings = field(default_factory=RetrievalSettings)
    generation: GenerationSettings = field(default_factory=GenerationSettings)
    verification: VerificationSettings = field(default_factory=VerificationSettings)


def commented_toml(settings: Settings | None = None) -> str:
    """brief.toml with every setting, its value and what it does (for `brief init`)."""
    settings = settings or Settings()
    lines = [
        "# policybrief settings. Every key is optional: the values shown are the defaults.",
        "# Unknown keys are refused, so a typo is an error rather than a silent default.",
    ]
    for section in dataclasses.fields(settings):
        values = getattr(settings, section.name)
        lines += ["", f"[{section.name}]"]
        for item in dataclasses.fields(values):
            value = getattr(values, item.name)
            rendered = f'"{value}"' if isinstance(value, str) else str(value).lower()
            if isinstance(value, float):
                rendered = repr(value)
            lines.append(f"{item.name} = {rendered}".ljust(34) + f"# {item.metadata['help']}")
    return "\n".join(lines) + "\n"


T = TypeVar("T")


def _bound(number: float) -> str:
    return f"{number:g}" if isinstance(number, float) else str(number)


def _out_of_bounds(item: dataclasses.Field[Any], value: Any, section: dict[str, Any]) -> str:
    """What the field's metadata allows, if ``value`` is not allowed; else ""."""
    limits = item.metadata
    choices = limits.get("choices")
    if choices is not None and value not in choices:
        return f"use {', '.join(choices[:-1])} or {choices[-1]}"
    low, high, above = limits.get("minimum"), limits.get("maximum"), limits.get("above")
    # Written as "not (bound <= value)" so that a NaN is out of every bound.
    if low is not None and high is not None and not low <= value <= high:
        return f"must be between {_bound(low)} and {_bound(high)}"
    if low is not None and not low <= value:
        return f"must be at least {_bound(low)}"
    if high is not None and not value <= high:
        return f"must be at most {_bound(high)}"
    if above is not None and not value > above:
        return f"must be above {_bound(above)}"
    other = limits.get("below")
    if other is not None and not value < section[other]:
        return f"must be below {other} ({section[other]!r})"
    return ""


def _build(cls: type[T], data: dict[str, Any], source: str, section: str = "") -> T:
    """Instantiate a settings dataclass from a dict, refusing unknown keys, wrong types and
    values outside a field's choices or bounds (each as one line naming key, value and rule)."""
    where = f"{source}.{section}" if section else source
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
            values[name] = _build(type(default), value, source, f"{section}.{name}".lstrip("."))
            continue
        expected = type(default)
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or isinstance(value, bool) != (expected is bool):
            raise ConfigError(
                f"{where}.{name} must be {expected.__name__}, got {type(value).__name__}"
            )
        values[name] = value
    built = cls(**values)
    current = dataclasses.asdict(built)  # type: ignore[call-overload]
    for name, item in known.items():
        value = getattr(built, name)
        if dataclasses.is_dataclass(value):
            continue
        allowed = _out_of_bounds(item, value, current)
        if allowed:
            raise ConfigError(f"{source}: [{section}] {name} = {value!r}: {allowed}")
    return built


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
