"""The room relay: one member of a room's channel-layer group per server process.

A room-wide message (a state, a tally, the end) reaches each process once and is handed to that
process's sockets of the room here, and the shared run's frames for them come from the relay's
``SimStreamer``. The sockets are ``RoomMember``s: the room consumer is one, and so can a test be.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import Any, Protocol

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async

from patterns.sessions import joining
from patterns.sessions.broadcast import room_group
from patterns.sessions.stream import SimStreamer

logger = logging.getLogger(__name__)


class RoomMember(Protocol):
    """A socket of a room in this process: it handles the group's message types by name
    (``room_state`` for ``room.state`` …) and is told when the room ends."""

    async def room_ended(self, event: dict[str, Any]) -> None: ...


class RoomRelay:
    """One member of the room's layer group per process, fanning each room-wide message out
    to the process's own sockets of that room.

    Why: with every socket in the group, each broadcast costs one layer message and one
    dispatch per socket, and Channels' dispatch hops to the database thread to close old
    connections first, so 300 students meant 300 queued thread hops per slide change. With
    the relay it is one layer message per process and a loop of direct sends.
    """

    # Relays of one channel layer (tests make a fresh layer per test), by session id.
    _by_layer: weakref.WeakKeyDictionary[Any, dict[int, RoomRelay]] = weakref.WeakKeyDictionary()

    def __init__(self, layer: Any, session_id: int) -> None:
        self.layer = layer
        self.session_id = session_id
        self.members: list[RoomMember] = []
        self.channel = ""
        self.pump: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()
        self.expiry: asyncio.Task[None] | None = None
        # The shared simulation's frames for this process's sockets of the room.
        self.sim = SimStreamer(session_id)

    @classmethod
    def get(cls, layer: Any, session_id: int) -> RoomRelay | None:
        return cls._by_layer.get(layer, {}).get(session_id)

    @classmethod
    async def join(cls, layer: Any, session_id: int, member: RoomMember, expires_at: float) -> None:
        """Returns once this process is in the room's group, so a snapshot read afterwards
        cannot miss a broadcast. ``expires_at`` (epoch seconds): when the session's time is up,
        every socket of the room here is told it ended and closed."""
        relays = cls._by_layer.setdefault(layer, {})
        relay = relays.get(session_id)
        if relay is None:
            relay = relays[session_id] = cls(layer, session_id)
            relay.expiry = asyncio.ensure_future(relay._expire(expires_at))
            # The default prefix: channels-redis serves every specific channel of a process from
            # one queue keyed by that prefix, and a channel named otherwise would starve.
            relay.channel = await layer.new_channel()
            await layer.group_add(room_group(session_id), relay.channel)
            relay.pump = asyncio.ensure_future(relay._pump())
            relay.ready.set()
        relay.members.append(member)
        await relay.ready.wait()

    @classmethod
    async def leave(cls, layer: Any, session_id: int, member: RoomMember) -> None:
        relays = cls._by_layer.get(layer, {})
        relay = relays.get(session_id)
        if relay is None or member not in relay.members:
            return
        relay.members.remove(member)
        relay.sim.unsubscribe(member)
        if relay.members:
            return
        del relays[session_id]
        relay.sim.stop()
        for task in (relay.pump, relay.expiry):
            if task is not None:
                task.cancel()
        await layer.group_discard(room_group(session_id), relay.channel)

    async def _expire(self, expires_at: float) -> None:
        """At the session's time limit: mark it ended (every process does; the update is
        idempotent) and push this process's sockets out, as the instructor's ``end`` would."""
        await asyncio.sleep(max(0.0, expires_at - time.time()) + 0.05)
        await database_sync_to_async(joining.end_expired_sessions)()
        for member in list(self.members):
            try:
                await member.room_ended({"type": "room.ended"})
            except Exception:  # noqa: BLE001 - one broken socket must not keep the others open
                logger.exception("study room %s: closing at expiry failed", self.session_id)

    async def _pump(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
            except Exception:  # noqa: BLE001 - a layer hiccup (Redis restart) must not end the room
                logger.exception("study room %s: layer receive failed", self.session_id)
                await asyncio.sleep(0.5)
                continue
            if message.get("type") == "room.state" and "sim" in message:
                # Not awaited: a rebuild after an action re-runs the engine, and slides and polls
                # must not wait for it. The streamer orders states by seq itself.
                self.sim.spawn_update(message["seq"], message["sim"])
            for member in list(self.members):
                handler = getattr(member, get_handler_name(message), None)
                if handler is None:
                    continue
                try:
                    await handler(message)
                except Exception:  # noqa: BLE001 - one broken socket must not starve the room
                    logger.exception("study room %s: delivery failed", self.session_id)
