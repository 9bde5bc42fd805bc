"""Tables and times that read at 80 columns: short times that say their zone, no cell cut to "demo:l…".

A terminal is often 80 columns wide. Rich shrinks every column of a too-wide table until cells end in
"…", which hid the very job or date the table was for. These tables drop the vertical rules, never wrap
or cut the columns that identify a row, and show times as ``03 Dec 12:43`` in the config's time zone,
named in the title.
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from rich import box
from rich.table import Table

from listener.cli._common import language


def when(value: datetime | str | None, zone: str) -> str:
    """Return ``value`` (a datetime or ISO text; naive means UTC) as ``03 Dec 12:43`` in ``zone``.

    The month is named in the command's language (``03 déc. 12:43`` in French).
    """
    if value is None or value == "":
        return "-"
    at = datetime.fromisoformat(value) if isinstance(value, str) else value
    at = at if at.tzinfo is not None else at.replace(tzinfo=UTC)
    return format_datetime(at, "dd MMM HH:mm", tzinfo=ZoneInfo(zone), locale=language.get())


def narrow_table(title: str, *columns: str, keep: tuple[str, ...] = ()) -> Table:
    """Return a table without vertical rules; the ``keep`` columns are never wrapped or cut."""
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for name in columns:
        if name in keep:
            table.add_column(name, no_wrap=True, min_width=len(name))
        else:
            table.add_column(name, overflow="fold")
    return table
