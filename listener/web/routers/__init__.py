"""The API's routers, one module per resource; :data:`ALL` is what the application includes."""

from __future__ import annotations

from fastapi import APIRouter

from listener.web.routers import auth, exports, ideas, mentions, reads, trends, users, views, workflow

ALL: tuple[APIRouter, ...] = (
    auth.router,
    users.router,
    mentions.router,
    workflow.router,
    reads.router,
    exports.router,
    trends.router,
    ideas.router,
    views.router,
)
