"""Fixtures every test module may use."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def no_proxy_from_outside(monkeypatch: pytest.MonkeyPatch) -> None:
    """A proxy set where the tests run would sit between them and their loopback servers."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.fixture(autouse=True)
def loopback_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tests' servers listen on loopback addresses, which verifier refuses by default (an
    internal address): the suite turns the `allow-private` setting on. Tests of that rule
    turn it off again (`monkeypatch.delenv("VERIFIER_ALLOW_PRIVATE")` or the setting)."""
    monkeypatch.setenv("VERIFIER_ALLOW_PRIVATE", "1")


@pytest.fixture(autouse=True)
def no_archives_on_the_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default archives are on the internet, which tests never touch: point them at a
    closed loopback port, so a lookup a test did not plan for fails at once, offline."""
    monkeypatch.setenv("VERIFIER_ARCHIVES",
                       '[{"name": "nowhere", "pywb": "http://127.0.0.1:9/nowhere"}]')


@pytest.fixture(autouse=True)
def no_dns(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never ask a DNS server: names go to loopback through the `resolve` setting. A
    lookup of any other name is refused here and fails the test that made it."""
    asked: list[str] = []
    real = socket.getaddrinfo

    def getaddrinfo(host: object, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host)
        try:
            ipaddress.ip_address(name.strip("[]"))
        except ValueError:
            if name not in ("localhost", "None"):
                asked.append(name)
                raise socket.gaierror(socket.EAI_NONAME, f"tests ask no DNS server ({name})") from None
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield
    assert not asked, f"the test asked DNS for {sorted(set(asked))}: map them with `resolve`"


def require_extra(available: bool, reason: str) -> None:
    """Skip a test that needs something beyond pip, locally; fail it in CI, which must have it."""
    if available:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> ssl.SSLContext:
    """A server-side TLS context with a self-signed certificate for 127.0.0.1."""
    require_extra(shutil.which("openssl") is not None,
                  "needs the openssl command to make a certificate")
    where: Path = tmp_path_factory.mktemp("tls")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(where / "key.pem"), "-out", str(where / "cert.pem")],
        check=True, capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(where / "cert.pem", where / "key.pem")
    return context
