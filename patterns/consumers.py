"""Channels consumers. Thin: validate the frame, act, answer; logic lives elsewhere.

A broker outage (Redis restarted) must not end these sockets (issue 15): their layer receive
waits it out (``Rejoin``, as the study rooms' does), a group membership is added back when the
broker returns, and a send that fails is answered with an error frame instead of a 1011 close.
"""

from __future__ import annotations

from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation

from patterns.errors import localized_frame
from patterns.live import FrameError, RateLimiter, parse_frame, scope_language
from patterns.sessions.relay import Rejoin, WaitsOutOutages

OPS_GROUP = "ops-broadcast"


def _layer_name() -> str:
    backend = settings.CHANNEL_LAYERS["default"]["BACKEND"]
    return "redis" if "redis" in backend else "in-memory"


class _FrameConsumer(WaitsOutOutages, AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    """Shared receive path: every frame is validated and rate-limited before it is handled."""

    allowed_types: frozenset[str] = frozenset()

    async def _through_layer(self, send: Any) -> None:
        """Run one layer call; a failure is an error frame, and the layer is watched until back."""
        try:
            await send
        except Exception as error:  # noqa: BLE001 - any broker failure: refuse, keep the socket
            Rejoin.of(self.channel_layer).failed(error)
            raise FrameError(
                "layer", "the channel layer is unreachable; try again shortly"
            ) from None

    async def connect(self) -> None:
        self.limiter = RateLimiter(rate=10, burst=20)
        await self.accept()

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self.limiter.allow():
            await self._refuse(FrameError("frame", "too many frames; slow down"))
            return
        try:
            frame = parse_frame(text_data, bytes_data, self.allowed_types)
            await self.handle(frame)
        except FrameError as error:
            await self._refuse(error)

    async def _refuse(self, error: FrameError) -> None:
        with translation.override(scope_language(self.scope)):
            await self.send_json(localized_frame(error))

    async def handle(self, frame: dict[str, Any]) -> None:
        raise NotImplementedError


class StatusConsumer(_FrameConsumer):
    """The live-connection indicator: says hello, answers pings through the channel layer."""

    allowed_types = frozenset({"ping"})

    async def connect(self) -> None:
        await super().connect()
        await self.send_json({"type": "hello", "layer": _layer_name()})

    async def handle(self, frame: dict[str, Any]) -> None:
        ping_id = frame.get("id")
        if not isinstance(ping_id, int) or isinstance(ping_id, bool) or not 0 <= ping_id < 2**31:
            raise FrameError("id", "expected a whole number from 0 to 2147483647")
        # Going through the layer (not replying directly) proves the layer works end to end.
        await self._through_layer(
            self.channel_layer.send(self.channel_name, {"type": "status.pong", "id": ping_id})
        )

    async def status_pong(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "pong", "id": event["id"]})


class OpsBroadcastConsumer(_FrameConsumer):
    """Staff-only operator check: a message sent here reaches every staff client on every process."""

    allowed_types = frozenset({"broadcast"})

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_staff:
            await self.close(code=4403)
            return
        await Rejoin.of(self.channel_layer).group_add(OPS_GROUP, self.channel_name)
        await super().connect()

    async def disconnect(self, code: int) -> None:
        await Rejoin.of(self.channel_layer).group_discard(OPS_GROUP, self.channel_name)

    async def handle(self, frame: dict[str, Any]) -> None:
        text = frame.get("text")
        if not isinstance(text, str) or not 1 <= len(text) <= 200:
            raise FrameError("text", "expected a string of 1 to 200 characters")
        await self._through_layer(
            self.channel_layer.group_send(OPS_GROUP, {"type": "ops.message", "text": text})
        )

    async def ops_message(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "broadcast", "text": event["text"]})
