"""A cap on the WebSockets one address holds open on this process (review D4).

Without it one address opened 300 status sockets and 200 room sockets, each a consumer with its
own tasks and buffers. A classroom behind one NAT address opens two or three sockets a student
(the room, the status line, maybe a playground), so the cap is generous: the default,
KUMOBEN_SOCKETS_PER_ADDRESS = 400, holds a class of well over a hundred; beyond it the handshake
is refused (HTTP 403) and the client's back-off tries again later. The address is the one join
throttling uses (``joining.address_from``: the socket's peer, or behind KUMOBEN_PROXY_HOPS
trusted proxies the address the outermost one saw).
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

from django.conf import settings
from django.http import parse_cookie
from django.utils import translation

from kumoben.ws_origin import _header
from patterns.errors import localized_frame
from patterns.live import RUN_RATE, scope_address, scope_language
from patterns.sessions.joining import address_from

DEFAULT_LIMIT = 400


class SocketsPerAddress:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.open: Counter[str] = Counter()

    def limit(self) -> int:
        return int(getattr(settings, "KUMOBEN_SOCKETS_PER_ADDRESS", DEFAULT_LIMIT))

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        peer = str((scope.get("client") or ("0.0.0.0", 0))[0])
        address = address_from(peer, _header(scope, b"x-forwarded-for") or "")
        if self.open[address] >= self.limit():
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.close"})  # before accept: HTTP 403
            return
        self.open[address] += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.open[address] -= 1
            if self.open[address] <= 0:
                del self.open[address]


#: The HTTP endpoints that start engine runs (``patterns.live.RUN_RATE`` counts them).
RUN_PATHS = frozenset({"/playground/api/run"})


class RunRatePerAddress:
    """Refuse a run request over its address's run rate (``patterns.live.RunRate``) with 429,
    before Django sees it: no body read, no JSON parsed, no middleware run — a flood from one
    address costs a dictionary look-up a request (review D4)."""

    #: A refusal is answered after this long: a client that waits for its answer (as a browser,
    #: a script's loop) sends one run a second at most, instead of as fast as refusals come back
    #: (bench/attack_bench.py: ~540 refusals a second kept page p50 at 2.5x idle). Waiting costs
    #: a sleeping coroutine, no CPU.
    REFUSAL_DELAY_S = 1.0

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope.get("path") not in RUN_PATHS
            or scope.get("method") != "POST"
            or RUN_RATE.allow(scope_address(scope))
        ):
            await self.app(scope, receive, send)
            return
        cookies = parse_cookie(_header(scope, b"cookie") or "")
        with translation.override(scope_language({**scope, "cookies": cookies})):
            refusal = localized_frame(RUN_RATE.refusal())
        body = json.dumps(refusal).encode()
        await asyncio.sleep(self.REFUSAL_DELAY_S)
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", b"5"),
                    (b"x-content-type-options", b"nosniff"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
