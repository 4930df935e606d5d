from __future__ import annotations

from pathlib import Path

import pytest

from policybrief.config import Settings, find_project_root, load_settings
from policybrief.errors import ConfigError


def write_config(root: Path, text: str) -> Path:
    (root / "brief.toml").write_text(text, encoding="utf-8")
    return root


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
