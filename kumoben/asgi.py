"""ASGI entry point: HTTP through Django, WebSockets through Channels."""

from __future__ import annotations

import gc
import os
import sys

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kumoben.settings")
# Django must be set up before anything imports models, so this comes before the routing import.
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from kumoben.wire import ExposeWire  # noqa: E402
from kumoben.ws_limits import SocketsPerAddress  # noqa: E402
from kumoben.ws_origin import SameOriginValidator  # noqa: E402
from patterns.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
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

# The event loop's thread releases the GIL on every socket write; while an engine thread computes
# (a shared run's window, a tail replay), taking it back waits out the switch interval (5 ms by
# default) each time, and a fan-out to 2,000 sockets crawled behind one replay. Half a
# millisecond keeps the loop's writes moving at a small cost to the engine threads.
sys.setswitchinterval(0.0005)
