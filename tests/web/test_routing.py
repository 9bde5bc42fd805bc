"""Routing rules on arrival: first matching rule wins, people's choices stay, departments are told once."""

from __future__ import annotations

from pathlib import Path

from web_env import CONFIG, NOW, make_mention, seed

from alerts.notifiers.log import LogNotifier
from listener.config import parse_settings
from listener.core.clock import fixed
from listener.jobs.routing import route_new
from listener.routing import RoutingInput, decide
from storage import Repository, WebStore
from storage.web_records import WorkflowChange


def test_decide_is_first_match_with_folded_terms() -> None:
    rules = parse_settings(CONFIG).routing.rules
    plural = RoutingInput(mention_id=1, text="mes factures lumio", source="x", intents=("complaint",))
    assert decide(rules, plural) is None  # whole words only
    billing = RoutingInput(mention_id=1, text="Ma FACTURÉ lumio", source="x", intents=("complaint",))
    chosen = decide(rules, billing)  # accents and case ignored
    assert chosen is not None and chosen.department == "support"
    price = RoutingInput(mention_id=2, text="what is the price?", source="x", intents=("question",))
    assert decide(rules, price).department == "sales"  # type: ignore[union-attr]
    assert decide(rules, RoutingInput(mention_id=3, text="price", source="x", intents=("praise",))) is None


def test_route_new_routes_once_and_notifies(tmp_path: Path) -> None:
    settings = parse_settings(CONFIG)
    clock = fixed(NOW)
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'db.sqlite'}", clock=clock)
    repo.upgrade()
    store = WebStore.of(repo, clock=clock)
    texts = ["lumio billing is wrong", "lumio price please", "lumio billing again", "lumio nice"]
    # make_mention + annotate: n=0 complaint, n=1 question, n=2 praise, n=3 other
    seed(repo, [make_mention(n, text=t) for n, t in enumerate(texts)])
    ids = {n: repo.get_mention_by_key("testsrc", f"m{n}").id for n in range(4)}  # type: ignore[union-attr]
    store.change([ids[1]], WorkflowChange(department="product"), user_id=None)  # a person's choice
    notifiers = {"support-log": LogNotifier("support-log")}
    first = route_new(repo, store, settings.routing, notifiers, now=NOW)
    assert first.read == 4 and first.routed == 1 and first.notified == 1
    flows = store.workflows(list(ids.values()))
    assert flows[ids[0]].department == "support" and flows[ids[0]].routed_by == "billing"
    assert flows[ids[1]].department == "product"  # routing never overrides a person
    assert flows[ids[2]].department is None
    again = route_new(repo, store, settings.routing, notifiers, now=NOW)
    assert again.read == 0 and again.routed == 0
    alerts = repo.alerts(rule_id="routing:billing")
    assert len(alerts) == 1 and alerts[0].alert.mention_ids == (ids[0],)
    assert [d.outcome for d in repo.deliveries(alerts[0].id)] == ["sent"]
    repo.close()


def test_unanalysed_mentions_wait_then_route_after_the_grace(tmp_path: Path) -> None:
    from datetime import timedelta

    from listener.core.model import Batch

    settings = parse_settings(CONFIG.replace("intents: [complaint], terms", "terms"))
    clock = fixed(NOW)
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'db.sqlite'}", clock=clock)
    repo.upgrade()
    store = WebStore.of(repo, clock=clock)
    bare = make_mention(1, text="lumio billing is wrong")
    repo.upsert_batch(Batch(mentions=(bare,), next_cursor=None), source="testsrc", query_id="lumio")
    assert route_new(repo, store, settings.routing, {}, now=NOW).read == 0  # waits for the analysis
    later = route_new(repo, store, settings.routing, {}, now=NOW + timedelta(hours=2))
    assert later.read == 1 and later.routed == 1
    repo.close()
