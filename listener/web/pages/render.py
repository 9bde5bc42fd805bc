"""Render a dashboard page: Jinja2 templates, the reader's language and time zone, and who is signed in.

Every page is rendered on the server with autoescaping on, so user text (mentions, handles, notes)
can never become markup; templates also wrap it in ``<bdi dir="auto">`` so a right-to-left override
in one post cannot reorder the text around it. Messages come from the same Babel catalogue as the
e-mails (``alerts/locale``); dates are shown in the configured time zone and numbers per locale.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal, format_percent
from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from alerts.i18n import LANGS, translator
from listener.web.security import Principal, authenticate, reader_lang

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PAGE_HEADERS = {"Cache-Control": "no-store"}
_env = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class LoginRedirect(Exception):
    """Raised by :func:`signed_in` for an anonymous visitor: the page answers with the login form."""


def signed_in(request: Request) -> Principal:
    """Return the signed-in caller of a page, or send them to the login page."""
    principal = authenticate(request)
    if principal is None:
        raise LoginRedirect
    request.state.principal = principal
    return principal


SignedIn = Depends(signed_in)


@dataclass(frozen=True, slots=True)
class Formats:
    """How one reader sees dates, numbers and messages."""

    lang: str
    tz: ZoneInfo

    def _(self, message: str) -> str:
        """Return the message in the reader's language."""
        return translator(self.lang)(message)

    def when(self, value: datetime | None, fmt: str = "short") -> str:
        """Return a date and time in the configured zone (empty for None)."""
        return "" if value is None else format_datetime(value.astimezone(self.tz), fmt, locale=self.lang)

    def day(self, value: datetime) -> str:
        """Return a date (day and month) in the configured zone."""
        return format_date(value.astimezone(self.tz), "d MMM", locale=self.lang)

    def num(self, value: float | int | None, digits: int = 0) -> str:
        """Return a number with the locale's separators."""
        if value is None:
            return "–"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.lang)

    def pct(self, value: float | None) -> str:
        """Return a share as a percentage."""
        return "–" if value is None else format_percent(value, locale=self.lang)


def formats_for(request: Request, principal: Principal | None) -> Formats:
    """Return the reader's formats: language (:func:`listener.web.security.reader_lang`) and time zone."""
    return Formats(lang=reader_lang(request, principal), tz=ZoneInfo(request.app.state.settings.timezone))


def page(
    request: Request, principal: Principal | None, template: str, *, status: int = 200, **context: Any
) -> HTMLResponse:
    """Render ``template`` with the reader's formats, the navigation and the CSRF token."""
    fmt = formats_for(request, principal)
    csrf = principal.session.csrf_token if principal is not None and principal.session is not None else ""
    html = _env.get_template(template).render(
        request=request,
        user=principal.user if principal is not None else None,
        role=principal.user.role if principal is not None else None,
        can_work=principal is not None and principal.at_least("analyst"),
        is_admin=principal is not None and principal.at_least("admin"),
        csrf=csrf,
        fmt=fmt,
        _=fmt._,
        lang=fmt.lang,
        langs=LANGS,
        path=request.url.path,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)


def fragment(request: Request, principal: Principal, template: str, **context: Any) -> str:
    """Render part of a page (new inbox rows) with the same context as :func:`page`."""
    fmt = formats_for(request, principal)
    return _env.get_template(template).render(
        request=request,
        can_work=principal.at_least("analyst"),
        fmt=fmt,
        _=fmt._,
        lang=fmt.lang,
        **context,
    )
