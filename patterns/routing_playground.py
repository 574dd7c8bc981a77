from __future__ import annotations

from django.urls import URLPattern, path

from patterns.consumers_playground import PlaygroundConsumer

websocket_urlpatterns: list[URLPattern] = [
    path("ws/playground/", PlaygroundConsumer.as_asgi()),
]
