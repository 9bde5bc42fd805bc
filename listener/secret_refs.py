"""Where the config file references environment variables, so a missing secret can be named.

Secrets never sit in ``config.yaml``: the file says ``${SMTP_PASSWORD}`` and the value comes from the
environment. Once loaded, an unset variable is just ``None``, which says neither which variable to
set nor where the file asks for it. This module reads the file's YAML tree (with line numbers) and
lists every ``${VAR}`` reference with its key path, so ``listener check`` can say
"config.yaml:42: alerts.smtp.password needs SMTP_PASSWORD, which is unset".
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True, slots=True)
class EnvReference:
    """One ``${VARIABLE}`` in the config file, at a key path and a 1-based line."""

    key: str
    variable: str
    file: str
    line: int

    @property
    def is_set(self) -> bool:
        """Tell whether the environment gives the variable a non-empty value."""
        return bool(os.environ.get(self.variable))

    def unset_message(self) -> str:
        """Say what is missing, where, and what to do."""
        return (
            f"{self.file}:{self.line}: {self.key} needs the environment variable {self.variable}, "
            "which is unset"
        )


def _walk(node: yaml.Node, path: tuple[str, ...], file: str, out: list[EnvReference]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            _walk(value_node, (*path, str(key_node.value)), file, out)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, _item_name(item, index)), file, out)
    elif isinstance(node, yaml.ScalarNode) and isinstance(node.value, str):
        for match in _REF.finditer(node.value):
            out.append(EnvReference(".".join(path), match.group(1), file, node.start_mark.line + 1))


def _item_name(item: yaml.Node, index: int) -> str:
    """Name a list item by its ``id`` when it has one (``alerts.channels.slack.url``), else its index."""
    if isinstance(item, yaml.MappingNode):
        for key, value in item.value:
            if key.value == "id" and isinstance(value, yaml.ScalarNode):
                return str(value.value)
    return str(index)


def env_references(path: Path) -> list[EnvReference]:
    """Return every ``${VAR}`` reference of a config file, in file order (none if it cannot be read).

    Sequence items are named by their ``id`` when they have one (``alerts.channels.slack.url``).
    """
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []  # loading the settings has already reported why
    out: list[EnvReference] = []
    if node is not None:
        _walk(node, (), str(path), out)
    return out
