"""The idea box: customers' suggestions grouped into ideas, supported, ranked, answered.

``grouping_job`` places new suggestions and votes, ``board`` ranks ideas and builds reports,
``workflow`` moves an idea through its statuses and drafts the replies, ``messages`` holds every
sentence in French and English.
"""

from __future__ import annotations
