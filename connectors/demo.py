"""A simulated stream of mentions for the offline demo: no account, no network, deterministic per seed.

The world it simulates: *Lumio*, a fictional French internet and mobile provider (the brand), and two
fictional competitors, *Ondea* and *Fibrix*. Over a number of days it produces French and English posts
from a pool of authors with heavy-tailed audiences; on the outage day (by default the second-to-last day)
a burst of negative buzz breaks out, carried by a few influential unhappy customers and echoed by
reposts. Questions, complaints, churn threats, customers' suggestions and praise are mixed in, so every
analysis stage has something to find. Every sentence below was written for this module.

The connector is an ordinary :class:`~listener.core.model.Connector`: it returns what was "published" for
the topic since its cursor and up to the simulated clock (``now``), so the demo drives it exactly as the
scheduler drives real sources.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, ClassVar

from connectors._demo_text import (
    _CLOSERS,
    _DURATIONS,
    _FEATURES,
    _FILLERS,
    _FIRST,
    _NEGATIVE,
    _OPENERS,
    _PRODUCTS,
    _SECOND,
    _TEMPLATES,
    Lang,
    Tone,
)
from listener.core.clock import Clock, start_of_day
from listener.core.model import Author, Batch, Cursor, Mention, Metrics, Query, Reference

BRAND = "Lumio"
HANDLES = {"Lumio": "lumio_fr", "Ondea": "ondea", "Fibrix": "fibrix_officiel"}
COMPETITORS = ("Ondea", "Fibrix")
PLATFORMS = ("twitter", "mastodon", "bluesky", "reddit", "hackernews", "news")

DEMO_TOPICS: tuple[tuple[str, str, str, str], ...] = (
    # (id, name, role, query) — the queries use listener's query language.
    ("lumio", "Lumio", "brand", 'lumio OR #lumio OR #lumiodown OR @lumio_fr OR "lumio box"'),
    ("ondea", "Ondea", "competitor", "ondea OR #ondea OR @ondea"),
    ("fibrix", "Fibrix", "competitor", "fibrix OR #fibrix OR @fibrix_officiel"),
)

@dataclass(frozen=True, slots=True)
class _Persona:
    author: Author
    lang: Lang
    mood: float
    """Probability weight of writing negative posts (flag-bearers are close to 1)."""
    is_influencer: bool


@dataclass(frozen=True, slots=True)
class DemoSettings:
    """How the simulated world looks."""

    seed: int = 42
    start: datetime | None = None
    """First instant of the simulated period; None: ``days`` days ending at midnight UTC of ``now``."""
    days: int = 7
    burst_day: int | None = None
    """Day index (0-based) of the outage burst; default: the second-to-last day."""
    daily_brand_volume: int = 70


def _stable_int(*parts: object) -> int:
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big")


class DemoWorld:
    """Generate the whole simulated timeline once; connectors and tests read slices of it."""

    def __init__(self, settings: DemoSettings, *, now: datetime | None = None) -> None:
        """Generate the timeline; without a pinned ``settings.start`` it ends at midnight UTC of ``now``.

        The same seed and anchor always give the same mentions, so a restart on the same day serves the
        same ids (stored once), and a service running on any date sees a recent week.
        """
        if settings.start is None:
            if now is None:
                raise ValueError("demo: give the current time (now) or pin settings.start")
            settings = replace(settings, start=start_of_day(now) - timedelta(days=settings.days))
        assert settings.start is not None
        self.settings = settings
        self.start: datetime = settings.start
        self._rng = random.Random(settings.seed)
        self.personas = self._make_personas()
        self.mentions: tuple[Mention, ...] = tuple(sorted(self._simulate(), key=lambda m: m.published_at))
        self.by_id: dict[str, Mention] = {m.external_id: m for m in self.mentions}

    @property
    def end(self) -> datetime:
        """Return the end of the simulated period."""
        return self.start + timedelta(days=self.settings.days)

    @property
    def burst_day(self) -> int:
        """Return the index of the day the outage breaks out."""
        if self.settings.burst_day is not None:
            return self.settings.burst_day
        return max(0, self.settings.days - 2)

    def _make_personas(self) -> list[_Persona]:
        rng = self._rng
        personas: list[_Persona] = []
        taken: set[str] = set()
        for index in range(260):
            platform = rng.choices(PLATFORMS, weights=(40, 15, 15, 15, 5, 10))[0]
            handle = f"{rng.choice(_FIRST)}{rng.choice(_SECOND)}{index % 97}"
            if handle in taken:
                continue
            taken.add(handle)
            followers = int(math.exp(rng.gauss(5.0, 1.6)))
            personas.append(self._persona(platform, handle, followers, mood=rng.random() * 0.6,
                                          is_influencer=False))
        # A few voices that carry far: two unhappy ones (the flag-bearers), one fan, one journalist.
        for platform, handle, followers, mood, display, lang in (
            ("twitter", "claire_techfr", 182_000, 0.97, "Claire (tech FR)", "fr"),
            ("twitter", "dan_streams", 64_000, 0.95, "Dan | streams daily", "en"),
            ("mastodon", "julie_fibre", 23_000, 0.05, "Julie ❤ fibre", "fr"),
            ("news", "lemag_numerique", 410_000, 0.4, "Le Mag Numérique", "fr"),
        ):
            personas.append(self._persona(platform, handle, followers, mood=mood, is_influencer=True,
                                          display=display, lang=lang))  # type: ignore[arg-type]
        return personas

    def _persona(self, platform: str, handle: str, followers: int, *, mood: float, is_influencer: bool,
                 display: str | None = None, lang: Lang | None = None) -> _Persona:
        rng = self._rng
        created = self.start - timedelta(days=rng.randint(30, 4000))
        author = Author(
            source="demo",
            external_id=f"{platform}:{handle}",
            handle=handle,
            display_name=display or handle.replace("_", " ").title(),
            url=f"https://demo.invalid/{platform}/{handle}",
            followers=followers if platform != "reddit" else None,
            karma=followers * 3 if platform == "reddit" else None,
            verified=is_influencer and followers > 100_000,
            created_at=created,
        )
        chosen: Lang = lang or ("fr" if rng.random() < 0.6 else "en")
        return _Persona(author=author, lang=chosen, mood=mood, is_influencer=is_influencer)

    def _tone(self, persona: _Persona, is_burst: bool) -> Tone:
        rng = self._rng
        negative = persona.mood + (0.45 if is_burst else 0.0)
        roll = rng.random()
        if roll < negative * 0.75:
            if is_burst:
                return rng.choices(("outage", "complaint", "churn"), weights=(6, 3, 2))[0]
            return rng.choices(("complaint", "churn", "confusion"), weights=(6, 1, 2))[0]
        return rng.choices(("question", "suggestion", "praise", "neutral"), weights=(3, 2, 3, 4))[0]

    def _text(self, tone: Tone, lang: Lang, brand: str, competitor: str) -> str:
        rng = self._rng
        template = rng.choice(_TEMPLATES[tone][lang])
        brand_ref = rng.choice((brand, brand, f"@{HANDLES[brand]}", f"#{brand.lower()}"))
        mood = tone in _NEGATIVE
        core = template.format(
            brand=brand_ref,
            product=rng.choice(_PRODUCTS[lang]),
            duration=rng.choice(_DURATIONS[lang]),
            feature=rng.choice(_FEATURES[lang]),
            competitor=competitor,
            tag=f"#{brand.lower()}down",
        )
        core = self._reword(core, lang)
        core = core[0].upper() + core[1:]
        opener = rng.choice(_OPENERS[mood][lang]).format(brand=brand_ref)
        closer = rng.choice(_CLOSERS[mood][lang])
        if opener.endswith((",", ":")) and not core.startswith(("#", "@", "I ")):
            core = core[0].lower() + core[1:]
        return " ".join(part for part in (opener, core, closer) if part)

    def _reword(self, text: str, lang: Lang) -> str:
        """Slip a few filler words into the sentence, as people do; shared templates stop looking copied."""
        rng = self._rng
        words = text.split()
        for _ in range(rng.randint(2, 3)):
            words.insert(rng.randint(1, len(words)), rng.choice(_FILLERS[lang]))
        return " ".join(words)

    def _simulate(self) -> list[Mention]:
        rng = self._rng
        out: list[Mention] = []
        settings = self.settings
        for day in range(settings.days):
            day_start = self.start + timedelta(days=day)
            is_burst_day = day == self.burst_day
            for brand, share in ((BRAND, 1.0), (COMPETITORS[0], 0.45), (COMPETITORS[1], 0.35)):
                volume = int(settings.daily_brand_volume * share * rng.uniform(0.8, 1.2))
                for _ in range(volume):
                    out.append(self._post(day_start, brand, is_burst=False))
                if is_burst_day and brand == BRAND:
                    out.extend(self._burst(day_start))
        return out

    def _post(self, day_start: datetime, brand: str, *, is_burst: bool, hour: float | None = None,
              persona: _Persona | None = None) -> Mention:
        rng = self._rng
        persona = persona or rng.choice(self.personas)
        others = [c for c in (BRAND, *COMPETITORS) if c != brand]
        tone = self._tone(persona, is_burst)
        text = self._text(tone, persona.lang, brand, rng.choice(others))
        if hour is None:
            hour = min(23.99, max(0.0, rng.gauss(14, 4)))
        published = day_start + timedelta(hours=hour, seconds=rng.randint(0, 59))
        reach = (persona.author.followers or persona.author.karma or 10)
        heat = 4.0 if tone in ("outage", "churn") and is_burst else 1.0
        likes = int(rng.paretovariate(2.5) * math.sqrt(reach) * 0.3 * heat)
        reposts = int(likes * rng.uniform(0.05, 0.4))
        replies = int(likes * rng.uniform(0.02, 0.2))
        platform = persona.author.external_id.split(":", 1)[0]
        ident = f"{platform}-{_stable_int(self.settings.seed, published.isoformat(), text) % 10**12}"
        return Mention(
            source="demo",
            external_id=ident,
            text=text,
            author=persona.author,
            published_at=published,
            fetched_at=published,
            url=f"https://demo.invalid/{platform}/{persona.author.handle}/{ident}",
            lang=persona.lang,
            metrics=Metrics(likes=likes, reposts=reposts, replies=replies),
            hashtags=tuple(w[1:].lower() for w in text.split() if w.startswith("#")),
            mentioned_handles=tuple(w[1:].lower().rstrip(".,!?") for w in text.split() if w.startswith("@")),
            raw={"simulated": True, "platform": platform, "tone": tone, "brand": brand},
        )

    def _burst(self, day_start: datetime) -> list[Mention]:
        """The outage: ~4x the usual negative volume in a few hours, led by influential voices."""
        rng = self._rng
        burst: list[Mention] = []
        leaders = [p for p in self.personas if p.is_influencer and p.mood > 0.9]
        for persona in leaders:
            for k in range(3):
                burst.append(self._post(day_start, BRAND, is_burst=True, hour=8.5 + k * 1.5, persona=persona))
        for _ in range(int(self.settings.daily_brand_volume * 2.5)):
            burst.append(self._post(day_start, BRAND, is_burst=True, hour=rng.uniform(8, 14)))
        # Echoes: reposts of the loudest posts, so reach and grouping have something to count.
        loud = sorted(burst, key=lambda m: m.metrics.total(), reverse=True)[:6]
        for original in loud:
            for _ in range(rng.randint(4, 9)):
                reposter = rng.choice(self.personas)
                when = original.published_at + timedelta(minutes=rng.randint(2, 180))
                ident = f"rp-{_stable_int(original.external_id, reposter.author.handle, when) % 10**12}"
                burst.append(Mention(
                    source="demo", external_id=ident, text=original.text, author=reposter.author,
                    published_at=when, fetched_at=when, url=original.url, lang=original.lang,
                    references=(Reference(kind="repost", external_id=original.external_id,
                                          author_external_id=original.author.external_id),),
                    hashtags=original.hashtags, mentioned_handles=original.mentioned_handles,
                    metrics=Metrics(likes=0, reposts=0, replies=0),
                    raw={"simulated": True, "repost_of": original.external_id},
                ))
        return burst


def _mentions_topic(mention: Mention, topic_id: str) -> bool:
    return mention.raw.get("brand", "").lower() == topic_id or topic_id in mention.text.lower()


class DemoConnector:
    """Serve the simulated timeline as a source; ``clock`` says how far simulated time has run."""

    name: ClassVar[str] = "demo"
    is_offline: ClassVar[bool] = True
    """No HTTP at all: the conformance suite (429, 401, 5xx from a server) does not apply."""
    options: ClassVar[tuple[str, ...]] = ("seed", "days", "start")
    """The ``sources.demo`` keys :meth:`from_settings` reads."""

    def __init__(self, world: DemoWorld, clock: Clock, page_size: int = 500) -> None:
        self.world = world
        self.clock = clock
        self.page_size = page_size

    @classmethod
    def from_settings(cls, values: Mapping[str, Any], *, clock: Clock) -> DemoConnector:
        """Return the demo source of the configured world, its days ending at midnight of ``clock()``."""
        settings = DemoSettings(**{k: v for k, v in values.items() if v is not None})
        return cls(DemoWorld(settings, now=clock()), clock=clock)

    def fetch(self, query: Query, cursor: Cursor | None) -> Batch:
        """Return mentions of the query's topic published after the cursor and up to the clock."""
        since = datetime.fromisoformat(str(cursor.get("until"))) if cursor and cursor.get("until") else None
        until = min(self.clock(), self.world.end)
        selected: list[Mention] = []
        for mention in self.world.mentions:
            if since is not None and mention.published_at <= since:
                continue
            if mention.published_at > until:
                break
            if _mentions_topic(self._original(mention), query.id):
                selected.append(mention)
        fetched = [_with_query(m, query.id, until) for m in selected]
        is_forward = since is None or until > since
        next_cursor = Cursor({"until": until.isoformat()}) if is_forward else cursor
        return Batch(mentions=tuple(fetched), next_cursor=next_cursor, requests=1)

    def _original(self, mention: Mention) -> Mention:
        original = mention.reposted_id
        return mention if original is None else self.world.by_id.get(original, mention)


def _with_query(mention: Mention, query_id: str, fetched_at: datetime) -> Mention:
    return replace(mention, query_id=query_id, fetched_at=max(fetched_at, mention.published_at))


def demo_queries() -> Sequence[Query]:
    """Return the demo's three topics as connector queries."""
    return [Query(id=i, name=n, role=r, expression=q) for i, n, r, q in DEMO_TOPICS]  # type: ignore[arg-type]
