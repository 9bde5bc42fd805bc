"""Words the templates translate from data (page titles, roles, statuses, sentiments, intents, facets).

Templates call ``_(value)`` on these at run time, where Babel's extractor cannot see the literal; they
are listed here so ``tests/web/test_dashboard_catalogue.py`` checks each has a French and an English
entry in the catalogue.
"""

from __future__ import annotations


def _(message: str) -> str:
    """Mark a message for extraction (the page translates it when rendering)."""
    return message


TITLES = (_("Overview"), _("Inbox"), _("Mention"), _("People"), _("Author"), _("Alerts"), _("Alert"),
          _("Sources"), _("Settings"), _("Sign in"), _("Trends"), _("Ideas"), _("Idea"))
PERIODS = (_("Today"), _("7 days"), _("30 days"))
ROLES = (_("admin"), _("analyst"), _("viewer"), _("brand"), _("competitor"), _("campaign"), _("other"))
STATUSES = (_("new"), _("in_progress"), _("handled"), _("ignored"))
SENTIMENTS = (_("negative"), _("neutral"), _("positive"), _("unknown"))
INTENTS = (_("complaint"), _("question"), _("suggestion"), _("purchase_intent"), _("churn"), _("praise"),
           _("crisis"))
STAGES = (_("sentiment"), _("intent"), _("signals"), _("emotion"))
FACETS = (_("status"), _("topic"), _("source"), _("lang"), _("department"))
SORTS = (_("time"), _("influence"), _("negativity"))
STANCES = (_("supporter"), _("critic"), _("mixed"))
INFLUENCE = (_("reach"), _("engagement"), _("freshness"), _("network"))
TERM_KINDS = (_("word"), _("hashtag"), _("account"), _("phrase"))
IDEA_STATUSES = (_("under_review"), _("planned"), _("shipped"), _("declined"), _("merged"))
IDEA_EVENTS = (_("opened"), _("renamed"), _("absorbed"), _("split"), _("owner_changed"))
REPLY_STATES = (_("drafted"), _("sent"))
