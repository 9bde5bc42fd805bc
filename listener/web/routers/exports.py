"""Exports of the current inbox filter: CSV (BOM and ``;`` options) and Parquet, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import StreamingResponse

from listener.web.errors import ERROR_RESPONSES
from listener.web.export_formats import csv_chunks, parquet_chunks
from listener.web.filters import Sort, inbox_filter
from listener.web.security import Analyst, Principal
from storage.web_records import InboxFilter, InboxItem

router = APIRouter(prefix="/api/exports", tags=["exports"], responses=ERROR_RESPONSES)
_STREAM: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}, "application/vnd.apache.parquet": {}}}
}


def _items(request: Request, flt: InboxFilter, sort: Sort) -> Iterator[InboxItem]:
    state = request.app.state
    return islice(state.store.iter_inbox(flt, sort=sort), state.settings.web.max_export_rows)


def _audit(request: Request, principal: Principal, kind: str) -> None:
    request.app.state.store.audit(
        user_id=principal.user.id,
        action=f"export.{kind}",
        target_kind="mentions",
        target_id=None,
        details={"query": str(request.url.query)[:1000]},
    )


@router.get("/mentions.csv", response_class=StreamingResponse, responses=_STREAM)
def export_csv(
    request: Request,
    flt: Annotated[InboxFilter, Depends(inbox_filter)],
    sort: Sort = "time",
    sep: Literal[",", ";"] = ",",
    bom: bool = False,
    principal: Principal = Analyst,
) -> StreamingResponse:
    """Stream the filtered mentions as CSV (``bom=true`` and ``sep=;`` suit Excel in French)."""
    _audit(request, principal, "csv")
    return StreamingResponse(
        csv_chunks(_items(request, flt, sort), sep=sep, bom=bom),
        media_type="text/csv",
        headers={"Content-Disposition": 'attachment; filename="mentions.csv"'},
    )


@router.get("/mentions.parquet", response_class=StreamingResponse, responses=_STREAM)
def export_parquet(
    request: Request,
    flt: Annotated[InboxFilter, Depends(inbox_filter)],
    sort: Sort = "time",
    principal: Principal = Analyst,
) -> StreamingResponse:
    """Stream the filtered mentions as a Parquet file."""
    _audit(request, principal, "parquet")
    return StreamingResponse(
        parquet_chunks(_items(request, flt, sort)),
        media_type="application/vnd.apache.parquet",
        headers={"Content-Disposition": 'attachment; filename="mentions.parquet"'},
    )
