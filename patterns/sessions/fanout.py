"""One room-wide text frame to many sockets of this process, encoded once.

Every state change and every shared-run window goes to each screen of the room. Sent one
``member.send(text_data=...)`` at a time, each went through Channels' send chain, daphne's reply
handler and autobahn's framing, and each encoded the same text to UTF-8 again: with 2,000
students a command waited seconds behind its own fan-out (bench/sessions_bench.py). Here the
text is encoded and framed once (RFC 6455 §5.2: a single unmasked FIN text frame, the server's
side) and the same bytes are written to each socket's wire (``kumoben.wire``; a socket served by
daphne over plain TCP has one). A socket without a wire, or whose wire cannot take a write now
(closing, or holding output of its own), gets the text through ``send`` as before, in order.

The loop gives the event loop a turn every ``YIELD_EVERY`` sockets, so a room of thousands does
not hold up reads, pings and other rooms while it writes.
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


async def deliver(members: Iterable[Member], text: str) -> int:
    """Send ``text`` to every member, in the order given; returns how many went over a wire.

    A member whose send fails is skipped (a closed socket must not stop the room's stream)."""
    frame: bytes | None = None
    wired = 0
    for count, member in enumerate(list(members), start=1):
        wire = getattr(member, "wire", None)
        if wire is not None:
            if frame is None:
                frame = text_frame(text)
            if wire.write(frame):
                wired += 1
                if count % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
                continue
        try:
            await member.send(text_data=text)
        except Exception:  # noqa: BLE001 - one broken socket must not starve the room
            logger.debug("fan-out: a send failed", exc_info=True)
        if count % YIELD_EVERY == 0:
            await asyncio.sleep(0)
    return wired
