"""Scale-out: Celery workers and a scheduler with one leader, all agreeing through PostgreSQL.

- ``tasks.py``: the Celery app (RabbitMQ broker by default, ``LISTENER_BROKER_URL`` for Redis or
  another) and the tasks, thin shells over ``listener/jobs``: acknowledged late, idempotent, a
  collection guarded by a per-(source, topic) lease, analysis by claimed batches.
- ``context.py``: what one worker process builds once through ``listener.wiring``.
- ``leader.py``: ``listener scheduler``: run two or more, the one holding the ``scheduler`` lease
  enqueues due jobs; another takes over within one lease length when it dies.
- ``fleet.py``: what ``listener status`` shows about the fleet: leader, workers, queued jobs.

Importing this package loads nothing (Celery is imported by the modules that need it).
"""
