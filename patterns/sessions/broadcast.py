"""Messages to a study room's layer groups, for the consumers and the views alike.

A view that changes the room (ending the session) tells the sockets through the channel layer,
with the same group names and state message as the room consumer; it never imports it.
"""

from __future__ import annotations

import json
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from patterns.sessions import log


def room_group(session_id: int) -> str:
    return f"study-{session_id}"


def instructor_group(session_id: int) -> str:
    return f"study-{session_id}-instructor"


#: Group message asking every process's relay of the room to re-read its state (after a
#: broker outage during which a broadcast failed).
RESYNC = "room.resync"


def state_message(applied: log.Applied) -> dict[str, Any]:
    """The group message for a new state, encoded once for the whole room: with 300 students,
    one json.dumps instead of 300 (and the in-memory layer's per-channel deepcopy of a string
    instead of a nested dict)."""
    return snapshot_message(applied.seq, applied.state, at_ms=int(applied.at_s * 1000))


def snapshot_message(seq: int, state: dict[str, Any], at_ms: int | None = None) -> dict[str, Any]:
    """The group message for the state at ``seq``; ``at_ms`` (when the command was applied) is
    left out of a state re-read after an outage."""
    frame: dict[str, Any] = {"type": "state", "seq": seq, "state": state}
    if at_ms is not None:
        frame["at_ms"] = at_ms
    # seq and sim travel beside the text for the relay's simulation streamer (one per process).
    return {
        "type": "room.state",
        "text": json.dumps(frame),
        "seq": seq,
        "sim": state["sim"],
        # Participants the instructor removed: their sockets close (a resync carries them too).
        "removed": state.get("removed", []),
    }


def send_ended(session_id: int, applied: log.Applied) -> None:
    """From synchronous code: the room's last state, then the end (each socket closes).

    Through the relay's ``Rejoin`` like every room broadcast: while the broker is down the end
    is kept (it is committed) and reaches every process's sockets when the broker is back,
    whose relays re-read the room, find it ended and close their sockets."""
    async_to_sync(_send_ended)(session_id, applied)


async def _send_ended(session_id: int, applied: log.Applied) -> None:
    from patterns.sessions.relay import Rejoin  # the relay imports this module

    rejoin = Rejoin.of(get_channel_layer())
    group = room_group(session_id)
    if await rejoin.group_send(session_id, group, state_message(applied)):
        await rejoin.group_send(session_id, group, {"type": "room.ended"})
