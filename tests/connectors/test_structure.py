"""Rules about the connectors package itself: HTTP policy lives in one module, every connector is listed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connectors import REGISTRY, build
from connectors._text import html_to_text
from listener.core.errors import ConfigError

PACKAGE = Path(__file__).resolve().parents[2] / "connectors"
FORBIDDEN = {
    "a sleep": re.compile(r"\bsleep\s*\("),
    "a status-code comparison": re.compile(r"status(_code)?\s*(==|in|>=|<=|<|>)\s*[\d(]"),
    "an httpx import": re.compile(r"^\s*(import|from)\s+httpx", re.MULTILINE),
    "a retry loop": re.compile(r"\bfor\s+\w+\s+in\s+range\([^)]*(attempt|retr)", re.IGNORECASE),
}


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_connector_modules_hold_no_http_policy(name: str) -> None:
    source = (PACKAGE / f"{name}.py").read_text(encoding="utf-8")
    for what, pattern in FORBIDDEN.items():
        assert not pattern.search(source), f"connectors/{name}.py contains {what}; that belongs in _http"


def test_registry_names_match_modules_and_checklist() -> None:
    checklist = (PACKAGE / "CHECKLIST.md").read_text(encoding="utf-8")
    for name, cls in REGISTRY.items():
        assert cls.name == name and cls.__module__ == f"connectors.{name}"
        assert f"\n| {name} |" in checklist, f"{name} has no row in connectors/CHECKLIST.md"
        assert cls.__doc__ and (PACKAGE / f"{name}.py").read_text().startswith('"""')


def test_build_unknown_connector() -> None:
    with pytest.raises(ConfigError, match="unknown connector"):
        build("myspace", {})


def test_html_to_text() -> None:
    html = (
        "<style>p{color:red}</style><script>alert(1)</script><p>Caf&eacute; &laquo;cr&egrave;me&raquo;"
        "&nbsp;!</p><p>Second<br>line &amp; <b>bold</b></p>"
    )
    assert html_to_text(html) == "Café «crème» !\n\nSecond\nline & bold"
    assert html_to_text(None) == ""
    assert html_to_text("plain  text") == "plain text"
    assert html_to_text("<p>unclosed <a href='x'>link") == "unclosed link"
