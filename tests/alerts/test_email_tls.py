"""E-mail over STARTTLS and implicit TLS with login, against aiosmtpd with a certificate made for the test."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from alert_receivers import Inbox, free_port  # type: ignore[import-not-found]
from test_notifiers import spike_alert  # type: ignore[import-not-found]

from alerts.notifiers import EmailNotifier, SmtpConfig


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


class Accounts:
    """Accept exactly one login."""

    def __init__(self) -> None:
        self.logins: list[str] = []

    def __call__(self, server: object, session: object, envelope: object, mechanism: str,
                 auth_data: object) -> AuthResult:
        if isinstance(auth_data, LoginPassword) and auth_data.login == b"listener" \
                and auth_data.password == b"s3cret":
            self.logins.append(mechanism)
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@pytest.fixture(params=["starttls", "ssl"])
def tls_server(request: pytest.FixtureRequest,
               certificate: tuple[Path, Path]) -> Iterator[tuple[str, Inbox, Accounts]]:
    cert, key = certificate
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    port = free_port()
    inbox, accounts = Inbox(host="127.0.0.1", port=port), Accounts()
    if request.param == "starttls":
        controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=accounts,
                                auth_require_tls=True, tls_context=context, require_starttls=True)
    else:
        # implicit TLS: the whole connection is encrypted (aiosmtpd does not count it as "tls" for AUTH)
        controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=accounts,
                                auth_require_tls=False, ssl_context=context)
    controller.start()
    try:
        yield request.param, inbox, accounts
    finally:
        controller.stop()


def test_login_over_tls(tls_server: tuple[str, Inbox, Accounts], certificate: tuple[Path, Path]) -> None:
    security, inbox, accounts = tls_server
    smtp = SmtpConfig(host="127.0.0.1", port=inbox.port, security=security,  # type: ignore[arg-type]
                      username="listener", password="s3cret", ca_file=str(certificate[0]), timeout_s=10)
    delivery = EmailNotifier("mail", smtp=smtp, to=("cm@example.org",)).send(spike_alert())
    assert delivery.is_ok, delivery.error
    assert len(inbox.received) == 1 and len(accounts.logins) == 1


def test_wrong_password_is_a_failed_delivery(tls_server: tuple[str, Inbox, Accounts],
                                             certificate: tuple[Path, Path]) -> None:
    security, inbox, _ = tls_server
    smtp = SmtpConfig(host="127.0.0.1", port=inbox.port, security=security,  # type: ignore[arg-type]
                      username="listener", password="wrong", ca_file=str(certificate[0]), timeout_s=10)
    delivery = EmailNotifier("mail", smtp=smtp, to=("cm@example.org",)).send(spike_alert())
    assert not delivery.is_ok
    assert delivery.error is not None and "SMTPAuthenticationError" in delivery.error
    assert "wrong" not in delivery.error
    assert inbox.received == []


def test_untrusted_certificate_is_refused(tls_server: tuple[str, Inbox, Accounts]) -> None:
    security, inbox, _ = tls_server
    smtp = SmtpConfig(host="127.0.0.1", port=inbox.port, security=security,  # type: ignore[arg-type]
                      username="listener", password="s3cret", timeout_s=10)
    delivery = EmailNotifier("mail", smtp=smtp, to=("cm@example.org",)).send(spike_alert())
    assert not delivery.is_ok and delivery.error is not None and "SSL" in delivery.error
    assert inbox.received == []
