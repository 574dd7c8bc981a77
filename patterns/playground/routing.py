from __future__ import annotations

from django.urls import URLPattern, path

from patterns.playground.consumers import PlaygroundConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/playground/", PlaygroundConsumer.as_asgi()),
]
