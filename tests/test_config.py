from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from policybrief.config import (
    BACKENDS,
    LLM_BACKENDS,
    MODES,
    POLICIES,
    Settings,
    commented_toml,
    find_project_root,
    load_settings,
    with_overrides,
)
from policybrief.errors import ConfigError


def write_config(root: Path, text: str) -> Path:
    (root / "brief.toml").write_text(text, encoding="utf-8")
    return root


def refused_with(root: Path, text: str, message: str) -> None:
    """Loading ``text`` as brief.toml fails with exactly ``message``."""
    write_config(root, text)
    with pytest.raises(ConfigError) as error:
        load_settings(root)
    assert str(error.value) == message


def test_defaults_apply_without_a_config_file(tmp_path: Path) -> None:
    assert load_settings(tmp_path) == Settings()


def test_settings_are_read_from_brief_toml(tmp_path: Path) -> None:
    write_config(tmp_path, '[retrieval]\ntop_k = 5\nmin_score = 0\n[paths]\ncorpus = "docs"\n')
    settings = load_settings(tmp_path)
    assert settings.retrieval.top_k == 5
    assert settings.retrieval.min_score == 0.0
    assert settings.paths.corpus == "docs"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[retrieval]\ntopk = 5\n", "unknown setting(s) topk"),
        ("[retreival]\ntop_k = 5\n", "unknown setting(s) retreival"),
        ('[retrieval]\ntop_k = "five"\n', "retrieval.top_k must be int"),
        ("[retrieval]\ntop_k = true\n", "retrieval.top_k must be int"),
        ("retrieval = 3\n", "retrieval must be a table"),
        ("[retrieval\n", "brief.toml"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(
    tmp_path: Path, text: str, message: str
) -> None:
    write_config(tmp_path, text)
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings(tmp_path)


def test_project_root_is_the_nearest_folder_with_brief_toml(tmp_path: Path) -> None:
    write_config(tmp_path, "")
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    assert find_project_root(nested) == tmp_path.resolve()
    assert find_project_root(tmp_path.parent) == tmp_path.parent.resolve()


def test_every_numeric_setting_declares_its_bounds() -> None:
    for section in dataclasses.fields(Settings):
        for item in dataclasses.fields(getattr(Settings(), section.name)):
            if item.type in ("int", "float"):
                assert {"minimum", "maximum", "above"} & set(item.metadata), item.name


def test_every_default_passes_its_own_checks(tmp_path: Path) -> None:
    write_config(tmp_path, commented_toml())  # what `brief init` writes: every default
    assert load_settings(tmp_path) == Settings()
    assert with_overrides(Settings(), dataclasses.asdict(Settings())) == Settings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[retrieval]\nmode = 'fuzzy'\n",
            "brief.toml: [retrieval] mode = 'fuzzy': use dense, keyword or hybrid",
        ),
        (
            "[generation]\nbackend = 'gpt'\n",
            "brief.toml: [generation] backend = 'gpt': use extractive, ollama, openai or gguf",
        ),
        (
            "[verification]\npolicy = 'warn'\n",
            "brief.toml: [verification] policy = 'warn': use drop, flag or fail",
        ),
    ],
)
def test_a_setting_outside_its_choices_is_one_line_naming_the_choices(
    tmp_path: Path, text: str, message: str
) -> None:
    refused_with(tmp_path, text, message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[retrieval]\ntop_k = 0\n", "brief.toml: [retrieval] top_k = 0: must be at least 1"),
        (
            "[retrieval]\ndense_weight = 1.5\n",
            "brief.toml: [retrieval] dense_weight = 1.5: must be between 0 and 1",
        ),
        (
            "[retrieval]\nmin_score = nan\n",
            "brief.toml: [retrieval] min_score = nan: must be between -1 and 1",
        ),
        ("[ingest]\nmax_file_mb = 0\n", "brief.toml: [ingest] max_file_mb = 0.0: must be above 0"),
        (
            "[generation]\ntemperature = 2.5\n",
            "brief.toml: [generation] temperature = 2.5: must be between 0 and 2",
        ),
        (
            "[chunking]\nmax_tokens = 100\noverlap_tokens = 100\n",
            "brief.toml: [chunking] overlap_tokens = 100: must be below max_tokens (100)",
        ),
    ],
)
def test_a_number_out_of_bounds_is_one_line_naming_the_bounds(
    tmp_path: Path, text: str, message: str
) -> None:
    refused_with(tmp_path, text, message)


def test_overrides_are_checked_against_the_same_bounds() -> None:
    with pytest.raises(ConfigError) as error:
        with_overrides(Settings(), {"retrieval": {"top_k": 0}})
    assert str(error.value) == "command line: [retrieval] top_k = 0: must be at least 1"
    with pytest.raises(ConfigError, match=r"\[retrieval\] mode = 'fuzzy': use dense"):
        with_overrides(Settings(), {"retrieval": {"mode": "fuzzy"}})


@pytest.mark.parametrize(
    ("section", "key", "on_bound", "past_bound"),
    [
        ("retrieval", "top_k", 1, 0),
        ("retrieval", "dense_weight", 1.0, 1.01),
        ("retrieval", "min_score", -1.0, -1.01),
        ("chunking", "overlap_tokens", 0, -1),
        ("generation", "temperature", 2.0, 2.01),
        ("verification", "min_coverage", 0.0, -0.01),
    ],
)
def test_a_value_on_a_bound_is_accepted_and_one_past_it_refused(
    tmp_path: Path, section: str, key: str, on_bound: float, past_bound: float
) -> None:
    write_config(tmp_path, f"[{section}]\n{key} = {on_bound}\n")
    assert getattr(getattr(load_settings(tmp_path), section), key) == on_bound
    write_config(tmp_path, f"[{section}]\n{key} = {past_bound}\n")
    with pytest.raises(ConfigError, match=rf"^brief.toml: \[{section}\] {key} = {past_bound}: "):
        load_settings(tmp_path)


def test_the_choice_lists_have_one_home() -> None:
    from policybrief import citations, llm, retrieval

    assert retrieval.MODES is MODES and citations.POLICIES is POLICIES
    assert llm.LLM_BACKENDS is LLM_BACKENDS and BACKENDS[1:] == LLM_BACKENDS
