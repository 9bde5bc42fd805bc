"""The dashboard in a real browser: sign in, filter and search, work the inbox, correct a label, open a
spike from the overview, export CSV, switch language, sign out; a viewer cannot change anything.

One uvicorn (``web_env``, fixed clock, seeded SQLite) and one Chromium serve the whole module; each
test opens its own browser context (its own cookies). Changes are checked in the database.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from browser_support import chromium_browser, screenshot
from web_env import NOW, PASSWORD, WebEnv, make_mention, seed, start_env, stop_env

from listener.core.model import Alert


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    """The app over a seeded SQLite file, with one volume spike alert on topic lumio an hour ago."""
    started = start_env(f"sqlite:///{tmp_path_factory.mktemp('dash') / 'listener.db'}")
    started.repo.record_alert(
        Alert(
            rule_id="lumio-spike",
            kind="volume_spike",
            subject="lumio",
            severity="warning",
            window_start=NOW - timedelta(minutes=50),
            window_end=NOW,
            title="Lumio: volume spike",
            summary="40 mentions in an hour, 5x the usual",
        )
    )
    yield started
    stop_env(started)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium for the module."""
    yield from chromium_browser()


@pytest.fixture
def page(env: WebEnv, browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context (no cookies) on the app; a screenshot is saved when the test ends."""
    context = browser.new_context(base_url=env.base_url, accept_downloads=True)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    yield tab
    screenshot(tab, request.node.name)
    context.close()
    assert errors == [], f"script errors: {errors}"


def sign_in(page: Any, role: str, then: str = "/") -> None:
    """Sign in through the login form and wait for the page it leads to."""
    page.goto(then)
    assert "/login" in page.url
    page.get_by_label("Username").fill(role)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(re.compile(re.escape(then.split("?", maxsplit=1)[0]) + r"(\?.*)?$"))


def test_sign_in_filter_search_language_and_sign_out(env: WebEnv, page: Any) -> None:
    sign_in(page, "analyst", "/inbox")
    assert page.locator("tr.mention").count() > 0
    page.get_by_label("Sentiment", exact=True).select_option("negative")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"sentiment=negative"))
    labels = page.locator("tr.mention .sentiment").all_inner_texts()
    assert labels and set(labels) == {"negative"}
    facet = page.locator(".facets a", has_text="negative")  # the counts arrive after the rows
    assert facet.locator("xpath=following-sibling::span").inner_text() == str(len(labels))
    page.get_by_label("Search").fill('"number 12"')
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(re.compile(r"q=%22number"))
    assert page.locator("tr.mention .body").all_inner_texts() == ["lumio mention number 12"]
    page.get_by_label("Language").select_option("fr")
    page.wait_for_load_state()
    page.get_by_role("link", name="Boîte de réception").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert env.store.user(username="analyst").language == "fr"
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("link", name="Inbox").wait_for()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login"))
    page.goto("/inbox")
    assert "/login" in page.url


def test_keys_mark_handled_and_assign_then_bulk(env: WebEnv, page: Any) -> None:
    sign_in(page, "analyst", "/inbox?poll=600000")
    first = int(page.locator("tr.mention").nth(0).get_attribute("data-id"))
    second = int(page.locator("tr.mention").nth(1).get_attribute("data-id"))
    page.keyboard.press("j")
    page.keyboard.press("h")
    page.locator(f"#row-{first} .status[data-status='handled']").wait_for()
    page.keyboard.press("a")  # the picker opens on the signed-in user: Tab to "Assign", Enter
    page.get_by_role("dialog", name="Assign the mention").wait_for()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.locator(f"#row-{first} .assignee", has_text="Analyst").wait_for()
    flow = env.store.workflows([first])[first]
    assert flow.status == "handled" and flow.assignee_id == env.user_ids["analyst"]
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.locator(f"#row-{first} .pick").check()
    page.get_by_label("Status", exact=True).nth(1).select_option("in_progress")
    page.get_by_label("Add tag").fill("billing")
    page.get_by_role("button", name="Apply", exact=True).click()
    page.locator(f"#row-{second} .status[data-status='in_progress']").wait_for()
    screenshot(page, "inbox")
    flows = env.store.workflows([first, second])
    assert {f.status for f in flows.values()} == {"in_progress"}
    assert all("billing" in f.tags for f in flows.values())


def test_correct_a_label_in_one_click(env: WebEnv, page: Any) -> None:
    sign_in(page, "analyst", "/mentions/7")
    page.locator("p.labels").first.get_by_role("button", name="positive").click()
    page.locator("#flash.ok").wait_for()
    assert [(x.stage, x.label) for x in env.repo.labels(mention_id=7)] == [("sentiment", "positive")]


def test_a_spike_on_the_overview_opens_its_mentions(env: WebEnv, page: Any) -> None:
    sign_in(page, "viewer", "/?period=today")
    screenshot(page, "overview", full_page=True)
    page.locator("a.marker.spike").click()
    page.wait_for_url(re.compile(r"/inbox\?since=.*topic=lumio"))
    rows = page.locator("tr.mention")
    assert rows.count() > 0
    assert all("lumio" in t for t in page.locator("tr.mention small.meta").all_inner_texts())


def test_export_csv_of_the_current_filter(env: WebEnv, page: Any, tmp_path: Path) -> None:
    sign_in(page, "analyst", "/inbox?sentiment=positive")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export CSV").click()
    target = tmp_path / "export.csv"
    info.value.save_as(target)
    rows = list(csv.DictReader(target.read_text(encoding="utf-8-sig").splitlines()))
    shown = page.locator("tr.mention").count()
    assert len(rows) == shown > 0  # one page of 50 or fewer: the same mentions as the filtered inbox
    assert {r["sentiment"] for r in rows} == {"positive"}


def test_new_mentions_appear_without_a_reload(env: WebEnv, page: Any) -> None:
    sign_in(page, "viewer", "/inbox?poll=400")
    seed(env.repo, [make_mention(9000, text="lumio brand new arrival", published_at=NOW)])
    page.locator("tr.mention.fresh", has_text="brand new arrival").wait_for()


def test_a_viewer_cannot_change_anything(env: WebEnv, page: Any) -> None:
    sign_in(page, "viewer", "/inbox?poll=600000")
    assert page.locator("#bulk").count() == 0 and page.locator(".pick").count() == 0
    assert page.get_by_role("link", name="Export CSV").count() == 0
    first = int(page.locator("tr.mention").nth(0).get_attribute("data-id"))
    before = env.store.workflows([first])[first]
    page.keyboard.press("j")
    page.keyboard.press("h")
    page.locator("#flash.error").wait_for()
    assert env.store.workflows([first])[first] == before
    page.goto(f"/mentions/{first}")
    assert page.get_by_label("Status").is_disabled()
    assert page.locator("[data-action='label']").count() == 0


def test_axe_finds_no_serious_accessibility_problem(env: WebEnv, page: Any) -> None:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python")
    axe = axe_module.Axe()
    sign_in(page, "admin", "/?period=today")
    found = {}
    for path in ("/?period=today", "/inbox?poll=600000", "/mentions/3", "/people", "/alerts", "/settings"):
        page.goto(path)
        result = axe.run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
        serious = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:80]})"
            for v in result.response["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            found[path] = serious
    assert found == {}
