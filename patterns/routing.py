from __future__ import annotations

from django.urls import path

from patterns import consumers

websocket_urlpatterns = [
    path("ws/status/", consumers.StatusConsumer.as_asgi()),
    path("ws/ops/broadcast/", consumers.OpsBroadcastConsumer.as_asgi()),
]
