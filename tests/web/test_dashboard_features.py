"""The dashboard's later features in a real browser: saved views, bulk routing, the assignee picker,
a custom overview period, the idea controls, and HTML error pages (the API keeps JSON).

One uvicorn (``web_env``: fixed clock, seeded SQLite, three small ideas) and one Chromium serve the
module; each test opens its own browser context. Every change is checked in the database.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from browser_support import chromium_browser, screenshot
from web_env import NOW, WebEnv, make_mention, seed, start_env, stop_env

from analysis.ideas.lexical import LexicalEmbedder
from listener.core.model import Alert, Annotation, Author, Batch, Mention
from listener.idea_box.grouping_job import refresh_ideas
from listener.web.security import SESSION_COOKIE

IDEAS = (
    ("Lumio please add a dark mode to the mobile app", "ann"),
    ("Lumio please add a dark mode to the mobile app now", "bea"),
    ("Lumio should export invoices as PDF files", "cat"),
    ("Lumio should export invoices as PDF files please", "dee"),
    ("Lumio could offer a family plan for kids", "eve"),
)


def _ideas(env: WebEnv) -> None:
    mentions = [
        Mention(source="ideas", external_id=f"i{k}", text=text, author=Author(source="ideas", external_id=who,
                handle=who), published_at=NOW - timedelta(days=1, minutes=k), fetched_at=NOW, lang="en",
                topics=("lumio",))
        for k, (text, who) in enumerate(IDEAS)
    ]
    env.repo.upsert_batch(Batch(mentions=tuple(mentions), next_cursor=None), source="ideas", query_id="lumio")
    env.repo.save_annotations([
        Annotation(source="ideas", external_id=m.external_id, stage=stage, version="1", label=label,
                   scores={label: 0.9})
        for m in mentions for stage, label in (("intent", "suggestion"), ("language", "en"))
    ])
    refresh_ideas(env.repo, LexicalEmbedder(), env.settings.queries(), threshold=0.45, cross_threshold=0.45)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebEnv]:
    started = start_env(f"sqlite:///{tmp_path_factory.mktemp('dash-features') / 'listener.db'}")
    _ideas(started)
    # Unhappy Lumio customers (seed() makes the first mention of each batch negative): six people,
    # one of them twice, so the overview's five to answer first are five different people.
    for k, who in enumerate((20, 21, 22, 23, 24, 25, 25)):
        seed(started.repo, [make_mention(7000 + k, text=f"lumio is down again {k}", author_n=who,
                                         topics=("lumio",), published_at=NOW - timedelta(minutes=k + 1))])
    started.repo.record_alert(Alert(
        rule_id="lumio-spike", kind="negative_spike", subject="lumio", severity="critical",
        window_start=NOW - timedelta(hours=2), window_end=NOW, title="Lumio: negative spike",
        summary="7 negative mentions in 2 hours",
    ))
    started.repo.record_alert(Alert(
        rule_id="lumio-share", kind="negative_share", subject="lumio", severity="info", is_resolution=True,
        window_start=NOW - timedelta(minutes=30), window_end=NOW, title="Resolved: Lumio negative share",
        summary="back to normal",
    ))
    yield started
    stop_env(started)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    yield from chromium_browser()


@pytest.fixture(scope="module")
def cookies(env: WebEnv) -> dict[str, str]:
    """One session per role for the module (signing in through the form is test_dashboard_browser's)."""
    found = {}
    for role in ("viewer", "analyst"):
        client = env.browser(role)
        found[role] = client.cookies[SESSION_COOKIE]
        client.close()
    return found


@pytest.fixture
def page(env: WebEnv, browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(base_url=env.base_url)
    context.set_default_timeout(10_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda err: errors.append(str(err)))
    yield tab
    screenshot(tab, request.node.name)
    context.close()
    assert errors == [], f"script errors: {errors}"


@pytest.fixture
def sign_in(env: WebEnv, cookies: dict[str, str]) -> Callable[[Any, str, str], None]:
    """Return ``sign_in(page, role, then)``: open ``then`` in ``role``'s module session."""

    def opened(page: Any, role: str, then: str) -> None:
        page.context.clear_cookies()
        page.context.add_cookies([{"name": SESSION_COOKIE, "value": cookies[role], "url": env.base_url}])
        page.goto(then)

    return opened


def _serious(page: Any) -> list[str]:
    axe_module = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python")
    result = axe_module.Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa"]})
    return [f"{v['id']}: {v['help']} (e.g. {v['nodes'][0]['html'][:100]})"
            for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def test_save_apply_and_delete_a_view(env: WebEnv, page: Any, sign_in: Any) -> None:
    sign_in(page, "viewer", "/inbox?sentiment=negative&topic=ondea&poll=600000")
    page.get_by_label("Save this filter as").fill("Angry about Ondea")
    page.get_by_role("button", name="Save view").click()
    page.get_by_role("link", name="Angry about Ondea").wait_for()
    [view] = env.store.saved_views(env.user_ids["viewer"])
    assert view.query == "topic=ondea&sentiment=negative"  # no poll: only the inbox's filters are kept
    page.goto("/inbox?poll=600000")
    page.get_by_role("link", name="Angry about Ondea").click()
    page.wait_for_url(re.compile(r"sentiment=negative"))
    assert set(page.locator("tr.mention .sentiment").all_inner_texts()) == {"negative"}
    page.get_by_role("button", name="Delete the view Angry about Ondea").click()
    page.get_by_text("None yet").wait_for()
    assert env.store.saved_views(env.user_ids["viewer"]) == []


def test_bulk_route_the_selection_then_the_whole_filter(env: WebEnv, page: Any, sign_in: Any) -> None:
    sign_in(page, "analyst", "/inbox?poll=600000&topic=ondea")
    picked = [int(page.locator("tr.mention").nth(i).get_attribute("data-id")) for i in (0, 1)]
    for mention_id in picked:
        page.locator(f"#row-{mention_id} .pick").check()
    page.get_by_label("Route to department").select_option(label="Support")
    page.get_by_label("Assign to").first.select_option(label="Viewer")
    with page.expect_navigation():
        page.get_by_role("button", name="Apply", exact=True).click()
    page.locator(f"#row-{picked[0]} .assignee", has_text="Viewer").wait_for()
    flows = env.store.workflows(picked)
    assert {(f.department, f.assignee_id) for f in flows.values()} == {("support", env.user_ids["viewer"])}

    page.goto("/inbox?poll=600000&topic=lumio&sentiment=positive")
    shown = page.locator("tr.mention").count()
    page.get_by_label("Route to department").select_option(label="Sales")
    page.get_by_label("Apply to").select_option("filter")
    with env.client("viewer") as client:
        params = {"topic": "lumio", "sentiment": "positive", "limit": 200}
        listed = client.get("/api/mentions", params=params).json()["items"]
    before = env.store.workflows([r["id"] for r in listed])
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Apply", exact=True).click()
    page.wait_for_timeout(300)  # a dismissed confirmation sends nothing
    assert asked == ["Change every mention matching this filter, not only the selected ones?"]
    assert env.store.workflows(list(before)) == before
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="Apply", exact=True).click()
    with env.client("viewer") as client:
        params = {"topic": "lumio", "sentiment": "positive", "limit": 200}
        rows = client.get("/api/mentions", params=params).json()
    ids = [r["id"] for r in rows["items"]]
    assert len(ids) >= shown > 0
    assert {f.department for f in env.store.workflows(ids).values()} == {"sales"}


def test_the_a_key_offers_the_active_users(env: WebEnv, page: Any, sign_in: Any) -> None:
    env.store.add_user("gone", display_name="Gone Person", password_hash="x", role="analyst")
    gone = env.store.user(username="gone")
    assert gone is not None
    env.store.update_user(gone.id, actor_id=None, action="user.change", end_sessions=True, is_active=False)
    sign_in(page, "analyst", "/inbox?poll=600000&topic=lumio")
    row = page.locator("tr.mention").nth(2)
    mention_id = int(row.get_attribute("data-id"))
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("a")
    picker = page.get_by_role("dialog", name="Assign the mention")
    picker.wait_for()
    options = picker.get_by_label("Assign to").locator("option").all_inner_texts()
    assert "Gone Person" not in options and {"Admin", "Analyst", "Viewer"} <= set(options)
    assert picker.get_by_label("Assign to").evaluate("e => e.options[e.selectedIndex].text") == "Analyst"
    assert _serious(page) == []
    picker.get_by_label("Assign to").select_option(label="Admin")
    picker.get_by_role("button", name="Assign").click()
    page.locator(f"#row-{mention_id} .assignee", has_text="Admin").wait_for()
    assert env.store.workflows([mention_id])[mention_id].assignee_id == env.user_ids["admin"]


def test_a_custom_period_and_its_refusals_in_both_languages(env: WebEnv, page: Any, sign_in: Any) -> None:
    day = NOW.date()
    sign_in(page, "viewer", "/?period=today")
    today = page.locator("p.figures").first.inner_text()
    page.get_by_label("Custom period: first day").fill(day.isoformat())
    page.get_by_label("Custom period: last day").fill(day.isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"period=custom"))
    assert page.locator("input[name=period][value=custom]").is_checked()
    assert page.locator("svg.volume").count() == 1 and page.locator("#period-problem").count() == 0
    assert page.locator("p.figures").first.inner_text() == today  # the same span: midnight to now
    page.get_by_label("Custom period: first day").fill((day - timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"from=" + (day - timedelta(days=1)).isoformat()))
    longer = page.locator("p.figures").first.inner_text()
    assert int(longer.split()[0]) > int(today.split()[0])  # the ideas were posted yesterday
    response = page.goto(f"/?period=custom&from={day.isoformat()}&to={(day - timedelta(days=3)).isoformat()}")
    assert response is not None and response.status == 400
    alert = page.get_by_role("alert")
    assert "The start date must be on or before the end date." in alert.inner_text()
    page.goto(f"/?period=custom&from=2020-01-01&to={day.isoformat()}")
    assert "at most 366 days" in page.get_by_role("alert").inner_text()
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("alert").filter(has_text="366 jours").wait_for()
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("link", name="Inbox").wait_for()
    page.goto("/?period=custom&from=yesterday&to=")
    assert "YYYY-MM-DD" in page.get_by_role("alert").inner_text()


def _idea_ids(env: WebEnv) -> list[int]:
    with env.client("viewer") as client:
        return [i["idea"]["id"] for i in client.get("/api/ideas", params={"days": 30}).json()["items"]]


def test_ideas_merge_split_rename_and_owner_for_analysts_only(env: WebEnv, page: Any, sign_in: Any) -> None:
    ideas = env.repo.ideas()
    by_size = sorted(_idea_ids(env), key=lambda i: -len(ideas.posts([i])[i]))
    big, small = by_size[0], by_size[-1]
    sign_in(page, "viewer", f"/ideas/{big}")
    assert page.locator("form").count() == 0 and page.locator(".split-pick").count() == 0

    sign_in(page, "analyst", f"/ideas/{big}")
    assert _serious(page) == []
    page.get_by_label("Owner (a person or a team; empty: nobody)").fill("Product team")
    page.get_by_role("button", name="Set owner").click()
    page.get_by_text("Owner: Product team").wait_for()
    assert ideas.get(big).owner == "Product team"  # type: ignore[union-attr]
    page.get_by_label("New title").fill("Dark mode, please")
    page.get_by_role("button", name="Rename").click()
    page.get_by_role("heading", name="Dark mode, please").wait_for()
    page.get_by_label("Merge into this idea").select_option(str(small))
    page.get_by_role("button", name="Merge", exact=True).click()
    page.locator(".history", has_text="absorbed").wait_for()
    assert ideas.get(small).merged_into_id == big  # type: ignore[union-attr]
    members = [p.mention_id for p in ideas.posts([big])[big] if p.kind == "suggestion"]
    page.locator(f".split-pick[value='{members[0]}']").check()
    page.get_by_label("Title of the new idea (optional)").fill("Split off")
    page.get_by_role("button", name="Split the ticked suggestions into a new idea").click()
    page.get_by_role("heading", name="Split off").wait_for()
    new_id = int(page.url.rsplit("/", 1)[1])
    assert [p.mention_id for p in ideas.posts([new_id])[new_id] if p.kind == "suggestion"] == [members[0]]
    actions = {e.action for e in env.store.audit_log(target_kind="idea")}
    assert {"idea.owner", "idea.rename", "idea.merge", "idea.split"} <= actions


def test_html_error_pages_for_the_browser_and_json_for_the_api(env: WebEnv, page: Any, sign_in: Any) -> None:
    sign_in(page, "analyst", "/inbox?poll=600000")
    for path, status in (("/nowhere", 404), ("/mentions/999999", 404), ("/mentions/abc", 422)):
        response = page.goto(path)
        assert response is not None and response.status == status, path
        assert page.get_by_role("navigation", name="Main").count() == 1  # the app's layout, signed in
        assert page.get_by_role("link", name="Open the inbox").count() == 1
    page.goto("/nowhere")
    assert page.get_by_role("heading", level=1).inner_text() == "Page not found"
    assert _serious(page) == []
    page.get_by_label("Language").select_option("fr")
    page.get_by_role("heading", name="Page introuvable").wait_for()
    page.get_by_label("Langue").select_option("en")
    page.get_by_role("heading", name="Page not found").wait_for()
    api = page.request.get("/api/nowhere")
    assert api.status == 404 and api.json()["error"] == "not_found"
    assert page.request.get("/api/mentions/999999").json()["error"] == "not_found"


def test_the_overview_answers_the_morning_questions(env: WebEnv, page: Any, sign_in: Any) -> None:
    sign_in(page, "viewer", "/?period=today")
    verdict = page.locator("p.verdict").inner_text()
    assert "Best net sentiment among competitors in this period: Ondea" in verdict
    assert page.locator("table.share th", has_text="Net sentiment").count() == 1
    first = page.get_by_role("region", name="Unhappy customers to answer first")
    first.locator("ol.first li a").first.wait_for()  # the list arrives after the page
    handles = first.locator("ol.first li a").all_inner_texts()
    assert len(handles) == 5 == len(set(handles))  # five people, not five posts
    assert set(handles) <= {f"@user{n}" for n in range(20, 26)}  # the brand's unhappy customers only
    first.get_by_role("link", name="All unanswered negative mentions, most influential first").click()
    page.wait_for_url(re.compile(r"/inbox\?sentiment=negative&status=new&topic=lumio"))
    assert set(page.locator("tr.mention .sentiment").all_inner_texts()) == {"negative"}
    page.go_back()
    alerts = page.locator("ul.alerts li").all_inner_texts()  # open and critical first, though older
    # Named as the e-mails name them, in the reader's language, not by the stored English title.
    assert alerts[0].startswith("Negative spike — lumio") and alerts[1].startswith("Resolved: ")
    page.get_by_role("link", name="Negative spike — lumio", exact=True).click()
    story = page.get_by_role("region", name="What drove this")
    assert "lumio is down again" in story.inner_text()  # its example posts
    story.get_by_role("link", name="Open these mentions in the inbox").click()
    page.wait_for_url(re.compile(r"/inbox\?since=.*topic=lumio"))
