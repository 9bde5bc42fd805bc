"""``listener db upgrade`` as a real subprocess: creates the schema, is idempotent, fails cleanly."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from storage import migrate

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "listener", *args],
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "DB_PASSWORD": "hunter2", **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_db_upgrade_creates_then_reports_current(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("database:\n  url: sqlite:///data/listener.db\n", encoding="utf-8")
    first = _cli("db", "upgrade", "--config", str(config), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "upgraded from empty to revision" in first.stdout
    db_file = tmp_path / "data" / "listener.db"
    engine = sa.create_engine(f"sqlite:///{db_file}")
    assert "mentions" in sa.inspect(engine).get_table_names()
    engine.dispose()
    second = _cli("db", "upgrade", "--config", str(config), cwd=tmp_path)
    assert second.returncode == 0 and "already at revision" in second.stdout
    current = _cli("db", "current", "--config", str(config), cwd=tmp_path)
    assert current.returncode == 0 and f"revision {migrate.head()}" in current.stdout


def test_db_upgrade_on_an_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = tmp_path / "config.yaml"
    config.write_text(
        f"database:\n  url: postgresql+psycopg://root:${{DB_PASSWORD}}@127.0.0.1:{port}/listener\n",
        encoding="utf-8",
    )
    result = _cli("db", "upgrade", "--config", str(config), cwd=tmp_path)
    assert result.returncode == 3
    assert "database unavailable" in result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr + result.stdout


def test_db_prune_keeps_counts_and_needs_a_limit(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from listener.core.model import Author, Batch, Mention
    from storage import Repository

    config = tmp_path / "config.yaml"
    config.write_text("database:\n  url: sqlite:///l.db\nretention:\n  mentions_days: 30\n", encoding="utf-8")
    now = datetime(2030, 3, 31, 1, 30, tzinfo=UTC)
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'l.db'}")
    repo.upgrade()
    who = Author(source="rss", external_id="a", handle="a")
    repo.upsert_batch(
        Batch(mentions=tuple(
            Mention(source="rss", external_id=f"m{d}", text=f"day {d}", author=who,
                    published_at=now - timedelta(days=d, hours=1), fetched_at=now)
            for d in (1, 10, 31, 40, 400)
        ), next_cursor=None),
        source="rss", query_id="q",
    )
    repo.close()
    env_clock = {"LISTENER_CLOCK": now.isoformat()}

    done = _cli("db", "prune", "--config", str(config), cwd=tmp_path, env=env_clock)
    assert done.returncode == 0, done.stderr
    assert "3 mention(s) published before 2030-03-01 01:30 UTC deleted" in done.stdout
    shorter = _cli("db", "prune", "--config", str(config), "--days", "5", cwd=tmp_path, env=env_clock)
    assert "1 mention(s)" in shorter.stdout
    repo = Repository.from_url(f"sqlite:///{tmp_path / 'l.db'}")
    assert [s.mention.external_id for s in repo.search_mentions()] == ["m1"]
    assert sum(r.mentions for r in repo.daily_counts()) == 4
    repo.close()

    config.write_text("database:\n  url: sqlite:///l.db\n", encoding="utf-8")
    refused = _cli("db", "prune", "--config", str(config), cwd=tmp_path)
    assert refused.returncode == 2 and "retention.mentions_days" in refused.stderr
