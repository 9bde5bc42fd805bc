"""Builders for the idea-box tests: mentions stored through the real repository, analysed by hand.

The intent and language verdicts are stored as annotations, exactly as the analysis job writes them,
so the ideas job reads what it would read in the service.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from listener.core.model import Annotation, Author, Batch, Mention, Metrics, Query
from storage import Repository

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
QUERIES = (
    Query(id="lumio", name="Lumio", expression="lumio", role="brand"),
    Query(id="ondea", name="Ondea", expression="ondea", role="competitor"),
    Query(id="idees", name="#LumioIdees", expression="#lumioidees", role="campaign"),
)


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = field(default=T0 + timedelta(days=3))

    def __call__(self) -> datetime:
        return self.now


@dataclass
class World:
    """Posts mentions one by one; ``n`` numbers their ids."""

    repo: Repository
    n: int = 0

    def repeat(self, text: str, times: int, *, who: str, likes: int = 0) -> None:
        """Store the same suggestion ``times`` times by one account, in one batch (a spam burst)."""
        mentions, notes = [], []
        for _ in range(times):
            self.n += 1
            ident = f"p{self.n}"
            when = T0 + timedelta(minutes=self.n)
            who_ = Author(source="t", external_id=who, handle=who)
            mentions.append(
                Mention(
                    source="t",
                    external_id=ident,
                    text=text,
                    author=who_,
                    published_at=when,
                    fetched_at=when,
                    lang="en",
                    topics=("lumio",),
                    metrics=Metrics(likes=likes),
                )
            )
            notes.append(
                Annotation(
                    source="t",
                    external_id=ident,
                    stage="intent",
                    version="1",
                    label="suggestion",
                    scores={"suggestion": 0.9},
                )
            )
        self.repo.upsert_batch(
            Batch(mentions=tuple(mentions), next_cursor=None), source="t", query_id="lumio"
        )
        self.repo.save_annotations(notes)

    def post(
        self,
        text: str,
        *,
        who: str = "a",
        lang: str = "en",
        topic: str = "lumio",
        intents: tuple[str, ...] = ("suggestion",),
        reply_to: str | None = None,
        likes: int = 0,
        minutes: int | None = None,
        **author: Any,
    ) -> str:
        """Store one mention (and its analysis verdicts); return its external id."""
        self.n += 1
        ident = f"p{self.n}"
        when = T0 + timedelta(minutes=minutes if minutes is not None else self.n)
        mention = Mention(
            source="t",
            external_id=ident,
            text=text,
            author=Author(source="t", external_id=who, handle=who, **author),
            published_at=when,
            fetched_at=when,
            lang=lang,
            in_reply_to=reply_to,
            topics=(topic,),
            metrics=Metrics(likes=likes),
        )
        self.repo.upsert_batch(Batch(mentions=(mention,), next_cursor=None), source="t", query_id=topic)
        label = intents[0] if intents else None
        self.repo.save_annotations(
            [
                Annotation(source="t", external_id=ident, stage="language", version="1", label=lang),
                Annotation(
                    source="t",
                    external_id=ident,
                    stage="intent",
                    version="1",
                    label=label,
                    scores={i: 0.9 for i in intents},
                ),
            ]
        )
        return ident
