"""Routing to departments: rules as data in config, a pure decision, and the job applying them on arrival.

Community management is transversal: a complaint about billing goes to support, a question about
price to sales, a suggestion to product, anything on a crisis topic to communication. A rule names the
department (and optionally an assignee) and the conditions a mention must all meet; the first
matching rule wins. Routing never overrides a department a person already set. When the department
has channels and the rule says ``notify``, the routed mentions are announced there through the
existing notifiers, as one alert per rule and run (deduplicated like every alert).
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from listener.core.model import Alert

logger = logging.getLogger(__name__)


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DepartmentSettings(_Section):
    """A team that receives routed mentions (support, sales, product, communication...)."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    name: str
    channels: tuple[str, ...] = ()
    """Alert channels (``alerts.channels`` ids) told about newly routed mentions when a rule notifies."""


class RoutingRuleSettings(_Section):
    """Send mentions meeting every given condition to a department; empty conditions match anything."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
    department: str
    assignee: str | None = None
    """Username to assign routed mentions to."""
    topics: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    signals: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    """Any of these words or phrases in the text (accents and case ignored)."""
    sources: tuple[str, ...] = ()
    notify: bool = False


class RoutingSettings(_Section):
    """Departments and the rules that route mentions to them, applied in order."""

    departments: tuple[DepartmentSettings, ...] = ()
    rules: tuple[RoutingRuleSettings, ...] = ()


def fold(text: str) -> str:
    """Lowercase and strip accents, so ``Facturé`` matches ``facture``."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


@dataclass(frozen=True, slots=True, kw_only=True)
class RoutingInput:
    """What a rule looks at for one mention."""

    mention_id: int
    text: str
    source: str
    topics: tuple[str, ...] = ()
    intents: tuple[str, ...] = ()
    sentiment: str | None = None
    signal: str | None = None


def _words_match(text: str, terms: Sequence[str]) -> bool:
    padded = f" {''.join(c if c.isalnum() else ' ' for c in fold(text))} "
    return any(f" {fold(t)} " in padded for t in terms if t.strip())


def matches(rule: RoutingRuleSettings, item: RoutingInput) -> bool:
    """Tell whether a mention meets every condition of a rule."""
    return (
        (not rule.topics or bool(set(rule.topics) & set(item.topics)))
        and (not rule.intents or bool(set(rule.intents) & set(item.intents)))
        and (not rule.sentiments or item.sentiment in rule.sentiments)
        and (not rule.signals or item.signal in rule.signals)
        and (not rule.sources or item.source in rule.sources)
        and (not rule.terms or _words_match(item.text, rule.terms))
    )


def decide(rules: Sequence[RoutingRuleSettings], item: RoutingInput) -> RoutingRuleSettings | None:
    """Return the first rule a mention meets, or None."""
    return next((rule for rule in rules if matches(rule, item)), None)


def announcement(
    rule: RoutingRuleSettings, department: DepartmentSettings, mention_ids: Sequence[int], *, now: datetime
) -> Alert:
    """Return the alert telling a department about mentions routed to it by one rule in one run."""
    count = len(mention_ids)
    return Alert(
        rule_id=f"routing:{rule.id}",
        kind="routing",
        subject=department.id,
        severity="info",
        window_start=now,
        window_end=now,
        title=f"{count} mention(s) routed to {department.name} / {count} mention(s) pour {department.name}",
        summary=f"rule {rule.id}: {count} new mention(s) in the {department.name} inbox "
        f"/ règle {rule.id} : {count} nouvelle(s) mention(s) dans la boîte {department.name}",
        details={"department": department.id, "rule": rule.id},
        mention_ids=tuple(mention_ids),
    )


def plan(rules: Sequence[RoutingRuleSettings], items: Sequence[RoutingInput]) -> dict[str, list[int]]:
    """Group mention ids by the id of the rule routing them (unmatched mentions are left out)."""
    routed: dict[str, list[int]] = {}
    for item in items:
        rule = decide(rules, item)
        if rule is not None:
            routed.setdefault(rule.id, []).append(item.mention_id)
    return routed


def departments_by_id(settings: RoutingSettings) -> Mapping[str, DepartmentSettings]:
    """Return the departments keyed by id."""
    return {d.id: d for d in settings.departments}
