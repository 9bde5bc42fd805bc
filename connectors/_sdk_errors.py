"""One table per SDK: which library exception becomes which ``listener.core.errors`` type.

httpx maps transport errors in one place (``map_httpcore_exceptions``); the SDK connectors (tweepy,
praw) do the same with a table of ``(exception types, make)`` rows read top to bottom, first match
wins, instead of a ladder of ``except`` clauses. ``make`` returns the error to raise (chained to the
SDK's), or the caught error itself to let it through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

ErrorRow = tuple[type[BaseException] | tuple[type[BaseException], ...], Callable[[Any], BaseException]]
"""``(exception type or types, make)``: ``make(err)`` returns what to raise instead."""


def mapped(table: Sequence[ErrorRow], err: BaseException) -> BaseException | None:
    """Return what ``err`` becomes under ``table`` (None when no row matches)."""
    for kinds, make in table:
        if isinstance(err, kinds):
            return make(err)
    return None


def _kinds(table: Sequence[ErrorRow]) -> tuple[type[BaseException], ...]:
    out: list[type[BaseException]] = []
    for kinds, _ in table:
        out += list(kinds) if isinstance(kinds, tuple) else [kinds]
    return tuple(out)


@contextmanager
def translated(table: Sequence[ErrorRow]) -> Iterator[None]:
    """Raise, for any exception a row of ``table`` names, the error that row makes from it."""
    try:
        yield
    except _kinds(table) as err:
        found = mapped(table, err)
        if found is None or found is err:
            raise
        raise found from err


__all__ = ["ErrorRow", "mapped", "translated"]
