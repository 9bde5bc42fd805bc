"""``listener demo --web`` ends on a dashboard: ``serve_demo`` as a real process on a copy of the shared
demo week prints a demo account, and that account signs in and sees the overview and the inbox.

The demo itself is the session's ``demo_week`` (run once for the whole test run), so this test only
pays for one process start. The clock is the demo's own instant (``LISTENER_CLOCK``).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from listener.demo import DemoReport
from tests.demo_week import NOW, copy_of

ROOT = Path(__file__).resolve().parents[2]
SERVE = "import sys, pathlib; from listener.cli.web import serve_demo; " \
        "serve_demo(pathlib.Path(sys.argv[1]), host='127.0.0.1', port=int(sys.argv[2]))"
PRINTED = re.compile(r"(?:user|utilisateur) (\S+)\s+(?:password|mot de passe) (\S+)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_demo_prints_an_account_that_opens_the_dashboard(demo_week: DemoReport, tmp_path: Path) -> None:
    demo = copy_of(demo_week, tmp_path / "demo")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LISTENER_CLOCK": NOW.isoformat(), "COLUMNS": "200"}
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(demo.config_path), str(port)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        seen = []
        assert server.stdout is not None
        for line in server.stdout:  # the account is printed before the server starts
            seen.append(line)
            if (found := PRINTED.search(line)) is not None:
                break
        else:
            raise AssertionError("no account printed:\n" + "".join(seen))
        user, password = found.groups()
        assert f"http://127.0.0.1:{port}/" in "".join(seen)
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(300):
                try:
                    signed = client.post("/api/auth/login", json={"username": user, "password": password})
                    break
                except httpx.TransportError:
                    assert server.poll() is None, "".join(seen) + server.stdout.read()
                    time.sleep(0.1)
            assert signed.status_code == 200, signed.text
            overview = client.get("/")
            inbox = client.get("/inbox", params={"poll": "600000"})
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert overview.status_code == 200
    assert "Share of voice" in overview.text or "Part de voix" in overview.text
    assert 'class="marker spike' in overview.text  # the week's stored spikes are marked on the chart
    assert inbox.status_code == 200 and inbox.text.count('class="mention"') > 10
