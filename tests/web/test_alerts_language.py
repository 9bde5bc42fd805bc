"""Alerts and trend reasons read in the reader's language on the API and the dashboard.

The stored ``title`` and ``summary`` are the rule's English words; ``label``, ``headline`` and ``why``
are told from the stored numbers in the signed-in user's language.
"""

from __future__ import annotations

from datetime import timedelta

from web_env import NOW, WebEnv

from listener.core.model import Alert


def test_an_alert_speaks_each_readers_language(sqlite_env: WebEnv) -> None:
    alert_id = sqlite_env.repo.record_alert(Alert(
        rule_id="lumio-spike", kind="negative_spike", subject="lumio", severity="critical",
        window_start=NOW - timedelta(hours=1), window_end=NOW,
        title="Negative spike on lumio: 12 negative mentions", summary="12 negative mentions in 1h",
        details={"reason": "spike", "count": 12, "window_s": 3600.0, "threshold": 3.0,
                 "baseline": {"median": 2.0, "mad": 1.0, "spread": 1.5, "limit": 6.5, "buckets": 24,
                              "seasonal": False}},
    ))
    analyst = sqlite_env.user_ids["analyst"]
    sqlite_env.store.update_user(analyst, actor_id=None, action="user.change", end_sessions=False,
                                 language="fr")
    with sqlite_env.client("analyst") as french, sqlite_env.client("viewer") as english:
        fr = french.get(f"/api/alerts/{alert_id}").json()["alert"]
        en = english.get(f"/api/alerts/{alert_id}").json()["alert"]
        page = french.get(f"/alerts/{alert_id}")
    assert fr["title"] == en["title"] == "Negative spike on lumio: 12 negative mentions"  # as stored
    assert en["label"] == "Negative spike — lumio"
    assert fr["label"] == "Pic de mentions négatives — lumio"
    assert "12" in fr["headline"] and fr["headline"] != en["headline"]
    assert "6,5" in fr["why"] and "6.5" in en["why"]  # numbers told per locale from the stored ones
    assert page.status_code == 200 and "Pic de mentions négatives — lumio" in page.text
    assert "critique" in page.text and "Negative spike on lumio" not in page.text


def test_trend_reasons_speak_each_readers_language(sqlite_env: WebEnv) -> None:
    sqlite_env.store.update_user(sqlite_env.user_ids["analyst"], actor_id=None, action="user.change",
                                 end_sessions=False, language="fr")
    with sqlite_env.client("analyst") as french, sqlite_env.client("viewer") as english:
        fr = french.get("/api/trends/rising", params={"topic": "ondea"}).json()
        en = english.get("/api/trends/rising", params={"topic": "ondea"}).json()
    assert fr["status"] == en["status"] == "not_enough_data"  # no ondea mention in the last 24 hours
    assert "at least" in en["reason"] and "au moins" in fr["reason"], (fr, en)
    assert fr["reason_code"] == en["reason_code"] == "window_mentions"  # the same reason, told twice
    assert fr["reason_values"] == en["reason_values"] == {"count": 0, "needed": 10}
