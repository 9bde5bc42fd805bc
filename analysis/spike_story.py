"""What drove this spike: the themes and rising terms behind it, who carried it, how rivals moved.

Spike alerts, alert thread updates and the digest attach a :class:`SpikeStory`, so a community
manager reads why the count jumped, not only that it did: the themes (when vectors exist) and the
rising terms of the spike's hours against the topic's previous days, the sources, the top authors,
the share that is echoes (reposts and copies), three representative mentions and how each
competitor's volume moved in the same hours. :func:`render` writes it in French or English.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from analysis.rising import rising_terms
from analysis.terms import readable, spellings
from analysis.themes import Themes
from analysis.trend_input import TrendMention


@dataclass(frozen=True, slots=True, kw_only=True)
class Move:
    """A competitor's mentions in the spike's hours against its usual count for that long."""

    topic: str
    count: int
    usual: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SpikeStory:
    """The explanation of one spike, as plain data (JSON-ready through :func:`as_json`)."""

    topic: str
    start: datetime
    end: datetime
    mentions: int
    negative: int
    themes: tuple[tuple[str, int], ...] = ()
    terms: tuple[str, ...] = ()
    sources: tuple[tuple[str, int], ...] = ()
    authors: tuple[tuple[str, int, float], ...] = ()
    echo_share: float = 0.0
    examples: tuple[tuple[int, str, str, str | None], ...] = ()
    """Three representative mentions: id, author handle, text (cut), url."""
    competitors: tuple[Move, ...] = ()


def explain(
    topic: str,
    spike: Sequence[TrendMention],
    history: Sequence[TrendMention],
    *,
    start: datetime,
    end: datetime,
    themes: Themes | None = None,
    competitors: Mapping[str, tuple[int, float]] | None = None,
) -> SpikeStory:
    """Explain the spike of ``topic`` in ``[start, end)`` from its mentions and the days before."""
    window = max(end - start, timedelta(hours=1))
    lookback = int(timedelta(days=7) / window)
    rising = rising_terms(
        [*history, *spike], now=end, window=window, baseline_windows=max(lookback, 3), min_count=2
    )
    forms = spellings(m.text for m in spike)
    terms = tuple(readable(g.label, forms) for g in rising.groups[:5]) if rising.status == "ok" else ()
    by_id = {m.id: m for m in spike}
    found: list[tuple[str, int]] = []
    examples: list[TrendMention] = []
    if themes is not None and themes.status == "ok":
        found = [(t.label, t.size) for t in themes.themes[:3]]
        examples = [by_id[t.representative_id] for t in themes.themes[:3] if t.representative_id in by_id]
    negatives = [m for m in spike if m.is_negative] or list(spike)
    for m in sorted(negatives, key=lambda m: (m.echo_of is not None, -m.reach, m.id)):
        if len(examples) >= 3:
            break
        if all(m.author != e.author for e in examples):  # three voices, not one voice three times
            examples.append(m)
    sources = Counter(m.source for m in spike).most_common(4)
    # voices are counted on distinct posts: reposting or copying someone's post does not make an author
    authors: Counter[str] = Counter(m.author_handle or m.author for m in spike if m.echo_of is None)
    reach = {m.author_handle or m.author: m.reach for m in spike}
    top = sorted(authors, key=lambda a: (-authors[a] * (1 + reach[a]), a))[:3]
    moves = tuple(Move(topic=t, count=c, usual=u) for t, (c, u) in sorted((competitors or {}).items()))
    return SpikeStory(
        topic=topic,
        start=start,
        end=end,
        mentions=len(spike),
        negative=sum(m.is_negative for m in spike),
        themes=tuple(found),
        terms=terms,
        sources=tuple(sources),
        authors=tuple((a, authors[a], reach[a]) for a in top),
        echo_share=sum(1 for m in spike if m.echo_of is not None) / len(spike) if spike else 0.0,
        examples=tuple(
            (m.id, m.author_handle or m.author, " ".join(m.text.split())[:200], m.url) for m in examples
        ),
        competitors=moves,
    )


_WORDS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "title": "What drove this spike",
        "themes": "Themes",
        "terms": "Rising terms",
        "sources": "Sources",
        "authors": "Top authors",
        "echoes": "Echoes (reposts, copies)",
        "examples": "Representative mentions",
        "rivals": "Competitors in the same hours",
        "usual": "usual",
        "none": "nothing notable",
        "mentions": "mentions",
        "reach": "reach",
        "empty": "No mention in this window: nothing to explain.",
    },
    "fr": {
        "title": "Ce qui explique ce pic",
        "themes": "Thèmes",
        "terms": "Termes en hausse",
        "sources": "Sources",
        "authors": "Auteurs principaux",
        "echoes": "Échos (partages, copies)",
        "examples": "Mentions représentatives",
        "rivals": "Concurrents sur les mêmes heures",
        "usual": "habituellement",
        "none": "rien de notable",
        "mentions": "mentions",
        "reach": "audience",
        "empty": "Aucune mention sur cette période : rien à expliquer.",
    },
}


def render(story: SpikeStory, lang: str = "en") -> str:
    """Write the story as plain text lines in ``lang`` (``fr`` or ``en``, with its typography)."""
    fr = lang == "fr"
    w = _WORDS["fr" if fr else "en"]
    colon = "\u00a0: " if fr else ": "

    def num(value: float) -> str:
        text = f"{value:,.0f}"
        return text.replace(",", "\u202f") if fr else text

    if not story.mentions:
        return w["empty"]
    lines = [f"{w['title']} ({story.topic}, {story.mentions} {w['mentions']}){colon.rstrip()}"]
    if story.themes:
        lines.append(f"- {w['themes']}{colon}" + "; ".join(f"{label} ({n})" for label, n in story.themes))
    lines.append(f"- {w['terms']}{colon}" + (", ".join(story.terms) if story.terms else w["none"]))
    lines.append(f"- {w['sources']}{colon}" + ", ".join(f"{s} {n}" for s, n in story.sources))
    lines.append(
        f"- {w['authors']}{colon}"
        + ", ".join(f"@{a} ({n}, {w['reach']} {num(r)})" for a, n, r in story.authors)
    )
    share = f"{story.echo_share * 100:.0f}\u202f%" if fr else f"{story.echo_share:.0%}"
    lines.append(f"- {w['echoes']}{colon}{share}")
    if story.competitors:
        lines.append(
            f"- {w['rivals']}{colon}"
            + ", ".join(f"{m.topic} {m.count} ({w['usual']} {num(m.usual)})" for m in story.competitors)
        )
    lines.append(f"- {w['examples']}{colon.rstrip()}")
    lines += [
        f"  · @{handle}{colon}{text}" + (f" {url}" if url else "") for _, handle, text, url in story.examples
    ]
    return "\n".join(lines)


def as_json(story: SpikeStory) -> dict[str, Any]:
    """The story as JSON-compatible data (alert details, API)."""
    return {
        "topic": story.topic,
        "start": story.start.isoformat(),
        "end": story.end.isoformat(),
        "mentions": story.mentions,
        "negative": story.negative,
        "themes": [list(t) for t in story.themes],
        "terms": list(story.terms),
        "sources": [list(s) for s in story.sources],
        "authors": [list(a) for a in story.authors],
        "echo_share": story.echo_share,
        "examples": [{"id": i, "author": a, "text": t, "url": u} for i, a, t, u in story.examples],
        "competitors": [{"topic": m.topic, "count": m.count, "usual": m.usual} for m in story.competitors],
    }


def from_json(data: Mapping[str, Any]) -> SpikeStory:
    """Rebuild a story from :func:`as_json` output (what alerts store in their details)."""
    return SpikeStory(
        topic=str(data.get("topic", "")),
        start=datetime.fromisoformat(str(data["start"])),
        end=datetime.fromisoformat(str(data["end"])),
        mentions=int(data.get("mentions", 0)),
        negative=int(data.get("negative", 0)),
        themes=tuple((str(t[0]), int(t[1])) for t in data.get("themes", [])),
        terms=tuple(str(t) for t in data.get("terms", [])),
        sources=tuple((str(s[0]), int(s[1])) for s in data.get("sources", [])),
        authors=tuple((str(a[0]), int(a[1]), float(a[2])) for a in data.get("authors", [])),
        echo_share=float(data.get("echo_share", 0.0)),
        examples=tuple(
            (int(e["id"]), str(e["author"]), str(e["text"]), e.get("url")) for e in data.get("examples", [])
        ),
        competitors=tuple(
            Move(topic=str(c["topic"]), count=int(c["count"]), usual=float(c["usual"]))
            for c in data.get("competitors", [])
        ),
    )
