"""The study-session room: one WebSocket per instructor or student screen.

Roles are resolved on the server: the instructor is the session's owner (with the instructor
permission); a student is whoever holds a participant token for this session in their Django
session. The owner's projector screen (``?view=projector``) is a third role: it may move the
slides, play, pause and reveal (a one-screen setup runs from its keyboard), and it never receives
the right answer before the reveal: its tallies are sent without it, not merely hidden.
Only the instructor's frames change the room; every change is a row of the session's
command log (`log.apply_command`), then a `state` frame to everyone in the room: one
group message per server process (`RoomRelay`), fanned out there to that process's sockets.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import threading
import time
import weakref
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.db import DatabaseError
from django.utils import translation
from django.utils.translation import gettext as _

from patterns.errors import FieldError, localized_frame
from patterns.live import FrameError, RateLimiter, parse_frame, scope_language
from patterns.sessions import arrivals, fanout, fields, joining, log, polls, receipts
from patterns.sessions.broadcast import instructor_group, room_group, state_message
from patterns.sessions.models import StudySession
from patterns.sessions.relay import Rejoin, RoomRelay, WaitsOutOutages, room_snapshot
from patterns.sessions.stream import Have, parse_have

INSTRUCTOR_TYPES = frozenset(
    {
        "slide",
        "highlight",
        "play",
        "pause",
        "speed",
        "action",
        "scenario",
        "poll.open",
        "poll.reveal",
        "poll.close",
        "end",
        "lobby",
        "remove",
    }
)
#: What the projector's keyboard and player may do (the console holds every other control).
PROJECTOR_TYPES = frozenset({"slide", "play", "pause", "speed", "poll.reveal"})
STUDENT_TYPES = frozenset({"answer", "follow"})
SHARED_TYPES = frozenset({"ping", "sync", "sim.older"})
logger = logging.getLogger(__name__)
CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_ENDED = 4410
#: The instructor removed this participant: the client says so and does not reconnect.
CLOSE_REMOVED = 4401
# The server is going away and will be back: reconnect. (RFC 6455's 1012 "Service Restart"
# says the same, but daphne's WebSocket library lets an application send only 1000 or 3000-4999.)
CLOSE_RESTARTING = 4012
CLOSE_FLUSH_S = 0.2
# Lobby and tally pushes to the instructor are coalesced: 300 students joining in a burst give a
# few lobby frames, not 300.
COALESCE_S = 0.2
PRESENCE_EVERY_S = 20.0


_language = scope_language


def _now_ms() -> int:
    return int(time.time() * 1000)


def _with_histogram(tally: dict[str, Any], language: str) -> dict[str, Any]:
    """A tally frame with its histogram drawn by the server (``html``), in ``language``: a
    lesson question's bars are labelled with its choices in that language."""
    tally = polls.localized(tally, language)
    with translation.override(language):
        return {**tally, "html": polls.histogram_html(tally, _("Answers so far"))}


def _view(scope: dict[str, Any]) -> str:
    """The screen the owner opened: "projector" for ``?view=projector``, else the console."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return "projector" if query.get("view") == ["projector"] else "instructor"


@database_sync_to_async
def _hello_data(session_id: int, participant_id: int | None, arriving: bool) -> dict[str, Any]:
    """Everything a hello needs, in one trip to the database thread: after a restart 300
    students reconnect at once, and each trip queues behind the others."""
    if arriving and participant_id is not None:
        joining.connected(participant_id)
    session = StudySession.objects.get(pk=session_id)
    state = session.state
    poll = state["poll"]
    data: dict[str, Any] = {"seq": session.last_seq, "state": state, "live": session.is_live()}
    if participant_id is None:
        data["lobby"] = joining.lobby(session_id)
        data["tally"] = polls.tally(poll["id"]) if poll else None
        if data["tally"] is not None and poll["state"] != "revealed":
            data["sealed"] = polls.without_answer(data["tally"])
    else:
        data["answer"] = polls.your_answer(participant_id, poll["id"] if poll else None)
        revealed = poll is not None and poll["state"] == "revealed"
        data["tally"] = polls.tally(poll["id"]) if revealed else None
    return data


def _done(client_id: str, seq: int, repeat: bool = False) -> dict[str, Any]:
    """The reply to a command a screen numbered: done, at ``seq`` of the log. ``repeat``: it
    was done before, under the same id, and nothing changed now (review D13)."""
    reply: dict[str, Any] = {"type": "done", "id": client_id, "seq": seq}
    if repeat:
        reply["repeat"] = True
    return reply


def _with_id(reply: dict[str, Any], frame: dict[str, Any] | None) -> dict[str, Any]:
    """An error frame carries the refused request's id (when it had a well-formed one), so the
    screen knows which of its clicks it answers."""
    client_id = frame.get("id") if isinstance(frame, dict) else None
    if isinstance(client_id, str) and receipts.CLIENT_ID.match(client_id):
        return {**reply, "id": client_id}
    return reply


#: The open room sockets of this process, closed with CLOSE_RESTARTING on SIGTERM.
_OPEN: weakref.WeakSet[Any] = weakref.WeakSet()
_previous_sigterm: Any = None
_hooked = False


def _on_shutdown_close(consumer: Any) -> None:
    """Remember the socket; the first one installs the SIGTERM hook (review D12).

    Daphne's own shutdown drops every connection without a close frame (clients see 1006, as
    after a crash). The hook closes the room sockets with CLOSE_RESTARTING first, gives the
    frames CLOSE_FLUSH_S to leave, then hands the signal to the handler it replaced (Twisted's,
    which stops the server as before)."""
    global _previous_sigterm, _hooked
    _OPEN.add(consumer)
    if _hooked or threading.current_thread() is not threading.main_thread():
        return
    _hooked = True
    loop = asyncio.get_running_loop()
    _previous_sigterm = signal.getsignal(signal.SIGTERM)

    def closing(number: int, frame: Any) -> None:
        if loop.is_closed():  # not the server's loop (a test's, long gone): as before
            previous(number, frame)
        else:
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(close_all(number, frame)))

    async def close_all(number: int, frame: Any) -> None:
        for open_consumer in list(_OPEN):
            with contextlib.suppress(Exception):
                await open_consumer.close(code=CLOSE_RESTARTING)
        await asyncio.sleep(CLOSE_FLUSH_S)
        previous(number, frame)

    def previous(number: int, frame: Any) -> None:
        if callable(_previous_sigterm):
            _previous_sigterm(number, frame)
        else:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.raise_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, closing)


class SessionRoomConsumer(WaitsOutOutages, AsyncJsonWebsocketConsumer):  # type: ignore[misc]
    async def dispatch(self, message: dict[str, Any]) -> None:
        """Channels' dispatch without its own hop to the database thread to close old
        connections first: every database call here is a ``database_sync_to_async``, which does
        that itself on the same thread. In a burst of joins the hop doubled the queue each
        handshake waits in (and daphne drops a handshake after 5 s)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Whatever ended the consumer, its socket leaves the room here (idempotent).
            await self._leave()

    async def connect(self) -> None:
        self.role: str | None = None
        self._left = False
        _on_shutdown_close(self)
        self._pending: dict[str, asyncio.Task[None]] = {}
        self._last_presence = 0.0
        public_id = self.scope["url_route"]["kwargs"]["public_id"]
        # Shares its trip to the database with the sockets opening the room meanwhile.
        session, role, participant, slides = await arrivals.resolve(
            public_id, self.scope.get("user"), self.scope.get("session"), _view(self.scope)
        )
        if session is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        if role is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        if role == "removed":
            await self.close(code=CLOSE_REMOVED)
            return
        self.session_id: int = session.pk
        self.participant = participant
        self.slides = slides
        self.lesson = session.lesson_slug
        self.limiter = RateLimiter(rate=10, burst=20)
        self.language = _language(self.scope)
        await self.accept()
        if not session.is_live():
            await self._send_ended()
            return
        self.role = role
        await RoomRelay.join(
            self.channel_layer, self.session_id, self, session.expires_at.timestamp()
        )
        if role != "student":
            await Rejoin.of(self.channel_layer).group_add(
                instructor_group(self.session_id), self.channel_name
            )
        # The snapshot is read after joining the group: a command committed in between is in
        # the snapshot, one committed later arrives as a state frame; none falls in a gap.
        await self._send_hello(arriving=True)
        relay = RoomRelay.get(self.channel_layer, self.session_id)
        if relay is not None:
            lang = "ja" if self.language.startswith("ja") else "en"
            await relay.sim.subscribe(self, lang, await self._sim_have())
        if role == "student":
            await self._lobby_changed()

    async def _sim_have(self) -> Have | None:
        """What of the shared run a reconnecting screen holds (``?sim=``, review D14); a
        malformed value is answered with an error frame and the screen gets the whole run."""
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        try:
            return parse_have((query.get("sim") or [None])[0])
        except FieldError as error:
            with translation.override(self.language):
                await self.send_json(localized_frame(error))
            return None

    async def disconnect(self, code: int) -> None:
        await self._leave()

    async def _leave(self) -> None:
        if getattr(self, "_left", True):
            return
        self._left = True
        for task in self._pending.values():
            task.cancel()
        if hasattr(self, "session_id"):
            await RoomRelay.leave(self.channel_layer, self.session_id, self)
        if self.role is None:
            return
        if self.role != "student":
            await Rejoin.of(self.channel_layer).group_discard(
                instructor_group(self.session_id), self.channel_name
            )
        else:
            await arrivals.leave(self.session_id, self.participant.pk)
            await self._lobby_changed()

    # ------------------------------------------------------------------ receiving

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.role is None:
            return
        if not self.limiter.allow():
            with translation.override(self.language):
                await self.send_json(
                    localized_frame(FrameError("frame", "too many frames; slow down"))
                )
            return
        frame = None
        try:
            frame = parse_frame(
                text_data, bytes_data, INSTRUCTOR_TYPES | STUDENT_TYPES | SHARED_TYPES
            )
            with translation.override(self.language):
                await self._handle(frame)
        except (FrameError, fields.SessionError) as error:
            with translation.override(self.language):
                await self.send_json(_with_id(localized_frame(error), frame))

    async def _handle(self, frame: dict[str, Any]) -> None:
        kind = frame["type"]
        if kind == "ping":
            await self._ping()
        elif kind == "sync":
            await self._send_hello()
        elif kind == "sim.older":
            await self._older(frame)
        elif kind in INSTRUCTOR_TYPES:
            allowed = self.role == "instructor" or (
                self.role == "projector" and kind in PROJECTOR_TYPES
            )
            if not allowed:
                raise FrameError("type", "only the instructor can do that")
            await self._command(frame)
        elif self.role != "student":
            raise FrameError("type", "only students can do that")
        elif kind == "answer":
            await self._answer(frame)
        else:
            await self._follow(frame)

    async def _older(self, frame: dict[str, Any]) -> None:
        """Windows of the shared run older than a screen's snapshot, as it scrubs back (D14)."""
        relay = RoomRelay.get(self.channel_layer, self.session_id)
        if relay is None:
            raise FrameError("from", "start a scenario first")
        try:
            await relay.sim.older(self, frame.get("from"), frame.get("to"))
        except FieldError as error:
            raise FrameError(error.field, error.reason) from None

    async def _command(self, frame: dict[str, Any]) -> None:
        client_id = receipts.read_client_id(frame)
        kind, payload = log.validate_command(frame, self.slides, self.lesson)
        try:
            applied = await database_sync_to_async(log.apply_command)(
                self.session_id, kind, payload, client_id
            )
        except FieldError:
            raise  # refused with a reason (the session ended, no poll is open …)
        except (DatabaseError, ValueError) as error:
            # The command's transaction rolled back: say so instead of dropping the socket.
            logger.warning(
                "study room %s: the database refused %s: %r", self.session_id, kind, error
            )
            raise FrameError("type", "the database refused this command; nothing changed") from None
        if applied.repeat:
            # Done before (this screen resent it after a reconnect): say so, change nothing.
            await self.send_json(_done(client_id, applied.seq, repeat=True))
            return
        await self._after_command(kind, applied)
        if client_id:
            await self.send_json(_done(client_id, applied.seq))

    async def _after_command(self, kind: str, applied: log.Applied) -> None:
        room = room_group(self.session_id)
        if not await self._broadcast(room, state_message(applied)):
            # Committed, but the layer is down: this screen gets its state now, everyone else
            # when the layer is back (Rejoin re-reads the room everywhere).
            await self.send(text_data=state_message(applied)["text"])
            raise FrameError("room", "saved; the other screens get it once the room reconnects")
        if kind == "remove":
            await self._lobby_changed()
        if kind == "poll.open":
            await self._tally_changed()
        if kind == "poll.reveal":
            # Computed once and sent to the whole room: after the reveal the counts are final.
            tally = await database_sync_to_async(polls.tally)(applied.state["poll"]["id"])
            await self._broadcast(room, {"type": "room.tally", "tally": tally})
        if kind == "poll.reveal" and applied.state["poll"]["scored"]:
            board = await database_sync_to_async(polls.leaderboard)(self.session_id)
            await self._broadcast(room, {"type": "room.leaderboard", "leaders": board})
        if kind == "end":
            await self._broadcast(room, {"type": "room.ended"})

    async def _broadcast(self, group: str, message: dict[str, Any]) -> bool:
        return await Rejoin.of(self.channel_layer).group_send(self.session_id, group, message)

    async def _answer(self, frame: dict[str, Any]) -> None:
        client_id = receipts.read_client_id(frame)
        given = await database_sync_to_async(polls.answer)(self.participant, frame, client_id)
        reply = {"type": "answered", **given}
        if client_id:
            reply["id"] = client_id
        await self.send_json(reply)
        if not given.get("repeat"):
            await self._tally_changed()

    async def _follow(self, frame: dict[str, Any]) -> None:
        value = frame.get("value")
        if not isinstance(value, bool):
            raise FrameError("value", "expected true or false")
        await database_sync_to_async(joining.set_presence)(
            self.participant.pk, online=True, following=value
        )
        await self.send_json({"type": "following", "value": value})
        await self._lobby_changed()

    async def _ping(self) -> None:
        if self.role == "student":
            now = time.monotonic()
            if now - self._last_presence >= PRESENCE_EVERY_S:
                self._last_presence = now
                await database_sync_to_async(joining.set_presence)(self.participant.pk, online=True)
        else:
            await self.send_json(await database_sync_to_async(joining.lobby)(self.session_id))
        await self.send_json({"type": "pong", "server_ms": _now_ms()})

    # ------------------------------------------------------------------ sending

    async def _send_hello(self, arriving: bool = False) -> None:
        participant_id = self.participant.pk if self.role == "student" else None
        if arriving and participant_id is not None:
            # Shares its trip to the database with the students arriving meanwhile.
            data = await arrivals.arrive(self.session_id, participant_id)
        else:
            data = await _hello_data(self.session_id, participant_id, arriving)
        if not data["live"]:
            await self._send_ended()
            return
        hello: dict[str, Any] = {
            "type": "hello",
            "role": self.role,
            "seq": data["seq"],
            "state": data["state"],
            "slides": self.slides,
            "server_ms": _now_ms(),
        }
        if self.role == "student":
            hello["nickname"] = self.participant.nickname
            hello["answer"] = data["answer"]
            if data["tally"] is not None:
                hello["tally"] = _with_histogram(data["tally"], self.language)
        await self.send_json(hello)
        relay = RoomRelay.get(self.channel_layer, self.session_id)
        if relay is not None:
            await relay.sim.update(data["seq"], data["state"]["sim"])
        if self.role != "student":
            await self.send_json(data["lobby"])
            tally = data.get("sealed") if self.role == "projector" else None
            tally = tally or data["tally"]
            if tally is not None:
                await self.send_json(_with_histogram(tally, self.language))

    async def _send_ended(self) -> None:
        self.role = None
        await self.send_json({"type": "ended"})
        await self.close(code=CLOSE_ENDED)

    async def _lobby_changed(self) -> None:
        await self._broadcast(instructor_group(self.session_id), {"type": "room.lobby_changed"})

    async def _tally_changed(self) -> None:
        await self._broadcast(instructor_group(self.session_id), {"type": "room.tally_changed"})

    def _coalesce(self, name: str, job: Any) -> None:
        if name in self._pending:
            return

        async def later() -> None:
            await asyncio.sleep(COALESCE_S)
            self._pending.pop(name, None)
            with contextlib.suppress(Exception):
                await job()

        self._pending[name] = asyncio.ensure_future(later())

    # ------------------------------------------------------------------ group events

    @property
    def wire(self) -> Any:
        """This socket's wire for the room's fan-out (``patterns.sessions.fanout``), or None."""
        return self.scope.get(fanout.WIRE_KEY)

    async def send(
        self, text_data: str | None = None, bytes_data: bytes | None = None, close: bool = False
    ) -> None:
        """Channels' send, after what the room's outbox holds for this socket (its order)."""
        wire = self.wire
        if wire is not None:
            fanout.flush_wire(wire)
        await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    def plain_text(self, event: dict[str, Any]) -> str | None:
        """The text ``room_state`` would send for this room-wide message, when that is all it
        would do (the relay then writes it with everyone else's); None when the handler must
        run (another type, or this student was just removed)."""
        if event.get("type") != "room.state" or getattr(self, "_removed", False):
            return None
        if self._removed_by(event):
            return None
        return str(event["text"])

    def _removed_by(self, event: dict[str, Any]) -> bool:
        """Whether this room-wide state removes the student on this socket."""
        return self.role == "student" and self.participant.pk in event.get("removed", ())

    async def room_state(self, event: dict[str, Any]) -> None:
        if getattr(self, "_removed", False):
            return
        if self._removed_by(event):
            self._removed = True
            await self.close(code=CLOSE_REMOVED)  # the leave path runs as the consumer ends
            return
        await self.send(text_data=event["text"])

    async def room_lobby_changed(self, event: dict[str, Any]) -> None:
        async def send_lobby() -> None:
            await self.send_json(await database_sync_to_async(joining.lobby)(self.session_id))

        self._coalesce("lobby", send_lobby)

    async def room_tally_changed(self, event: dict[str, Any]) -> None:
        # Only the instructor group (console and projector) gets these: students see the
        # histogram once it is revealed, so their guesses stay their own.
        async def send_tally() -> None:
            _seq, state, _live = await room_snapshot(self.session_id)
            poll = state["poll"]
            if poll is not None:
                tally = await database_sync_to_async(polls.tally)(poll["id"])
                if self.role == "projector" and poll["state"] != "revealed":
                    tally = polls.without_answer(tally)
                await self.send_json(_with_histogram(tally, self.language))

        self._coalesce("tally", send_tally)

    async def room_tally(self, event: dict[str, Any]) -> None:
        # The relay hands the same event to every socket of the room in this process: each
        # language's histogram is drawn once and kept on the event for the others.
        drawn = event.setdefault("drawn", {})
        if self.language not in drawn:
            drawn[self.language] = _with_histogram(event["tally"], self.language)
        await self.send_json(drawn[self.language])

    async def room_leaderboard(self, event: dict[str, Any]) -> None:
        await self.send_json({"type": "leaderboard", "leaders": event["leaders"]})

    async def room_resynced(self, event: dict[str, Any]) -> None:
        """The layer is back after an outage: the lobby and tally may have changed meanwhile."""
        if self.role in ("instructor", "projector"):
            await self.room_lobby_changed(event)
            await self.room_tally_changed(event)

    async def room_ended(self, event: dict[str, Any]) -> None:
        if self.role is not None:
            await self._send_ended()
