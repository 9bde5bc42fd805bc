"""The documentation stays complete: every command is in the README, every config section in config.yaml."""

from __future__ import annotations

from pathlib import Path

import typer.main

from listener.cli import app
from listener.config import Settings, SourcesSettings

ROOT = Path(__file__).resolve().parent.parent


def _command_names() -> list[str]:
    group = typer.main.get_command(app)
    names: list[str] = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            names += [f"{name} {sub}" for sub in subcommands]
        else:
            names.append(name)
    return names


def test_every_command_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in _command_names() if f"listener {name}" not in readme]
    assert not missing, f"README.md does not document: {missing}"


def test_every_config_section_and_source_is_in_the_example() -> None:
    example = (ROOT / "config.yaml").read_text(encoding="utf-8")
    missing = [key for key in Settings.model_fields if f"{key}:" not in example]
    missing += [f"sources.{key}" for key in SourcesSettings.model_fields if f"  {key}:" not in example]
    assert not missing, f"config.yaml does not show: {missing}"
