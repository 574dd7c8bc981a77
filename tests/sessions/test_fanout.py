"""The room's fan-out (patterns/sessions/fanout.py, kumoben/wire.py): one frame encoded once and
written to every socket. The frame is checked against the websockets library's own parser; then
a real daphne serves a room and every screen gets byte-identical messages over the direct path,
including a late joiner's history (a frame over 64 KiB, the 8-byte length form)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from websockets.frames import OP_TEXT, Frame
from websockets.streams import StreamReader

from patterns.sessions.fanout import deliver, flush_wire, text_frame
from tests.integration.rooms import connect, on_one_server, until
from tests.servers import DaphneServer

pytestmark = pytest.mark.unit


def _parse(data: bytes) -> tuple[Frame, bytes]:
    """One frame as a client reads it; returns it and what is left over."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        return done.value, bytes(reader.buffer)
    raise AssertionError("the frame is incomplete")


@pytest.mark.parametrize("size", [0, 1, 125, 126, 127, 65535, 65536, 200_000])
def test_a_text_frame_parses_as_one_final_unmasked_frame(size: int) -> None:
    text = "x" * size
    frame, rest = _parse(text_frame(text))
    assert (frame.opcode, frame.fin, frame.rsv1, frame.rsv2, frame.rsv3) == (
        OP_TEXT,
        True,
        False,
        False,
        False,
    )
    assert frame.data.decode() == text
    assert rest == b""


def test_a_text_frame_counts_its_length_in_utf8_bytes() -> None:
    # 3 bytes a character: 50 characters make 150 bytes, past the 125-byte one-octet length.
    text = "講師" * 25
    data = text_frame(text)
    assert data[1] == 126 and int.from_bytes(data[2:4], "big") == 150
    assert _parse(data)[0].data.decode() == text


async def _a_room(server: DaphneServer, ids: list[str]) -> dict[str, Any]:
    """The instructor starts a run and plays it fast; Aya and Ben watch from the start, Chie
    joins late (her history comes in batches over 64 KiB); every raw message is kept."""
    public_id, teacher_key, aya_key, ben_key, chie_key = ids
    seen: dict[str, list[str]] = {"aya": [], "ben": [], "chie": []}

    async def watch(name: str, socket: Any, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                seen[name].append(await asyncio.wait_for(socket.recv(), 0.2))
            except TimeoutError:
                continue

    stop = asyncio.Event()
    async with (
        connect(server, public_id, teacher_key) as teacher,
        connect(server, public_id, aya_key) as aya,
        connect(server, public_id, ben_key) as ben,
    ):
        await until(teacher, "hello")
        watchers = [
            asyncio.ensure_future(watch("aya", aya, stop)),
            asyncio.ensure_future(watch("ben", ben, stop)),
        ]
        scenario = {"type": "scenario", "scenario": "kill-task", "pattern": "elb"}
        await teacher.send(json.dumps(scenario))
        for command in ({"type": "speed", "value": 10}, {"type": "play"}):
            await teacher.send(json.dumps(command))
        await asyncio.sleep(4.0)
        await teacher.send(json.dumps({"type": "pause"}))
        async with connect(server, public_id, chie_key) as chie:
            watchers.append(asyncio.ensure_future(watch("chie", chie, stop)))
            await asyncio.sleep(1.0)
            await teacher.send(json.dumps({"type": "slide", "slide": 2, "step": 0}))
            await asyncio.sleep(1.0)
            stop.set()
            await asyncio.gather(*watchers)
    return seen


def _kinds(messages: list[str], kind: str) -> list[str]:
    return [m for m in messages if json.loads(m)["type"] == kind]


def _frames_by_seq(messages: list[str]) -> dict[int, dict[str, Any]]:
    frames: dict[int, dict[str, Any]] = {}
    for message in messages:
        data = json.loads(message)
        for frame in data["frames"] if data["type"] == "sim.history" else [data]:
            if frame["type"] == "sim.frame":
                frames[frame["seq"]] = frame
    return frames


def test_every_screen_gets_the_same_bytes_written_directly(tmp_path: Path) -> None:
    seen = on_one_server(tmp_path, _a_room)
    log = (tmp_path / "daphne.log").read_text()

    # The states and the shared run's frames: the same text on both screens, in the same order.
    for kind in ("state", "sim.hello", "sim.frame", "sim.history"):
        assert _kinds(seen["aya"], kind) == _kinds(seen["ben"], kind), kind
    assert len(_frames_by_seq(seen["aya"])) >= 20
    # Chie's history holds the frames Aya got (one by one or in her own first batch), joined
    # into batches over 64 KiB: a snapshot's, from 5 s before the shared clock (review D14).
    history = _kinds(seen["chie"], "sim.history")
    assert max(len(m.encode()) for m in history) > 65535
    late = _frames_by_seq(history)
    early = _frames_by_seq(seen["aya"])
    assert len(late) >= 5 and all(late[seq] == early[seq] for seq in late)
    # Went over the direct path: the instructor's and the students' sockets, all of them.
    assert "a state written directly to 3 of 3 sockets" in log
    assert "a state written directly to 4 of 4 sockets" in log


class _Socket:
    """What the outbox needs of a wire: each write() is one system call's bytes."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.wire = self

    def open(self) -> bool:
        return True

    def write(self, frame: bytes) -> bool:
        self.writes.append(frame)
        return True


def test_the_outbox_writes_what_a_socket_is_owed_in_order_with_one_write() -> None:
    sockets = [_Socket() for _ in range(3)]

    async def room() -> None:
        await deliver(sockets, "one")
        await deliver(sockets[:2], "two")
        # A socket's own send writes its queue first (the consumer's send does this).
        flush_wire(sockets[0])
        sockets[0].writes.append(b"own")
        await asyncio.sleep(0)  # the flush's turn

    asyncio.run(room())

    one, two = text_frame("one"), text_frame("two")
    assert sockets[0].writes == [one + two, b"own"]
    assert sockets[1].writes == [one + two]
    assert sockets[2].writes == [one]


def test_a_member_without_a_wire_gets_the_text_through_send() -> None:
    sent: list[str | None] = []

    class Plain:
        wire = None

        async def send(self, text_data: str | None = None) -> None:
            sent.append(text_data)

    assert asyncio.run(deliver([Plain(), _Socket()], "hello")) == 1
    assert sent == ["hello"]
