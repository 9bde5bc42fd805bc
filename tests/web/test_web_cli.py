"""``listener users`` and ``listener web`` as an operator runs them: real processes, real port, httpx."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

PASSWORD = "a long operator password"
ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
"""Run this checkout's code, not whatever ``listener`` the environment has installed."""


def _cli(*args: str, stdin: str | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "listener", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
        env=ENV,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_users_commands_then_web_serves_and_signs_in(tmp_path: Path) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("database: {url: 'sqlite:///listener.db'}\n", encoding="utf-8")

    def users(*args: str, stdin: str | None = None) -> int:
        return _cli("users", *args, "-c", str(config), stdin=stdin, cwd=tmp_path).returncode

    assert users("add", "ops", "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert users("add", "bob", "--password-stdin", stdin="short\n") == 2
    assert users("add", "eve", "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert users("set-role", "eve", "analyst") == 0
    assert users("disable", "eve") == 0
    listed = _cli("users", "list", "-c", str(config), cwd=tmp_path)
    assert "ops" in listed.stdout and "analyst" in listed.stdout and PASSWORD not in listed.stdout
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "listener", "web", "-c", str(config), "--port", str(port)],
        cwd=tmp_path,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, server.stdout.read() if server.stdout else ""
            try:
                if httpx.get(f"{base}/api/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "listener web did not answer"
            time.sleep(0.2)
        with httpx.Client(base_url=base) as client:
            assert (
                client.post("/api/auth/login", json={"username": "eve", "password": PASSWORD}).status_code
                == 401
            )
            ok = client.post("/api/auth/login", json={"username": "ops", "password": PASSWORD})
            assert ok.status_code == 200 and ok.json()["user"]["role"] == "admin"
            assert client.get("/api/mentions").json() == {"items": [], "next_cursor": None}
            assert [u["username"] for u in client.get("/api/users").json()] == ["eve", "ops"]
    finally:
        server.terminate()
        server.wait(timeout=20)
