"""Rising terms on a short history: the period's own windows, when the usual baseline does not exist yet.

Why: rising terms compare the last window with at least three earlier windows of the same length
(``analysis.rising``). A new install, or the demo's week, has a few days: the page's "last 7 days
against the 4 weeks before" has no baseline, so the page said "not enough data" while an outage was
plainly in the data. Here the same detector (``rising_indexed``: same shares of authors, same z, ratio
and G² thresholds) runs on shorter windows that the history can support: the period is cut into
windows of 24, 12 or 6 hours ending at ``now``, each compared with up to ``BASELINE`` windows of the
same length before it (at least three with mentions, as always). The longest length where some window
has rising terms wins, and of its windows the one whose leading term stands out most (highest z) is
returned, so the answer says which window was compared with which baseline. Shorter windows are tried
only when longer ones find nothing: a 6-hour window is noisier than a day.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from analysis.rising import Rising
from analysis.rising_finish import Lookups
from analysis.rising_index import IndexedMentions, rising_indexed

LADDER = (timedelta(hours=24), timedelta(hours=12), timedelta(hours=6))
BASELINE = 7
"""Earlier windows of the same length a short window is compared with (those with mentions count)."""
MAX_WINDOWS = 28
"""Most recent windows of each length tried (a week of 6-hour windows): bounds a long ``since``."""


def rising_short(
    index: IndexedMentions,
    *,
    now: datetime,
    since: datetime,
    lookups: Lookups,
    longest: timedelta,
    limit: int = 20,
) -> Rising | None:
    """Return the window of ``[since, now)`` whose terms rose most against the windows before it.

    ``index`` must cover ``BASELINE`` windows of 24 hours before ``since`` as well (or the whole
    history). Window lengths longer than ``longest`` (the usual window) are not tried. Returns the first
    answer with a baseline but no rising term when no window has one, and None when no window of the
    period has a baseline at all (the caller keeps its own "not enough data" reason).
    """
    quiet: Rising | None = None
    for window in (w for w in LADDER if w <= longest):
        best: Rising | None = None
        for k in range(min(max(1, (now - since) // window), MAX_WINDOWS)):
            found = rising_indexed(
                index, now=now - window * k, lookups=lookups, window=window, baseline_windows=BASELINE,
                limit=limit,
            )
            if found.status != "ok":
                continue
            quiet = quiet or found
            if found.terms and (best is None or found.terms[0].z > best.terms[0].z):
                best = found
        if best is not None:
            return best
    return quiet
