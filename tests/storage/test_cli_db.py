"""``listener db upgrade`` as a real subprocess: creates the schema, is idempotent, fails cleanly."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from storage import migrate

ROOT = Path(__file__).resolve().parents[2]


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "listener", *args],
        cwd=cwd,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "DB_PASSWORD": "hunter2"},
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
