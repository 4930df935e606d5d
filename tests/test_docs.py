"""Every command documents itself and appears in the README."""

from __future__ import annotations

import click

from policybrief.cli import cli
from tests.conftest import REPO


def all_commands(group: click.Group, prefix: str = "") -> dict[str, click.Command]:
    found: dict[str, click.Command] = {}
    for name, command in group.commands.items():
        found[f"{prefix}{name}"] = command
        if isinstance(command, click.Group):
            found.update(all_commands(command, f"{prefix}{name} "))
    return found


def test_every_command_has_help_text() -> None:
    for name, command in all_commands(cli).items():
        assert command.help and len(command.help) > 20, name
        for param in command.params:
            if isinstance(param, click.Option):
                assert param.help, f"{name} {param.name}"


def test_every_command_appears_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    for name in all_commands(cli):
        assert f"brief {name}" in readme, f"`brief {name}` is not documented in README.md"


def test_readme_starts_with_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    first_block = readme.split("```")[1]
    assert "make demo" in first_block and "make test" in first_block


def test_readme_documents_every_setting_as_brief_init_writes_it() -> None:
    from policybrief.config import commented_toml

    readme = (REPO / "README.md").read_text("utf-8")
    assert commented_toml() in readme, "README's configuration block is out of date"
