"""Pagination styles as small objects, so ``fetch`` methods hold no paging arithmetic.

Each paginator answers two questions: which request parameters fetch the current page, and, given
what that page said, whether there is another one. All stop after ``max_pages`` (a run collects a
bounded amount; the cursor carries the rest over to the next run). Modelled on meltano/sdk's
``BaseAPIPaginator.get_next`` / ``has_more``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlsplit

_LINK = re.compile(r'<([^>]*)>\s*;\s*rel="?([^";]+)"?')


@dataclass(slots=True)
class PageNumberPaginator:
    """Numbered pages from 0 (Algolia's ``page`` / ``nbPages``)."""

    max_pages: int
    page: int = 0
    pages_seen: int = 0
    has_more: bool = True

    def params(self) -> dict[str, str]:
        """Return the parameters of the current page."""
        return {"page": str(self.page)}

    def advance(self, *, total_pages: int | None, item_count: int) -> None:
        """Move to the next page, or stop when the source has no more or the budget is spent."""
        self.pages_seen += 1
        self.page += 1
        last = total_pages is None or self.page >= total_pages
        self.has_more = item_count > 0 and not last and self.pages_seen < self.max_pages


@dataclass(slots=True)
class TokenPaginator:
    """An opaque continuation token (Bluesky's ``cursor``)."""

    max_pages: int
    token: str | None = None
    pages_seen: int = 0
    has_more: bool = True

    def params(self) -> dict[str, str]:
        """Return the parameters of the current page."""
        return {"cursor": self.token} if self.token else {}

    def advance(self, *, next_token: str | None, item_count: int) -> None:
        """Keep the token the page returned; stop on an empty page, no token or a repeated token."""
        self.pages_seen += 1
        repeated = next_token is not None and next_token == self.token
        self.token = next_token
        within_budget = self.pages_seen < self.max_pages
        self.has_more = bool(next_token) and item_count > 0 and not repeated and within_budget


@dataclass(slots=True)
class LinkPaginator:
    """RFC 8288 ``Link`` headers (Mastodon): follow one relation, keeping only its id parameters.

    Only ``max_id`` / ``min_id`` / ``since_id`` are taken from the link and applied to our own base
    URL, so a recorded or hostile link cannot send us to another host.
    """

    max_pages: int
    rel: str
    start: dict[str, str] = field(default_factory=dict)
    current: dict[str, str] = field(default_factory=dict)
    pages_seen: int = 0
    has_more: bool = True

    def __post_init__(self) -> None:
        self.current = dict(self.start)

    def params(self) -> dict[str, str]:
        """Return the id parameters of the current page."""
        return dict(self.current)

    def advance(self, *, link_header: str | None, item_count: int) -> None:
        """Follow ``rel`` in the Link header; stop on an empty page or when no such link exists."""
        self.pages_seen += 1
        found = parse_link_header(link_header or "").get(self.rel)
        if found is None or item_count == 0 or self.pages_seen >= self.max_pages:
            self.has_more = False
            return
        query = dict(parse_qsl(urlsplit(found).query))
        following = {k: v for k, v in query.items() if k in ("max_id", "min_id", "since_id")}
        self.has_more = bool(following) and following != self.current
        self.current = following


def parse_link_header(value: str) -> dict[str, str]:
    """Return ``{rel: url}`` from a ``Link`` header."""
    return {rel: url for url, rel in _LINK.findall(value)}


__all__ = ["LinkPaginator", "PageNumberPaginator", "TokenPaginator", "parse_link_header"]
