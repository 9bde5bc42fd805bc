"""How ``listener --help`` reads: commands grouped by what a community manager is doing, plain text.

The command modules register themselves in alphabetical order; :func:`arrange` then puts every command
in its panel (set-up, collection, analysis, people, alerts, data), in the order of :data:`PANELS`, turns
the reST ``double backticks`` of docstrings into plain quotes, and drops the ``<bool>`` type shown
beside flags (a flag takes no value). A command missing from :data:`PANELS` lands in "More", which
``tests/cli/test_trust_cli.py`` refuses, so a new command gets a place here.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup

PANELS: dict[str, tuple[str, ...]] = {
    "Set-up": ("init", "check", "demo", "db", "model", "users", "topics"),
    "Collection": ("run", "sources", "status", "worker", "scheduler", "web"),
    "Analysis": ("analyse", "classify", "label", "train", "reanalyse", "trends", "themes", "sov"),
    "People": ("authors", "author", "forget-author"),
    "Alerts": ("alerts", "digest", "ideas"),
    "Data": ("mentions",),
}
OTHER = "More"
_RANK = {name: i for i, name in enumerate(n for names in PANELS.values() for n in names)}
_PANEL_OF = {name: panel for panel, names in PANELS.items() for name in names}
_BACKTICKS = re.compile(r"``([^`]+)``")


def plain(text: str | None) -> str | None:
    """Return help text with reST literals (``x``) written as 'x'."""
    return _BACKTICKS.sub(r"'\1'", text) if text else text


def _no_flag_types(params: list[Any]) -> list[Any]:
    for param in params:
        if getattr(param, "is_flag", False):
            param.metavar = ""  # typer shows the metavar instead of "<bool>"; a flag has no value
    return params


class PlainCommand(TyperCommand):
    """A command whose help shows no type beside its flags."""

    def get_params(self, ctx: Any) -> list[Any]:
        """Return the parameters, flags without a type label."""
        return _no_flag_types(super().get_params(ctx))


class PlainGroup(TyperGroup):
    """A group whose help shows no type beside its flags (``--help``, ``--version``)."""

    def get_params(self, ctx: Any) -> list[Any]:
        """Return the parameters, flags without a type label."""
        return _no_flag_types(super().get_params(ctx))


def _plain_commands(app: typer.Typer) -> None:
    for info in app.registered_commands:
        if info.cls in (None, TyperCommand):
            info.cls = PlainCommand
        info.help = plain(info.help or inspect.getdoc(info.callback))
    for group in app.registered_groups:
        group.cls = PlainGroup
        if group.typer_instance is not None:
            _plain_commands(group.typer_instance)


def arrange(app: typer.Typer) -> None:
    """Place every top-level command in its panel, in order, with plain help text."""
    for command in app.registered_commands:
        command.rich_help_panel = _PANEL_OF.get(command.name or "", OTHER)
    for group in app.registered_groups:
        group.rich_help_panel = _PANEL_OF.get(group.name or "", OTHER)
    app.registered_commands.sort(key=lambda c: _RANK.get(c.name or "", len(_RANK)))
    app.registered_groups.sort(key=lambda g: _RANK.get(g.name or "", len(_RANK)))
    _plain_commands(app)
