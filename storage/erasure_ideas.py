"""What an erasure changes in the idea box besides the cascades: titles, history and replies in their words.

An erased author's suggestions, votes, refusals and the replies drafted to them go by foreign-key
cascade (``storage.schema_ideas``). Their words can outlive that: an idea's automatic title is a short
form of one of its suggestions (``analysis.ideas.grouping.short_title``: one sentence, without
``@``, ``#`` or links, cut at a word), so when that suggestion was theirs, the title, the note of a
later rename and the replies drafted to the other supporters still quote it; and a suggestion that
named them titles the idea with their handle. This blanks both in the erasure's transaction. A title
blanked this way is made again from the suggestions left by the next ideas run
(:meth:`storage.idea_store.IdeaStore.blanked`); a community manager's title stays, without the author's
names.

Other people's suggestions that named the author keep their place, but the vector each was placed by
embeds its old text: it is emptied (:data:`UNEMBEDDED`), and the next ideas run embeds the scrubbed
text again (:meth:`storage.idea_store.IdeaStore.unembedded`), as the trends step does for the theme
vectors the erasure deletes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from storage import _sql
from storage.schema_ideas import IdeaEventRow, IdeaMemberRow, IdeaReplyRow, IdeaRow

_LINK = re.compile(r"https?://\S+|www\.\S+")
UNEMBEDDED = b""
"""An idea member's vector once an erasure scrubbed its text: none until the next ideas run."""
RENAMED = " -> "
"""How a rename's history note separates the old title from the new one (``storage.idea_curation``)."""


def _plain(text: str) -> str:
    """Return the lowercase words of a text or title as a short title keeps them (no links, ``@``, ``#``)."""
    return " ".join(_LINK.sub(" ", text).replace("@", "").replace("#", "").lower().split())


def quotes(title: str, texts: Sequence[str]) -> bool:
    """Tell whether ``title`` is a short form of one of ``texts`` (their words in their order)."""
    core = _plain(title.rstrip("…"))
    return bool(core) and any(core in _plain(text) for text in texts)


def _ideas_of(conn: Connection, mention_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for part in _sql.chunks(sorted(set(mention_ids))):
        query = sa.select(IdeaMemberRow.idea_id).where(IdeaMemberRow.mention_id.in_(part)).distinct()
        found.update(int(i) for i in conn.execute(query).scalars())
    return found


def forget_member_vectors(conn: Connection, scrubbed: Sequence[int]) -> None:
    """Empty the idea-member vectors of scrubbed mentions (they embed the text before the scrub)."""
    for part in _sql.chunks(sorted(set(scrubbed))):
        conn.execute(
            sa.update(IdeaMemberRow).where(IdeaMemberRow.mention_id.in_(part)).values(vector=UNEMBEDDED)
        )


def scrub_ideas(
    conn: Connection,
    *,
    erased: Sequence[int],
    scrubbed: Sequence[int],
    texts: Sequence[str],
    scrub: Callable[[str], str],
    blank: str,
) -> int:
    """Blank the author's words in the ideas that held their suggestions or named them; return how many.

    Call before the mentions are deleted (the members tell which ideas). ``erased`` are the author's
    mentions and ``texts`` theirs; ``scrubbed`` are other people's mentions that named them; ``scrub``
    removes the author's names and copies of their texts from a string; ``blank`` replaces a quote.
    """
    theirs = _ideas_of(conn, erased)
    changed = 0
    for idea_id in sorted(theirs | _ideas_of(conn, scrubbed)):
        title, is_locked = conn.execute(
            sa.select(IdeaRow.title, IdeaRow.is_title_locked).where(IdeaRow.id == idea_id)
        ).one()
        quoted = {title} if idea_id in theirs and not is_locked and quotes(title, texts) else set()

        def clean(value: str, quoted: set[str] = quoted) -> str:
            for old in sorted(quoted, key=len, reverse=True):
                value = value.replace(old, blank)
            return scrub(value)

        event, reply = IdeaEventRow, IdeaReplyRow
        query = sa.select(event.id, event.kind, event.note).where(event.idea_id == idea_id)
        events = conn.execute(query).all()
        for _, kind, note in events:
            old = (note or "").split(RENAMED, 1)[0]
            if kind == "renamed" and idea_id in theirs and quotes(old, texts):
                quoted.add(old)
        new_title = blank if title in quoted else clean(title)
        changed += new_title != title
        conn.execute(sa.update(IdeaRow).where(IdeaRow.id == idea_id).values(title=new_title))
        for event_id, _, note in events:
            if note is not None and clean(note) != note:
                conn.execute(sa.update(event).where(event.id == event_id).values(note=clean(note)))
        drafted = conn.execute(sa.select(reply.id, reply.text).where(reply.idea_id == idea_id)).all()
        for reply_id, text in drafted:
            if clean(text) != text:
                conn.execute(sa.update(reply).where(reply.id == reply_id).values(text=clean(text)))
    return changed
