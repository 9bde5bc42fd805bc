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


def test_every_module_path_the_readme_names_exists() -> None:
    """Each ``path/to/module.py`` or ``package/`` the README names in backticks is in the repository."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`((?:listener|connectors|storage|analysis|alerts|tests|benchmarks)/[\w/]*\.py)`",
                           readme))
    named |= set(re.findall(r"`((?:listener|connectors|storage|analysis|alerts)/[\w/]+/)`", readme))
    assert "listener/wiring.py" in named, "the README's architecture section names the wiring module"
    missing = sorted(path for path in named if not (ROOT / path).exists())
    # bare module names (the benchmarks list) must exist somewhere in the project's folders
    folders = ("listener", "connectors", "storage", "analysis", "alerts", "benchmarks")
    bare = set(re.findall(r"`(\w+\.py)`", readme))
    missing += sorted(name for name in bare if not any(any((ROOT / f).rglob(name)) for f in folders))
    assert not missing, f"README.md names files that do not exist: {missing}"
