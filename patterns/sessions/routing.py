from __future__ import annotations

from django.urls import re_path

from patterns.sessions.consumers import SessionRoomConsumer

websocket_urlpatterns = [
    re_path(r"^ws/sessions/(?P<public_id>[A-Za-z0-9_-]{8,24})/$", SessionRoomConsumer.as_asgi()),
]
