"""An idea's life: new -> under review -> planned -> shipped, or declined with a reason; replies drafted.

When the status changes, every supporter (who suggested it or voted for it; bots left out) gets a reply
drafted in the language of their own post, answering that post. The replies are stored with the
status change in one transaction; posting them is the community manager's act (``listener ideas
sent``), and each one sent counts as a loop closed.
"""

from __future__ import annotations

from dataclasses import dataclass

from analysis.ideas.grouping import short_title
from listener.core.errors import ListenerError
from listener.idea_box.messages import Lang, draft, reply_lang, workflow_error
from storage import Repository
from storage.idea_records import DraftReply

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("under_review", "planned", "declined"),
    "under_review": ("planned", "declined", "new"),
    "planned": ("shipped", "declined", "under_review"),
    "declined": ("under_review",),
    "shipped": (),
}


class WorkflowError(ListenerError):
    """A status change the workflow does not allow (the message says which ones it does)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class StatusChange:
    """What a status change did: its history event and the replies drafted."""

    event_id: int
    replies: tuple[DraftReply, ...]


def check(old: str, new: str, reason: str | None, lang: Lang = "en") -> None:
    """Raise :class:`WorkflowError` unless ``old -> new`` is allowed (declining needs a reason)."""
    if new not in TRANSITIONS:
        raise WorkflowError(
            workflow_error("unknown_status", lang, status=new, choices=", ".join(TRANSITIONS))
        )
    allowed = TRANSITIONS.get(old, ())
    if new not in allowed:
        raise WorkflowError(
            workflow_error("transition", lang, old=old, new=new, choices=", ".join(allowed) or "-")
        )
    if new == "declined" and not (reason and reason.strip()):
        raise WorkflowError(workflow_error("reason_needed", lang))


def change_status(
    repo: Repository,
    idea_id: int,
    status: str,
    *,
    actor: str | None = None,
    reason: str | None = None,
    owner: str | None = None,
    bots: frozenset[str] = frozenset(),
    lang: Lang = "en",
) -> StatusChange:
    """Move an idea to ``status`` and draft one reply per supporter, in each one's language."""
    store = repo.ideas()
    idea = store.get(idea_id)
    if idea is None:
        raise WorkflowError(workflow_error("unknown_idea", lang, idea_id=idea_id))
    if idea.status == "merged":
        raise WorkflowError(workflow_error("merged", lang, idea_id=idea_id, target=idea.merged_into_id))
    check(idea.status, status, reason, lang)
    replies: list[DraftReply] = []
    seen: set[int] = set()
    posts = sorted(store.posts([idea_id])[idea_id], key=lambda p: (p.kind != "suggestion", p.published_at))
    for post in posts:
        if post.author_id in seen or post.author_key in bots:
            continue
        seen.add(post.author_id)
        language = reply_lang(post.lang)
        own_words = post.kind == "suggestion" and post.lang != idea.lang
        title = short_title(post.text, width=60) if own_words else idea.title
        text = draft(status, language, handle=post.handle, title=title, reason=reason)
        if text is not None:
            replies.append(
                DraftReply(
                    idea_id=idea_id,
                    event_id=0,
                    author_id=post.author_id,
                    mention_id=post.mention_id,
                    lang=language,
                    text=text,
                )
            )
    event_id = store.set_status(idea_id, status, actor=actor, reason=reason, owner=owner, replies=replies)
    return StatusChange(event_id=event_id, replies=tuple(replies))
