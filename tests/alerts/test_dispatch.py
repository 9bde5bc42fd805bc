"""The dispatcher over real channels: store before send, retry with backoff, health, never twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from alert_receivers import Inbox, Webhook, free_port  # type: ignore[import-not-found]

from alerts.dispatch import Dispatcher, MemoryAlertLog, retry_delay
from alerts.notifiers import EmailNotifier, SmtpConfig, chat_notifier
from alerts.notifiers.base import Notifier
from alerts.rules import Rule
from alerts.window import HistoryBucket, Window, WindowMention

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


def burst_window(now: datetime, negatives: int = 30) -> Window:
    history = {"acme": tuple(HistoryBucket(start=now - timedelta(hours=h), total=10, negative=1 + h % 3)
                             for h in range(48, 1, -1))}
    mentions = tuple(WindowMention(id=i, source="demo", text=f"c'est une honte {i}",
                                   published_at=now - timedelta(minutes=1 + i % 50), author_key=f"demo:u{i}",
                                   author_handle=f"u{i}", url=f"https://social.example/{i}",
                                   topics=("acme",), sentiment="negative") for i in range(negatives))
    return Window(start=now - timedelta(hours=1), end=now, mentions=mentions, history=history)


def test_retry_delay_doubles_up_to_the_cap() -> None:
    cap = timedelta(minutes=10)
    assert [retry_delay(n, cap).total_seconds() / 60 for n in range(1, 7)] == [1, 2, 4, 8, 10, 10]


def test_one_failing_channel_never_blocks_the_others(smtp_inbox: Inbox, webhook: Webhook) -> None:
    webhook.statuses = [500]
    notifiers: dict[str, Notifier] = {
        "mail": EmailNotifier("mail", smtp=SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port),
                              to=("cm@acme.test",)),
        "hook": chat_notifier("hook", f"json://{webhook.url}/hook"),
        "down": EmailNotifier("down", smtp=SmtpConfig(host="127.0.0.1", port=free_port(), timeout_s=2),
                              to=("cm@acme.test",)),
    }
    log = MemoryAlertLog()
    rule = Rule(id="spike", kind="negative_spike", channels=("mail", "hook", "down"))
    dispatcher = Dispatcher(log, notifiers, [rule], retry_max=timedelta(minutes=30))

    first = dispatcher.tick(burst_window(NOW), NOW)
    assert [a.details["phase"] for a in first.decided] == ["opened"]
    assert {(d.channel, d.is_ok) for d in first.deliveries} == {("mail", True), ("hook", False),
                                                                ("down", False)}
    assert len(smtp_inbox.received) == 1

    # 30 s later: the same burst is no news, and the failed channels are still backing off
    later = NOW + timedelta(seconds=30)
    second = dispatcher.tick(burst_window(later), later)
    assert second.decided == () and second.deliveries == ()

    # after the first backoff minute the webhook gets the very same alert; e-mail is not resent
    retry_at = NOW + timedelta(seconds=61)
    third = dispatcher.tick(burst_window(retry_at), retry_at)
    assert {(d.channel, d.is_ok) for d in third.deliveries} == {("hook", True), ("down", False)}
    assert len(webhook.posts) == 2 and webhook.posts[0][1] == webhook.posts[1][1]
    assert len(smtp_inbox.received) == 1

    # the dead channel keeps being retried (after 2 min, then 4 min): four failures, unhealthy from 3
    for minutes in (3.1, 7.2):
        at = NOW + timedelta(minutes=minutes)
        dispatcher.tick(burst_window(at), at)
    health = dispatcher.health(NOW + timedelta(minutes=8))
    assert health["down"].consecutive_failures == 4 and not health["down"].is_healthy
    assert health["down"].last_error is not None and "ConnectionRefusedError" in health["down"].last_error
    assert health["mail"].is_healthy and health["hook"].is_healthy
    assert len(log.alerts) == 1


def test_restart_with_the_same_log_sends_nothing_twice(smtp_inbox: Inbox) -> None:
    log = MemoryAlertLog()
    rule = Rule(id="spike", kind="negative_spike", channels=("mail",))
    smtp = SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port)

    def fresh() -> Dispatcher:
        return Dispatcher(log, {"mail": EmailNotifier("mail", smtp=smtp, to=("cm@acme.test",))}, [rule])

    fresh().tick(burst_window(NOW), NOW)
    again = fresh().tick(burst_window(NOW), NOW)  # a restarted process re-running the same tick
    assert again.decided == () and again.deliveries == ()
    assert len(smtp_inbox.received) == 1
