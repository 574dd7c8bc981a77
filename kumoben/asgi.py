"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumoben.settings")
# Django must be set up before anything imports models, so this comes before the routing import.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from kumoben.wire import ExposeWire  # noqa: E402
from kumoben.ws_limits import RunRatePerAddress, SocketsPerAddress  # noqa: E402
from kumoben.ws_origin import SameOriginValidator  # noqa: E402
from patterns.playground.workers import ENGINE  # noqa: E402
from patterns.routing import websocket_urlpatterns  # noqa: E402

rate_limited_http = RunRatePerAddress(django_asgi_app)


async def http_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    # The engine's worker process starts with the server's first request (not during its start,
    # which it would slow down) and warms up before a run needs it (patterns/playground/workers.py).
    ENGINE.prestart()
    await rate_limited_http(scope, receive, send)


application = ProtocolTypeRouter(
    {
        "http": http_app,
        # ExposeWire first: it must see daphne's own send (kumoben/wire.py).
        "websocket": ExposeWire(
            SocketsPerAddress(
                SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns)))
            )
        ),
    }
)

# Everything imported by now (Django, Channels, the engine) lives as long as the process; moving it
# out of the collector's view keeps full collections short while playgrounds and rooms stream
# (bench/stream_bench.py saw 100 ms pauses before). Objects created later are collected as usual.
gc.freeze()
# A class keeps each student's socket alive for an hour (its protocol, transport, consumer and
# queues). With the default thresholds a full collection walked all of them every few seconds
# while 2,000 students connected and during the class, most of them freeing nothing: 28 ms
# growing to 231 ms each, every screen's frames waiting meanwhile (bench/sessions_bench.py,
# timed with gc.callbacks). With these, young collections run less often and a full one ran
# once, when the class left; the bench's peak RSS went from 177 to 184 MB.
gc.set_threshold(20_000, 50, 100)

# The event loop's thread releases the GIL on every socket write; while an engine thread computes
# (a shared run's window, a tail replay), taking it back waits out the switch interval (5 ms by
# default) each time, and a fan-out to 2,000 sockets crawled behind one replay. Half a
# millisecond keeps the loop's writes moving at a small cost to the engine threads.
sys.setswitchinterval(0.0005)
