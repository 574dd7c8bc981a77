"""The WebSocket origin check compares scheme, host and port (review D11)."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from django.test import override_settings

from kumoben.asgi import application
from kumoben.ws_origin import origin_allowed


def scope(origin: str | None, host: str | None, scheme: str = "ws", **headers: str) -> dict:
    pairs = [(b"origin", origin), (b"host", host)] + [
        (name.replace("_", "-").encode(), value) for name, value in headers.items()
    ]
    return {
        "type": "websocket",
        "scheme": scheme,
        "headers": [(name, value.encode("latin1")) for name, value in pairs if value is not None],
    }


@pytest.mark.unit
@pytest.mark.parametrize(
    ("origin", "host", "scheme", "allowed"),
    [
        ("http://localhost:8000", "localhost:8000", "ws", True),
        ("http://LOCALHOST:8000", "localhost:8000", "ws", True),
        ("http://127.0.0.1", "127.0.0.1", "ws", True),
        ("http://127.0.0.1:80", "127.0.0.1", "ws", True),
        ("https://localhost", "localhost", "wss", True),
        ("http://[::1]:8000", "[::1]:8000", "ws", False),  # [::1] is not allowed in test settings
        # the review's reproduction: another port of an allowed host
        ("http://localhost:9999", "localhost:8000", "ws", False),
        # another scheme of the same host and port
        ("https://localhost:8000", "localhost:8000", "ws", False),
        ("http://localhost:443", "localhost", "wss", False),
        ("http://localhost", "localhost", "wss", False),
        # foreign or malformed origins
        ("https://evil.example", "localhost:8000", "ws", False),
        ("http://127.0.0.1.evil.example:8000", "127.0.0.1:8000", "ws", False),
        ("null", "localhost:8000", "ws", False),
        ("", "localhost:8000", "ws", False),
        ("http://localhost:notaport", "localhost:8000", "ws", False),
        ("http://localhost:8000/path", "localhost:8000", "ws", False),
        ("ftp://localhost:8000", "localhost:8000", "ws", False),
        (None, "localhost:8000", "ws", False),
        # the Host itself must be allowed, even when the origin matches it
        ("http://evil.example:8000", "evil.example:8000", "ws", False),
    ],
)
def test_origin_must_match_scheme_host_and_port(origin, host, scheme, allowed) -> None:
    assert origin_allowed(scope(origin, host, scheme)) is allowed


@pytest.mark.unit
@override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
def test_a_tls_terminating_proxy_makes_the_request_https() -> None:
    behind = scope("https://localhost", "localhost", "ws", x_forwarded_proto="https")
    plain = scope("https://localhost", "localhost", "ws")
    assert (origin_allowed(behind), origin_allowed(plain)) == (True, False)


@pytest.mark.unit
@override_settings(CSRF_TRUSTED_ORIGINS=["https://class.example.org"])
def test_a_trusted_origin_is_accepted_exactly() -> None:
    assert origin_allowed(scope("https://class.example.org", "localhost:8000")) is True
    assert origin_allowed(scope("https://class.example.org:8443", "localhost:8000")) is False
    assert origin_allowed(scope("http://class.example.org", "localhost:8000")) is False


@pytest.mark.unit
def test_without_a_host_header_only_an_allowed_origin_host_passes() -> None:
    # Not a browser (browsers always send Host); such a client can forge any Origin anyway.
    assert origin_allowed(scope("http://localhost:1234", None)) is True
    assert origin_allowed(scope("http://evil.example", None)) is False


@pytest.mark.unit
@pytest.mark.asyncio
@pytest.mark.django_db
async def test_the_app_refuses_another_port_of_its_own_host() -> None:
    results = []
    for origin in (b"http://localhost:8000", b"http://localhost:9999"):
        communicator = WebsocketCommunicator(
            application, "/ws/status/", headers=[(b"origin", origin), (b"host", b"localhost:8000")]
        )
        connected, _ = await communicator.connect(timeout=10)
        results.append(connected)
        await communicator.disconnect()
    assert results == [True, False]
