"""The daily digest: figures from pandas aggregates, and the e-mail with its inline chart over aiosmtpd."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from alert_receivers import Inbox  # type: ignore[import-not-found]

from alerts.digest import build_digest, digest_message, digest_span
from alerts.notifiers.email import SmtpConfig, send_message
from alerts.window import Window, WindowMention

DAY = date(2026, 3, 10)


def week() -> Window:
    """Eight Paris days: acme has 10 mentions a day (2 negative), 20 on the digest day (8 negative)."""
    mentions: list[WindowMention] = []
    i = 0
    for back in range(7, -1, -1):
        local_noon = datetime(2026, 3, 10, 11, 0, tzinfo=UTC) - timedelta(days=back)  # 12:00 in Paris
        volume, negatives = (20, 8) if back == 0 else (10, 2)
        for k in range(volume):
            intents: tuple[str, ...] = ()
            if back == 0 and k == 10:
                intents = ("question",)
            if back == 0 and k == 11:
                intents = ("suggestion",)
            mentions.append(WindowMention(
                id=i, source="demo", text=f"mention {i} about acme",
                published_at=local_noon + timedelta(minutes=k),
                author_key=f"demo:u{k % 4}", author_handle=f"u{k % 4}", url=f"https://social.example/{i}",
                topics=("acme",), followers=100 * k, intents=intents,
                sentiment="negative" if k < negatives else "positive"))
            i += 1
        for _ in range(5 if back == 0 else 2):  # the competitor
            mentions.append(WindowMention(
                id=i, source="demo", text="rival news", published_at=local_noon, author_key="demo:r",
                author_handle="r", topics=("rival",), sentiment="neutral"))
            i += 1
    start, end = digest_span(DAY, "Europe/Paris")
    return Window(start=start, end=end, mentions=tuple(mentions))


def test_digest_figures() -> None:
    digest = build_digest(week(), DAY, tz="Europe/Paris", names={"acme": "ACME", "rival": "Rival"},
                          roles={"acme": "brand", "rival": "competitor"})
    acme, rival = digest.topics
    assert (acme.volume, acme.negative, acme.previous_volume, acme.week_avg_volume) == (20, 8, 10, 10.0)
    assert acme.negative_share == 0.4
    assert acme.share_of_voice == 20 / 25 and rival.share_of_voice == 5 / 25
    assert rival.role == "competitor" and rival.previous_volume == 2
    assert [v for _, v, _ in digest.daily["acme"]] == [10] * 7 + [20]
    assert len(digest.top_negative) == 5
    assert [m["id"] for m in digest.open_questions] == [7 * 12 + 10]
    assert [m["intents"] for m in digest.open_questions] == ["question"]
    assert len(digest.suggestions) == 1
    assert digest.chart_png.startswith(b"\x89PNG")


def test_digest_email_with_inline_chart(smtp_inbox: Inbox) -> None:
    digest = build_digest(week(), DAY, tz="Europe/Paris", names={"acme": "ACME"})
    sent_at = datetime(2026, 3, 11, 7, 30, tzinfo=UTC)
    message = digest_message(digest, "fr", sender="veille@acme.test", to=["cm@acme.test"], now=sent_at)
    assert message["Date"] == "Wed, 11 Mar 2026 07:30:00 +0000"  # the injected clock, not the wall clock
    send_message(SmtpConfig(host=smtp_inbox.host, port=smtp_inbox.port), message, ["cm@acme.test"])
    [(envelope, received)] = smtp_inbox.received
    assert envelope.rcpt_tos == ["cm@acme.test"]
    assert received["Subject"] == "[listener] Synthèse quotidienne du 10/03/2026"
    html = received.get_body(("html",))
    text = received.get_body(("plain",))
    assert html is not None and text is not None
    assert 'src="cid:chart"' in html.get_content()
    assert "ACME" in text.get_content() and "+100%" in text.get_content()
    images = [p for p in received.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    assert images[0]["Content-ID"] == "<chart>"
    assert images[0].get_payload(decode=True).startswith(b"\x89PNG")
    assert 'href="https://social.example/' in html.get_content()
    assert "max-width:600px" in html.get_content()  # single column for phones
