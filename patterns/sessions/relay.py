"""The room relay: one member of a room's channel-layer group per server process.

A room-wide message (a state, a tally, the end) reaches each process once and is handed to that
process's sockets of the room here, and the shared run's frames for them come from the relay's
``SimStreamer``. The sockets are ``RoomMember``s: the room consumer is one, and so can a test be.

A broker restart (Redis killed, restarted, or its connections dropped) loses every group
membership and makes every receive and send on the layer fail meanwhile. :class:`Rejoin` keeps
this process's memberships and, once the layer answers again, adds them back, asks the rooms
whose broadcast failed to re-read their state everywhere, and has each relay here send its
sockets the current state: no room stays deaf, and no socket is closed for the outage.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from typing import Any, Protocol

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async

from patterns.sessions import fanout, joining
from patterns.sessions.broadcast import RESYNC, room_group, snapshot_message
from patterns.sessions.models import StudySession
from patterns.sessions.stream import SimStreamer

logger = logging.getLogger(__name__)


class RoomMember(Protocol):
    """A socket of a room in this process: it handles the group's message types by name
    (``room_state`` for ``room.state`` …) and is told when the room ends."""

    async def room_ended(self, event: dict[str, Any]) -> None: ...


#: Seconds between attempts to reach the layer again after a failure (doubling up to the cap).
REJOIN_FIRST_S = 0.25
REJOIN_CAP_S = 4.0
#: What the rejoin task asks the layer to prove it answers again (a no-op on a group of none).
PROBE_GROUP = "kumoben-probe"
PROBE_CHANNEL = "kumoben-probe.none"


class Rejoin:
    """This process's group memberships on one channel layer, added back after an outage.

    Every group_add and group_send of the study rooms goes through here. A failure anywhere (a
    send, an add, a receive) marks the layer down and starts one task that retries, with
    back-off, until every membership is added again; it then sends ``room.resync`` to each room
    whose broadcast failed (so the other processes re-read it too) and resyncs this process's
    relays. ``up`` is set while the layer works: receivers wait on it instead of hammering.
    """

    _by_layer: weakref.WeakKeyDictionary[Any, Rejoin] = weakref.WeakKeyDictionary()

    def __init__(self, layer: Any) -> None:
        self.layer = layer
        self.memberships: set[tuple[str, str]] = set()
        self.unsent: set[int] = set()  # rooms whose broadcast failed during the outage
        self.up = asyncio.Event()
        self.up.set()
        self.task: asyncio.Task[None] | None = None
        self.outages = 0

    @classmethod
    def of(cls, layer: Any) -> Rejoin:
        rejoin = cls._by_layer.get(layer)
        if rejoin is None:
            rejoin = cls._by_layer[layer] = cls(layer)
        return rejoin

    async def group_add(self, group: str, channel: str) -> None:
        """Join now if the layer answers; else the membership is added when it is back."""
        self.memberships.add((group, channel))
        if not self.up.is_set():
            return
        try:
            await self.layer.group_add(group, channel)
        except Exception as error:  # noqa: BLE001 - the rejoin task adds it once the layer is back
            self.failed(error)

    async def group_discard(self, group: str, channel: str) -> None:
        self.memberships.discard((group, channel))
        try:
            await self.layer.group_discard(group, channel)
        except Exception:  # noqa: BLE001 - a membership lost with the broker is gone anyway
            logger.debug("group_discard %s failed; the layer is down", group)

    async def group_send(self, session_id: int, group: str, message: dict[str, Any]) -> bool:
        """True once sent; False while the layer is down (the room is re-read everywhere when
        it is back, so what was committed meanwhile still reaches every screen)."""
        try:
            await self.layer.group_send(group, message)
        except Exception as error:  # noqa: BLE001 - delivered by the resync instead
            self.unsent.add(session_id)
            self.failed(error)
            return False
        return True

    def failed(self, error: BaseException) -> None:
        if self.task is not None and not self.task.done():
            return
        self.outages += 1
        logger.warning("channel layer unreachable (%r); rejoining when it is back", error)
        self.up.clear()
        self.task = asyncio.ensure_future(self._rejoin())

    async def _rejoin(self) -> None:
        delay = REJOIN_FIRST_S
        while True:
            await asyncio.sleep(delay)
            try:
                # A call that needs the broker, also when no membership would ask it anything
                # (the status sockets hold none): "back" must mean back.
                await self.layer.group_discard(PROBE_GROUP, PROBE_CHANNEL)
                for group, channel in list(self.memberships):
                    await self.layer.group_add(group, channel)
                for session_id in sorted(self.unsent):
                    await self.layer.group_send(room_group(session_id), {"type": RESYNC})
                    self.unsent.discard(session_id)
            except Exception:  # noqa: BLE001 - still down: try again later
                delay = min(delay * 2, REJOIN_CAP_S)
                continue
            break
        logger.warning("channel layer back; %d memberships added again", len(self.memberships))
        self.up.set()
        for relay in list(RoomRelay._by_layer.get(self.layer, {}).values()):
            relay.spawn_resync()

    async def receive(self, receive: Any) -> dict[str, Any]:
        """``receive()`` on the layer, waiting out an outage instead of raising."""
        while True:
            await self.up.wait()
            try:
                message: dict[str, Any] = await receive()
            except Exception as error:  # noqa: BLE001 - a broker restart must not end the room
                self.failed(error)
                continue
            return message


class WaitsOutOutages:
    """A consumer mixin: its layer receive waits out a broker outage instead of raising.

    Channels assigns ``channel_receive`` (the layer's receive for the socket's channel) in
    ``__call__``; a raise there would end the consumer without ``disconnect`` and close the socket
    with 1011 (review D1). The property hands Channels' loop a receive that waits on ``Rejoin``.
    """

    channel_layer: Any

    @property
    def channel_receive(self) -> Any:
        return self._receive_from_layer

    @channel_receive.setter
    def channel_receive(self, receive: Any) -> None:
        self._layer_receive = receive

    async def _receive_from_layer(self) -> dict[str, Any]:
        return await Rejoin.of(self.channel_layer).receive(self._layer_receive)


@database_sync_to_async
def room_snapshot(session_id: int) -> tuple[int, dict[str, Any], bool]:
    session = StudySession.objects.get(pk=session_id)
    return session.last_seq, session.state, session.is_live()


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
        self.resyncing: asyncio.Task[None] | None = None
        self.wired = (0, 0)  # the last state's fan-out: (sockets written directly, sockets)
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
            await Rejoin.of(layer).group_add(room_group(session_id), relay.channel)
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
        for task in (relay.pump, relay.expiry, relay.resyncing):
            if task is not None:
                task.cancel()
        await Rejoin.of(layer).group_discard(room_group(session_id), relay.channel)

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

    def spawn_resync(self) -> None:
        if self.resyncing is None or self.resyncing.done():
            self.resyncing = asyncio.ensure_future(self._resync())

    async def _resync(self) -> None:
        """After an outage: the room's state as the database has it, handed to every socket
        here as a broadcast would be (a screen that missed commands asks for a full hello), then
        ``room.resynced`` (the instructor's screens refresh their lobby and tally)."""
        try:
            seq, state, live = await room_snapshot(self.session_id)
            message = snapshot_message(seq, state) if live else {"type": "room.ended"}
            await self._deliver(message)
            await self._deliver({"type": "room.resynced"})
        except Exception:  # noqa: BLE001 - the next outage or command tries again
            logger.exception("study room %s: resync failed", self.session_id)

    async def _pump(self) -> None:
        rejoin = Rejoin.of(self.layer)
        while True:
            message = await rejoin.receive(lambda: self.layer.receive(self.channel))
            if message.get("type") == RESYNC:
                self.spawn_resync()
                continue
            await self._deliver(message)

    async def _deliver(self, message: dict[str, Any]) -> None:
        if message.get("type") == "room.state" and "sim" in message:
            # Not awaited: a rebuild after an action re-runs the engine, and slides and polls
            # must not wait for it. The streamer orders states by seq itself.
            self.sim.spawn_update(message["seq"], message["sim"])
        # A state goes to every socket that only shows it as one encoded frame (fanout); the
        # handlers run for the rest (another message type, a student just removed).
        plain: list[Any] = []
        handled: list[Any] = []
        for member in list(self.members):
            text_for = getattr(member, "plain_text", None)
            text = text_for(message) if text_for is not None else None
            (plain if text is not None else handled).append(member)
        if plain:
            wired = await fanout.deliver(plain, message["text"])
            if (wired, len(plain)) != self.wired:
                self.wired = (wired, len(plain))
                logger.info(
                    "study room %s: a state written directly to %d of %d sockets",
                    self.session_id,
                    wired,
                    len(plain),
                )
        for member in handled:
            handler = getattr(member, get_handler_name(message), None)
            if handler is None:
                continue
            try:
                await handler(message)
            except Exception:  # noqa: BLE001 - one broken socket must not starve the room
                logger.exception("study room %s: delivery failed", self.session_id)
