"""Errors of the query language: where a query is wrong, and what a provider cannot search.

A query lives in ``config.yaml``, so a syntax error is a :class:`~listener.core.errors.ConfigError`: the
service refuses to start and ``listener check`` / ``listener topics`` print the message with a caret
under the offending column.
"""

from __future__ import annotations

from listener.core.errors import ConfigError, ListenerError


class QuerySyntaxError(ConfigError):
    """A topic query does not parse; ``column`` is 1-based, ``expression`` the query as written."""

    def __init__(self, message: str, *, column: int, expression: str) -> None:
        self.message = message
        self.column = max(1, column)
        self.expression = expression
        super().__init__(self._render())

    @property
    def caret_line(self) -> str:
        """Return a line with a ``^`` under the offending column of the one-line query."""
        return " " * (self.column - 1) + "^"

    def _render(self) -> str:
        shown = self.expression.replace("\n", " ").replace("\t", " ")
        return f"{self.message} (column {self.column})\n  {shown}\n  {self.caret_line}"


class UntranslatableQueryError(ListenerError):
    """A provider's search cannot express even a widened form of the query (e.g. only ``factur*``).

    The connector should skip native search for this topic (and say so) rather than fetch nothing
    silently: an empty result would narrow the topic.
    """

    def __init__(self, message: str, *, provider: str) -> None:
        super().__init__(message)
        self.provider = provider
