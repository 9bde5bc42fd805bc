"""The offline demo: a simulated week of mentions run through every stage listener has, on real storage.

It drives the same code the service runs — the demo connector through ``jobs.collect.run_once`` and the
topic matcher, the real repository on a SQLite file, then the analysis and alert stages — with a
simulated clock, so what the demo shows is what the product does. Deterministic for a given seed.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date, format_datetime

from alerts.i18n import translator
from connectors.demo import DEMO_TOPICS, DemoConnector, DemoSettings, DemoWorld, demo_queries
from listener.author_report import demo_sections
from listener.config import DatabaseSettings, Settings, parse_settings
from listener.core.model import Query
from listener.jobs.collect import run_once
from listener.jobs.echoes import refresh_echo_groups
from listener.wiring import load_analyzer, replay_alerts, repository_at, topic_matcher

if TYPE_CHECKING:
    from analysis.analyzer import Analyzer
    from storage import Repository, StoredMention

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
"""``progress(step, done, total)``: the CLI draws bars from it; tests pass a recorder."""


@dataclass(frozen=True, slots=True, kw_only=True)
class TopicDay:
    """Volume of one topic on one simulated day."""

    topic_id: str
    day: date
    mentions: int


@dataclass(slots=True, kw_only=True)
class DemoReport:
    """What the demo found, for the screen summary and for tests."""

    db_path: Path
    config_path: Path
    start: datetime
    end: datetime
    stored: int = 0
    runs: int = 0
    failures: int = 0
    echoes: int = 0
    by_lang: Counter[str] = field(default_factory=Counter)
    by_topic: Counter[str] = field(default_factory=Counter)
    daily: list[TopicDay] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    """The stages that ran, in order (collection, storage, analysis, ...)."""
    sections: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    """Extra tables filled by later stages: title -> rows (titles in ``language``)."""
    language: str = "en"
    """The language of the demo config's messages (``language``), in which the summary is printed."""

    @property
    def share_of_voice(self) -> dict[str, float]:
        """Return each topic's share of all topic mentions."""
        total = sum(self.by_topic.values()) or 1
        return {topic: count / total for topic, count in self.by_topic.most_common()}


def _noop(_step: str, _done: int, _total: int) -> None:
    return None


def collect(world: DemoWorld, repository: Repository, queries: Sequence[Query], *, tick: timedelta,
            progress: Progress = _noop) -> tuple[int, int]:
    """Advance the simulated clock tick by tick, collecting every topic as the scheduler would."""
    clock = [world.start]
    connector = DemoConnector(world, clock=lambda: clock[0])
    matcher = topic_matcher([(q.id, q.expression) for q in queries])
    steps = int((world.end - world.start) / tick)
    runs = failures = 0
    for step in range(1, steps + 1):
        clock[0] = world.start + step * tick
        for query in queries:
            outcome = run_once(connector, query, repository, matcher, now=lambda: clock[0])
            runs += 1
            failures += 0 if outcome.is_success else 1
        progress("collect", step, steps)
    return runs, failures


def _all_mentions(repository: Repository) -> list[StoredMention]:
    from storage import MentionFilter

    return repository.search_mentions(MentionFilter(order="oldest", limit=None))


def summarise(report: DemoReport, stored: Sequence[StoredMention]) -> None:
    """Fill the report's counts from what storage holds."""
    report.stored = len(stored)
    per_day: dict[tuple[str, date], int] = defaultdict(int)
    for item in stored:
        report.by_lang[item.lang or "?"] += 1
        for topic in item.topics:
            report.by_topic[topic] += 1
            per_day[(topic, item.mention.published_at.date())] += 1
    days = sorted({d for _, d in per_day})
    report.daily = [
        TopicDay(topic_id=t, day=d, mentions=per_day[(t, d)]) for t, *_ in DEMO_TOPICS for d in days
    ]


def demo_config(db_path: Path) -> str:
    """Return a config pointing at the demo database, so every command can explore what it holds."""
    topics = "".join(
        f"  - {{id: {i}, name: {n}, role: {r}, query: '{q}'}}\n" for i, n, r, q in DEMO_TOPICS
    )
    return (f"# written by 'listener demo': its database and topics\n"
            f"database:\n  url: sqlite:///{db_path.resolve()}\n"
            f"data_dir: {db_path.resolve().parent}\ntopics:\n{topics}")


def demo_settings(db_path: Path) -> Settings:
    """Return the shipped starter config (its topics, rules, console channel) on the demo database."""
    from listener.cli.init import starter_config

    base = parse_settings(starter_config(), source="starter config")
    return base.model_copy(update={
        "database": DatabaseSettings(url=f"sqlite:///{db_path.resolve()}"),
        "data_dir": db_path.resolve().parent,
    })


def analyse_all(settings: Settings, repository: Repository, *, now: datetime, progress: Progress) -> Analyzer:
    """Run every analysis stage over what was collected (building the local model on first use)."""
    from listener.analyse import run

    model = load_analyzer(settings, say=lambda message: logger.warning("demo: %s", message))
    total = repository.count_mentions()
    run(repository, model, batch_size=settings.analysis.batch_size, now=now,
        progress=lambda stage, done: progress(stage, min(done, total), total))
    return model


def _short(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _loudest(stored: Sequence[StoredMention], limit: int = 5) -> list[StoredMention]:
    originals = [s for s in stored if s.echo_of_id is None]
    return sorted(originals, key=lambda s: (-(s.mention.metrics.total() + 3 * s.echo_count), s.id))[:limit]


def analysis_sections(repository: Repository, lang: str = "en") -> dict[str, list[tuple[str, ...]]]:
    """Sentiment per topic, and the complaints, questions and churn threats that draw most echo."""
    from storage import MentionFilter

    _ = translator(lang)
    sections: dict[str, list[tuple[str, ...]]] = {}
    rows: list[tuple[str, ...]] = [(_("topic"), _("negative"), _("neutral"), _("positive"), _("analysed"))]
    for topic, *_rest in DEMO_TOPICS:
        counts = {label: repository.count_mentions(MentionFilter(topics=(topic,), sentiments=(label,)))
                  for label in ("negative", "neutral", "positive")}
        total = sum(counts.values()) or 1
        rows.append((topic, *(f"{counts[k] / total:.0%}" for k in ("negative", "neutral", "positive")),
                     str(sum(counts.values()))))
    sections[_("Sentiment by topic")] = rows
    for title, intent in ((_("Top complaints (most engagement)"), "complaint"),
                          (_("Questions to answer"), "question")):
        found = repository.search_mentions(MentionFilter(topics=("lumio",), intents=(intent,), limit=None))
        sections[title] = [(f"@{s.mention.author.handle}", s.lang or "?", _short(s.mention.text))
                           for s in _loudest(found)]
    negative = repository.search_mentions(MentionFilter(topics=("lumio",), sentiments=("negative",),
                                                        include_echoes=False, limit=None))
    churn: list[tuple[str, ...]] = []
    for stored in negative:
        for annotation in repository.annotations_for(stored.id):
            if annotation.stage == "signals" and annotation.scores.get("churn", 0.0) >= 0.5:
                churn.append((f"@{stored.mention.author.handle}", f"{annotation.scores['churn']:.2f}",
                              _short(annotation.explanation or stored.mention.text, 90)))
    sections[_("Churn threats ({count}; showing 5)").format(count=len(churn))] = churn[:5]
    return sections


def demo_alerts(settings: Settings, repository: Repository, *, start: datetime, end: datetime
                ) -> list[tuple[str, ...]]:
    """Evaluate the alert rules hour by hour over the simulated week, as the service would have.

    The alerts and their deliveries to the console channel are stored, so ``listener alerts`` shows
    afterwards what the demo showed; nothing is sent anywhere else.
    """
    from alerts.notifiers import LogNotifier

    notifier = LogNotifier("console", lang=settings.language, tz=settings.timezone)
    replay_alerts(settings, repository, start=start, end=end, step=timedelta(hours=1),
                  notifiers={"console": notifier}, store=True)
    _ = translator(settings.language)
    severities = {"critical": _("critical"), "warning": _("warning"), "info": _("info")}
    return [(when_text(alert.window_end, settings.language), severities.get(alert.severity, alert.severity),
             rendered.subject) for alert, rendered in notifier.sent]


def theme_vectors(settings: Settings, repository: Repository, *, start: datetime, end: datetime,
                  progress: Progress = _noop) -> None:
    """Store the theme vectors of the week's unhappy mentions (plain e5), as the trends step does.

    Done before the alerts are replayed, so the spike alerts the demo stores (what ``listener alerts``
    shows) name their themes too; already stored vectors are not computed again.
    """
    from analysis.discontent import is_discontent
    from listener import trends_report
    from listener.wiring import theme_encoder

    unhappy = [m for m in trends_report.load_mentions(repository, [], start, end) if is_discontent(m)]
    progress("theme vectors", 0, len(unhappy))
    trends_report.vectors_for(repository, unhappy, lambda: theme_encoder(settings))
    progress("theme vectors", len(unhappy), len(unhappy))


def trends_index(repository: Repository) -> None:
    """Bring the rollups, the term index and the per-day term counts up to date, as the trends step does.

    The Trends page and ``/api/trends/*`` only read them (the service's trends step keeps them fresh);
    without this the demo's page found no mention in any window and said "not enough data".
    """
    from listener import trends_report

    repository.refresh_rollups()
    trends_report.refresh_term_index(repository)


def spike_sections(settings: Settings, repository: Repository, *, start: datetime, end: datetime,
                   progress: Progress = _noop) -> dict[str, list[tuple[str, ...]]]:
    """The outage explained, as the first spike alert and the outage day's digest tell it.

    Theme vectors of the week's unhappy mentions are computed first (plain e5, stored), as
    ``listener themes`` would, so the explanation can name themes.
    """
    from alerts.messages import drivers_text
    from listener.jobs.digest import make_digest
    from listener.wiring import digest_drivers, window_reader

    theme_vectors(settings, repository, start=start, end=end, progress=progress)
    _ = translator(settings.language)
    sections: dict[str, list[tuple[str, ...]]] = {}
    spikes = [a for _, a in replay_alerts(settings, repository, start=start, end=end, step=timedelta(hours=1))
              if a.kind == "negative_spike" and "drivers" in a.details]
    if spikes:
        first = spikes[0]
        text = drivers_text(first.details["drivers"], settings.language)
        when = when_text(first.window_end, settings.language)
        sections[_("In the alert of {when}: what drove the spike").format(when=when)] = [
            (line,) for line in text.splitlines()]
    reader = window_reader(settings, repository)
    busiest = max(((end - timedelta(days=d)).date() for d in range(1, 8)),
                  key=lambda day: repository.count_mentions(_day_filter(day)))
    digest = make_digest(settings, lambda s, e: reader.read(e, e - s), busiest,
                         digest_drivers(settings, repository))
    lang = settings.language
    lines = [line for story in digest.drivers for line in drivers_text(dict(story), lang).splitlines()]
    day_name = format_date(busiest, "EEE dd/MM", locale=settings.language)
    sections[_("In the digest of {day}").format(day=day_name)] = (
        [(line,) for line in lines] or [(_("no spike that day"),)])
    return sections


def when_text(at: datetime, lang: str) -> str:
    """A short day and time in the reader's language ("sam. 28 13:00", "Sat 28 13:00")."""
    return format_datetime(at, "EEE dd HH:mm", tzinfo=UTC, locale=lang)


def _day_filter(day: date) -> Any:
    from storage import MentionFilter

    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return MentionFilter(since=start, until=start + timedelta(days=1), sentiments=("negative",))


def run_demo(db_path: Path, *, now: datetime, seed: int = 42, days: int = 7, start: datetime | None = None,
             progress: Progress = _noop) -> DemoReport:
    """Simulate ``days`` days into a fresh SQLite file at ``db_path`` and run every stage on them.

    The simulated days end at midnight UTC of ``now`` (so the demo is always last week's news, and
    ``listener mentions --since 2d`` finds its latest days), unless ``start`` pins them.
    """
    world = DemoWorld(DemoSettings(seed=seed, days=days, start=start), now=now)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    repository = repository_at(f"sqlite:///{db_path}")
    config_path = db_path.with_suffix(".yaml")
    config_path.write_text(demo_config(db_path), encoding="utf-8")
    report = DemoReport(db_path=db_path, config_path=config_path, start=world.start, end=world.end)
    try:
        repository.upgrade()
        report.runs, report.failures = collect(world, repository, demo_queries(), tick=timedelta(hours=3),
                                               progress=progress)
        settings = demo_settings(db_path)
        report.language = settings.language
        _ = translator(settings.language)
        report.stages += [_("collect"), _("match topics"), _("store")]
        model = analyse_all(settings, repository, now=report.end, progress=progress)
        report.stages += [_("language"), _("sentiment"), _("intent"), _("signals")]
        report.echoes = refresh_echo_groups(repository, since=report.start, until=report.end)
        report.stages.append(_("group echoes"))
        from listener.idea_box.demo_ideas import idea_sections

        ideas = idea_sections(repository, model.encoder.embed, demo_queries(),
                              since=report.start, now=report.end, lang=settings.language)
        report.stages.append(_("ideas"))
        summarise(report, _all_mentions(repository))
        report.sections.update(analysis_sections(repository, settings.language))
        report.sections.update(ideas)
        report.sections.update(demo_sections(repository, now=report.end, lang=settings.language))
        report.stages.append(_("authors"))
        theme_vectors(settings, repository, start=report.start, end=report.end, progress=progress)
        trends_index(repository)
        report.sections[_("Alerts the community manager received (console channel)")] = demo_alerts(
            settings, repository, start=report.start, end=report.end)
        report.stages.append(_("alerts"))
        report.sections.update(spike_sections(settings, repository, start=report.start, end=report.end,
                                              progress=progress))
        report.stages.append(_("what drove the spike"))
    finally:
        repository.close()
    return report
