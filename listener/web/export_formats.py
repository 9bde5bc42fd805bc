"""Exports of inbox rows as CSV (Excel-friendly, formula injection neutralised) and Parquet, streamed.

Both writers take an iterator of rows and yield bytes chunk by chunk, so memory stays flat however
many rows the filter selects. CSV: a cell starting with ``= + - @`` (or a tab / carriage return) is
prefixed with ``'`` so a spreadsheet shows it as text instead of running it (OWASP "CSV injection");
``bom`` prepends a UTF-8 byte order mark for Excel; ``sep`` may be ``;`` for French locales.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from storage.web_records import InboxItem

COLUMNS = (
    "id",
    "source",
    "external_id",
    "published_at",
    "author",
    "author_followers",
    "lang",
    "topics",
    "sentiment",
    "sentiment_score",
    "intents",
    "likes",
    "reposts",
    "replies",
    "echo_count",
    "status",
    "assignee_id",
    "department",
    "tags",
    "url",
    "title",
    "text",
)
_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def row_of(item: InboxItem) -> dict[str, Any]:
    """Flatten one inbox item into export columns."""
    stored, workflow = item.stored, item.workflow
    m = stored.mention
    return {
        "id": stored.id,
        "source": m.source,
        "external_id": m.external_id,
        "published_at": m.published_at.isoformat(),
        "author": m.author.handle,
        "author_followers": m.author.followers,
        "lang": stored.lang,
        "topics": ";".join(stored.topics),
        "sentiment": stored.sentiment,
        "sentiment_score": stored.sentiment_score,
        "intents": ";".join(stored.intents),
        "likes": m.metrics.likes,
        "reposts": m.metrics.reposts,
        "replies": m.metrics.replies,
        "echo_count": stored.echo_count,
        "status": workflow.status,
        "assignee_id": workflow.assignee_id,
        "department": workflow.department,
        "tags": ";".join(workflow.tags),
        "url": m.url,
        "title": m.title,
        "text": m.text,
    }


def neutralise(value: Any) -> Any:
    """Return a text cell a spreadsheet will not evaluate as a formula; other values unchanged."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def csv_chunks(
    items: Iterable[InboxItem], *, sep: str = ",", bom: bool = False, rows_per_chunk: int = 500
) -> Iterator[bytes]:
    """Yield the CSV export, header first, a few hundred rows per chunk."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sep, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    prefix = "\ufeff" if bom else ""
    pending = 0
    for item in items:
        row = row_of(item)
        writer.writerow([neutralise(row[c]) for c in COLUMNS])
        pending += 1
        if pending >= rows_per_chunk:
            yield (prefix + buffer.getvalue()).encode("utf-8")
            prefix, pending = "", 0
            buffer.seek(0)
            buffer.truncate(0)
    yield (prefix + buffer.getvalue()).encode("utf-8")


class _Sink:
    """A write-only file for pyarrow that hands its bytes out as they come (it only needs tell())."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self._size = 0
        self.closed = False

    def write(self, data: bytes) -> int:
        chunk = bytes(data)
        self._parts.append(chunk)
        self._size += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self._size

    def flush(self) -> None:
        """Nothing to flush: bytes wait in memory until drained."""

    def close(self) -> None:
        self.closed = True

    def drain(self) -> bytes:
        out = b"".join(self._parts)
        self._parts.clear()
        return out


def parquet_chunks(items: Iterable[InboxItem], *, rows_per_group: int = 20_000) -> Iterator[bytes]:
    """Yield a Parquet file, one row group at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = pa.schema(
        [
            ("id", pa.int64()),
            ("source", pa.string()),
            ("external_id", pa.string()),
            ("published_at", pa.string()),
            ("author", pa.string()),
            ("author_followers", pa.int64()),
            ("lang", pa.string()),
            ("topics", pa.string()),
            ("sentiment", pa.string()),
            ("sentiment_score", pa.float64()),
            ("intents", pa.string()),
            ("likes", pa.int64()),
            ("reposts", pa.int64()),
            ("replies", pa.int64()),
            ("echo_count", pa.int64()),
            ("status", pa.string()),
            ("assignee_id", pa.int64()),
            ("department", pa.string()),
            ("tags", pa.string()),
            ("url", pa.string()),
            ("title", pa.string()),
            ("text", pa.string()),
        ]
    )
    sink = _Sink()
    writer = pq.ParquetWriter(sink, schema, compression="zstd")
    rows: list[dict[str, Any]] = []
    for item in items:
        rows.append(row_of(item))
        if len(rows) >= rows_per_group:
            writer.write_table(pa.Table.from_pylist(rows, schema=schema))
            rows.clear()
            yield sink.drain()
    if rows:
        writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    writer.close()
    yield sink.drain()
