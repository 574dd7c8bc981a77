"""WebSocket origin check that compares scheme, host and port, as Django's CSRF check does.

Channels' ``AllowedHostsOriginValidator`` compares only the origin's host with ``ALLOWED_HOSTS``,
so a page on another port or scheme of an allowed host (``http://localhost:9999``) could open a
student's socket with the student's cookie (review D11). Here a socket is accepted only when its
``Origin`` is exactly the origin the browser reached us at (scheme, host and port of the Host
header; ``https`` when the socket is ``wss`` or a trusted proxy says so), or is listed in
``CSRF_TRUSTED_ORIGINS``. The Host itself must be an allowed host.

A client that sends no Host header is not a browser (every browser sends one), and a non-browser
can put any Origin it likes, so for it the check falls back to the host-only rule; the origin
check exists to stop a foreign page in a victim's browser, and that always carries a Host.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}


def _header(scope: dict[str, Any], name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            try:
                return value.decode("latin1")
            except UnicodeDecodeError:
                return None
    return None


def _origin_tuple(url: str) -> tuple[str, str, int] | None:
    try:
        parts = urlsplit(url.strip().lower())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    if parts.path not in ("", "/") or parts.query or parts.fragment or parts.username:
        return None
    return parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme]


def _request_scheme(scope: dict[str, Any]) -> str:
    if scope.get("scheme") in ("wss", "https"):
        return "https"
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        header, secure_value = proxy
        name = header.removeprefix("HTTP_").lower().replace("_", "-").encode("latin1")
        value = _header(scope, name)
        if value is not None and value.split(",")[0].strip() == secure_value:
            return "https"
    return "http"


def origin_allowed(scope: dict[str, Any]) -> bool:
    """True when the socket's Origin may drive this app (see the module docstring)."""
    origin_header = _header(scope, b"origin")
    if origin_header is None:
        return False
    origin = _origin_tuple(origin_header)
    if origin is None:
        return False
    trusted = {_origin_tuple(url) for url in settings.CSRF_TRUSTED_ORIGINS}
    if origin in trusted:
        return True
    host_header = _header(scope, b"host")
    if host_header is None:
        hostname = f"[{origin[1]}]" if ":" in origin[1] else origin[1]
        return validate_host(hostname, settings.ALLOWED_HOSTS)
    host, port_text = split_domain_port(host_header.lower())
    if not host or not validate_host(host, settings.ALLOWED_HOSTS):
        return False
    scheme = _request_scheme(scope)
    try:
        port = int(port_text) if port_text else DEFAULT_PORTS[scheme]
    except ValueError:
        return False
    return origin == (scheme, host.strip("[]"), port)


class SameOriginValidator:
    """ASGI middleware: refuses a WebSocket whose Origin is not this app's own (403 on connect)."""

    def __init__(self, application: Any) -> None:
        self.application = application

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        if scope["type"] != "websocket":
            raise ValueError("SameOriginValidator only guards WebSocket connections")
        if origin_allowed(scope):
            return await self.application(scope, receive, send)
        return await WebsocketDenier()(scope, receive, send)
