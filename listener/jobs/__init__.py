"""The service's jobs: small callables taking ``now``, their collaborators passed in by the wiring.

Each job (collect, analyse, echoes, influence, routing, alerts, digest, retention) returns a
:class:`listener.service.JobResult`; the in-process scheduler (``listener run``) and a worker run the
same object the same way, and a job never knows which one runs it. ``listener/wiring.py`` builds them.
This ``__init__`` imports nothing, so importing one job never loads the others' dependencies
(the analysis job's encoder, for instance).
"""

from __future__ import annotations
