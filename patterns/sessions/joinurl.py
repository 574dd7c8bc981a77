"""The join URL a projector shows and its QR code carries: an address the students' phones can
open, not the one the instructor's own browser happened to use.

In order: KUMOBEN_PUBLIC_URL when a proxy stands in front; the address the presenter page was
reached by when that is already a network address; in classroom mode, when the instructor opened
the page on this machine (127.0.0.1, localhost), the machine's LAN address on the same port.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from kumoben.lan import LOOPBACK_HOSTS, lan_addresses


def _origin(request: HttpRequest) -> str:
    public = getattr(settings, "PUBLIC_URL", None)
    if public:
        parts = urlsplit(public)
        return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"
    host = request.get_host()
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if getattr(settings, "CLASSROOM", False) and name in LOOPBACK_HOSTS:
        addresses = lan_addresses()
        if addresses:
            return f"{request.scheme}://{addresses[0]}:{request.get_port()}"
    return f"{request.scheme}://{host}"


def join_url(request: HttpRequest, code: str) -> str:
    """The absolute URL of the join page with `code` filled in."""
    return _origin(request) + reverse("sessions-join-code", args=[code])
