from __future__ import annotations

from django.urls import path

from patterns import consumers
from patterns.playground.routing import websocket_urlpatterns as playground_websocket_urlpatterns
from patterns.sessions.routing import websocket_urlpatterns as sessions_websocket_urlpatterns

websocket_urlpatterns = [
    path("ws/status/", consumers.StatusConsumer.as_asgi()),
    path("ws/ops/broadcast/", consumers.OpsBroadcastConsumer.as_asgi()),
    *playground_websocket_urlpatterns,
    *sessions_websocket_urlpatterns,
]
