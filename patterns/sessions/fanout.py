"""One room-wide text frame to many sockets of this process, encoded once.

Every state change and every shared-run window goes to each screen of the room. Sent one
``member.send(text_data=...)`` at a time, each went through Channels' send chain, daphne's reply
handler and autobahn's framing, and each encoded the same text to UTF-8 again: with 2,000
students a command waited seconds behind its own fan-out (bench/sessions_bench.py). Here the
text is encoded and framed once (RFC 6455 §5.2: a single unmasked FIN text frame, the server's
side) and the same bytes are written to each socket's wire (``kumoben.wire``; a socket served by
daphne over plain TCP has one). A socket without a wire, or whose wire cannot take a write now
(closing, or holding output of its own), gets the text through ``send`` as before, in order.

The frames are not written during ``deliver``: they wait in the process's :class:`Outbox`,
which writes each socket's queue with one system call on the next turns of the event loop,
``FLUSH_EVERY`` sockets a turn (so a room of thousands does not hold up reads, pings and other
rooms while it writes). A server that falls behind thus sends a socket what it is owed in one
write instead of one write a message.
"""

from __future__ import annotations

import asyncio
import logging
import struct
from collections.abc import Iterable
from typing import Any, Protocol

logger = logging.getLogger(__name__)

#: Sockets written between two turns of the event loop.
YIELD_EVERY = 200

#: The scope key under which kumoben.wire.ExposeWire keeps a socket's wire.
WIRE_KEY = "kumoben.wire"


class Member(Protocol):
    """A socket of the room: ``wire`` is its scope's wire or None; ``send`` is Channels'."""

    @property
    def wire(self) -> Any: ...

    async def send(self, text_data: str | None = None) -> None: ...


def text_frame(text: str) -> bytes:
    """A complete, unmasked, unfragmented WebSocket text frame carrying ``text``."""
    payload = text.encode("utf-8")
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


class Outbox:
    """Frames waiting to be written, per wire, flushed on the next turns of the event loop.

    A fan-out only queues its frame for each socket; the flush then writes each socket's queue
    with one system call. When the server keeps up, that is one frame a call as before; when it
    falls behind (a command's state and a shared-run window for 2,000 sockets), the frames a
    socket is owed go out together, so the sends a second fall as the load rises instead of
    the delay growing. Per socket the order stays the order of ``deliver`` calls, and a
    consumer's own send flushes its socket's queue first (``flush_wire``)."""

    def __init__(self) -> None:
        self.pending: dict[Any, list[bytes]] = {}
        self.loop: asyncio.AbstractEventLoop | None = None  # where a flush is scheduled

    def put(self, wire: Any, frame: bytes) -> None:
        queued = self.pending.get(wire)
        if queued is None:
            self.pending[wire] = [frame]
        else:
            queued.append(frame)
        loop = asyncio.get_running_loop()
        if self.loop is not loop:  # none scheduled (or on a loop that has gone: a test's)
            self.loop = loop
            loop.call_soon(self._flush)

    def flush_wire(self, wire: Any) -> None:
        queued = self.pending.pop(wire, None)
        if queued:
            wire.write(queued[0] if len(queued) == 1 else b"".join(queued))

    def _flush(self) -> None:
        """Write up to FLUSH_EVERY sockets' queues, then let the loop turn before the rest."""
        for _ in range(min(FLUSH_EVERY, len(self.pending))):
            wire, queued = next(iter(self.pending.items()))
            del self.pending[wire]
            try:
                wire.write(queued[0] if len(queued) == 1 else b"".join(queued))
            except Exception:  # noqa: BLE001 - one broken socket must not stop the others
                logger.debug("fan-out: a write failed", exc_info=True)
        if self.pending:
            asyncio.get_running_loop().call_soon(self._flush)
        else:
            self.loop = None


#: Sockets written in one turn of the event loop by the outbox's flush.
FLUSH_EVERY = 250

#: This process's outbox (one event loop per server process).
OUTBOX = Outbox()


def flush_wire(wire: Any) -> None:
    """Write what the outbox holds for ``wire`` now (before a send of the socket's own)."""
    OUTBOX.flush_wire(wire)


async def deliver(members: Iterable[Member], text: str) -> int:
    """Send ``text`` to every member, in the order given; returns how many go over a wire.

    A member with an open wire gets the frame queued in the outbox; the others get ``send``
    (a member whose send fails is skipped: a closed socket must not stop the room's stream)."""
    frame: bytes | None = None
    wired = 0
    for count, member in enumerate(list(members), start=1):
        wire = getattr(member, "wire", None)
        if wire is not None and wire.open():
            if frame is None:
                frame = text_frame(text)
            OUTBOX.put(wire, frame)
            wired += 1
            continue
        try:
            await member.send(text_data=text)
        except Exception:  # noqa: BLE001 - one broken socket must not starve the room
            logger.debug("fan-out: a send failed", exc_info=True)
        if count % YIELD_EVERY == 0:
            await asyncio.sleep(0)
    return wired
