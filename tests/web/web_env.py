"""Web API test helpers: a real uvicorn on loopback over a seeded SQLite or PostgreSQL database, and httpx.

Three users (admin, analyst, viewer) each get a password and a personal API token; ``env.client(role)``
calls with the token, ``env.browser(role)`` signs in with the password and carries cookie and CSRF
token like a browser would. The clock is fixed, so nothing depends on the day the tests run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from listener.config import Settings, parse_settings
from listener.core.clock import fixed
from listener.core.model import Annotation, Author, Batch, Mention, Metrics
from listener.web.app import create_app
from listener.web.security import digest, hash_password, new_api_token
from listener.web.serve import WebServer
from storage import Repository, WebStore
from storage.web_records import Role

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
PASSWORD = "correct horse battery staple"
ROLES: tuple[Role, ...] = ("admin", "analyst", "viewer")
CONFIG = """
topics:
  - {id: lumio, name: Lumio, query: lumio}
  - {id: ondea, name: Ondea, query: ondea, role: competitor}
alerts:
  channels: [{id: support-log, type: log}]
routing:
  departments: [{id: support, name: Support, channels: [support-log]}, {id: sales, name: Sales}]
  rules:
    - {id: billing, department: support, intents: [complaint], terms: [facture, billing], notify: true}
    - {id: price, department: sales, intents: [question], terms: [price, prix]}
web: {login_attempts: 3}
"""


def make_mention(n: int, *, text: str | None = None, author_n: int | None = None, **fields: Any) -> Mention:
    """Build mention ``m<n>``, published ``n`` minutes before NOW, by one of five authors."""
    who = author_n if author_n is not None else n % 5
    values: dict[str, Any] = {
        "source": "testsrc",
        "external_id": f"m{n}",
        "text": text if text is not None else f"lumio mention number {n}",
        "author": Author(source="testsrc", external_id=f"u{who}", handle=f"user{who}", followers=10**who),
        "published_at": NOW - timedelta(minutes=n),
        "fetched_at": NOW,
        "metrics": Metrics(likes=n % 7),
        "topics": ("lumio",) if n % 3 else ("ondea",),
        "matched_terms": {"lumio": ("lumio",)} if n % 3 else {"ondea": ("ondea",)},
    }
    values.update(fields)
    return Mention(**values)


def annotate(mention: Mention, n: int) -> list[Annotation]:
    """Return sentiment, intent and signals annotations that vary with ``n``."""
    sentiment = ("negative", "neutral", "positive")[n % 3]
    intent = ("complaint", "question", "praise", "other")[n % 4]
    key = {"source": mention.source, "external_id": mention.external_id}
    return [
        Annotation(
            **key,
            stage="sentiment",
            version="1",
            label=sentiment,
            scores={
                "negative": 0.8 if sentiment == "negative" else 0.1,
                "positive": 0.8 if sentiment == "positive" else 0.1,
            },
            explanation=f"cue words for {sentiment}",
        ),
        Annotation(**key, stage="intent", version="1", label=intent, scores={intent: 0.9}),
        Annotation(**key, stage="signals", version="1", label="churn" if n % 6 == 0 else None, scores={}),
    ]


def seed(repo: Repository, mentions: list[Mention]) -> None:
    """Store mentions with their annotations."""
    repo.upsert_batch(Batch(mentions=tuple(mentions), next_cursor=None), source="testsrc", query_id="lumio")
    repo.save_annotations([a for i, m in enumerate(mentions) for a in annotate(m, i)])


@dataclass
class WebEnv:
    """A running API over a seeded database."""

    base_url: str
    repo: Repository
    store: WebStore
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    server: WebServer | None = None

    def anonymous(self) -> httpx.Client:
        """Return a client with no credentials."""
        return httpx.Client(base_url=self.base_url, timeout=30)

    def client(self, role: str) -> httpx.Client:
        """Return a client authenticated by ``role``'s API token."""
        return httpx.Client(
            base_url=self.base_url, timeout=30, headers={"Authorization": f"Bearer {self.tokens[role]}"}
        )

    def browser(self, role: str) -> httpx.Client:
        """Return a client signed in with a session cookie, sending the CSRF header on changes."""
        client = self.anonymous()
        response = client.post("/api/auth/login", json={"username": role, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
        return client


def start_env(url: str, *, mentions: int = 60) -> WebEnv:
    """Migrate and seed a database, create the users, and serve the API on a free loopback port."""
    clock = fixed(NOW)
    settings = parse_settings(CONFIG)
    repo = Repository.from_url(url, clock=clock)
    repo.upgrade()
    store = WebStore.of(repo, clock=clock)
    env = WebEnv(base_url="", repo=repo, store=store, settings=settings)
    for role in ROLES:
        user_id = store.add_user(
            role, display_name=role.title(), password_hash=hash_password(PASSWORD), role=role
        )
        token = new_api_token()
        store.add_token(user_id, name="tests", token_hash=digest(token), prefix=token[:8])
        env.tokens[role] = token
        env.user_ids[role] = user_id
    seed(repo, [make_mention(n) for n in range(mentions)])
    app = create_app(repo, store, clock=clock, settings=settings)
    server = WebServer(app, host="127.0.0.1", port=0)
    server.start()
    env.server = server
    env.base_url = f"http://127.0.0.1:{server.port}"
    return env


def stop_env(env: WebEnv) -> None:
    """Stop the server and close the database."""
    if env.server is not None:
        env.server.stop()
    env.repo.close()
