"""Who is calling, and may they: passwords, session cookies with CSRF, API tokens, roles, login limits.

- Passwords are argon2id hashes (argon2-cffi's defaults); a hash made with weaker parameters is
  replaced at the next successful login.
- A browser session is a random token in an HttpOnly, SameSite=Strict cookie; the database keeps only
  its SHA-256. Every state-changing request made with the cookie must echo the session's CSRF token in
  the ``X-CSRF-Token`` header. Logging in always issues a fresh token (no session fixation).
- Scripts send ``Authorization: Bearer lst_...``; no cookie is involved, so no CSRF check applies.
- Roles are ordered: viewer < analyst < admin. Each route declares the least role it needs with
  :func:`allow`; ``tests/web/test_route_roles.py`` checks every route against its decision.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, Request

from alerts.i18n import LANGS, Lang
from listener.web.errors import ApiError
from storage.web_records import Role, Session, User

SESSION_COOKIE = "listener_session"
CSRF_HEADER = "X-CSRF-Token"
TOKEN_PREFIX = "lst_"
RANK: dict[str, int] = {"viewer": 1, "analyst": 2, "admin": 3}
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))
"""Verified against when the username is unknown, so timing does not tell which usernames exist."""


def hash_password(password: str) -> str:
    """Return the argon2id hash of a password."""
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """Tell whether ``password`` matches (always spends the same work, even for unknown users)."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Tell whether a hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored_hash)


def digest(token: str) -> str:
    """Return the SHA-256 hex digest under which a random token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_api_token() -> str:
    """Return a fresh personal API token (shown once to its owner)."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def new_secret() -> str:
    """Return a fresh random session or CSRF token."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """The authenticated caller and how they proved it."""

    user: User
    via: Literal["session", "token"]
    session: Session | None = None
    session_hash: str | None = None

    def at_least(self, role: Role) -> bool:
        """Tell whether the caller's role is ``role`` or stronger."""
        return RANK[self.user.role] >= RANK[role]


def reader_lang(request: Request, principal: Principal | None) -> Lang:
    """The reader's language: their own when signed in, else ``?lang``, else the config's.

    Pages, alerts and trend reasons are all told in it.
    """
    chosen = principal.user.language if principal is not None else request.query_params.get("lang", "")
    return chosen if chosen in LANGS else request.app.state.settings.language


class LoginLimiter:
    """Refuse logins after too many failures per username or client address in a sliding window.

    Kept in memory: one process serves the API; a restart forgets the counts, which only helps an
    attacker by one window's worth of guesses.
    """

    def __init__(self, *, attempts: int, window: timedelta, clock: Callable[[], datetime]) -> None:
        self._attempts = attempts
        self._window = window
        self._clock = clock
        self._failures: dict[str, deque[datetime]] = {}

    def retry_after(self, *keys: str) -> int | None:
        """Return seconds to wait when any key is over its limit, else None."""
        now = self._clock()
        waits = []
        for key in keys:
            times = self._failures.get(key)
            if not times:
                continue
            while times and times[0] <= now - self._window:
                times.popleft()
            if len(times) >= self._attempts:
                waits.append(int((times[0] + self._window - now).total_seconds()) + 1)
        return max(waits) if waits else None

    def failed(self, *keys: str) -> None:
        """Count one failure against each key."""
        now = self._clock()
        for key in keys:
            self._failures.setdefault(key, deque()).append(now)

    def succeeded(self, username_key: str) -> None:
        """Forget a username's failures after a good login."""
        self._failures.pop(username_key, None)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def authenticate(request: Request) -> Principal | None:
    """Return the caller from a Bearer token or the session cookie; None when anonymous.

    A Bearer header that is present but wrong is an error, never a silent fall back to the cookie.
    """
    store = request.app.state.store
    token = _bearer(request)
    if token is not None:
        user = store.user_for_token(digest(token))
        if user is None:
            raise ApiError(401, "bad_token")
        return Principal(user=user, via="token")
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        hashed = digest(cookie)
        session = store.session(hashed)
        if session is not None:
            return Principal(user=session.user, via="session", session=session, session_hash=hashed)
    return None


def _check_csrf(request: Request, principal: Principal) -> None:
    if request.method in SAFE_METHODS or principal.via != "session" or principal.session is None:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent or not hmac.compare_digest(sent, principal.session.csrf_token):
        raise ApiError(403, "csrf")


def allow(role: Role) -> Callable[[Request], Principal]:
    """Return the dependency admitting callers of ``role`` or stronger (CSRF checked on changes)."""

    def dependency(request: Request) -> Principal:
        principal = authenticate(request)
        if principal is None:
            raise ApiError(401, "login_required")
        _check_csrf(request, principal)
        if not principal.at_least(role):
            raise ApiError(403, "forbidden_role")
        request.state.principal = principal
        return principal

    return dependency


Viewer = Depends(allow("viewer"))
Analyst = Depends(allow("analyst"))
Admin = Depends(allow("admin"))
