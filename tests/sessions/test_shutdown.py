"""A server shutting down (SIGTERM, as a deploy does) closes the room's sockets with the
"restarting" code, so screens reconnect and say why instead of looking crashed (review D12)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from patterns.sessions.consumers import CLOSE_RESTARTING
from tests.integration.rooms import connect, on_one_server, until
from tests.servers import DaphneServer

pytestmark = pytest.mark.unit


async def _close_codes_on_sigterm(server: DaphneServer, ids: list[str]) -> list[int | None]:
    public_id, teacher_key, aya_key, ben_key, _ = ids
    async with (
        connect(server, public_id, teacher_key) as teacher,
        connect(server, public_id, aya_key) as aya,
        connect(server, public_id, ben_key) as ben,
    ):
        for socket in (teacher, aya, ben):
            await until(socket, "hello")
        await asyncio.to_thread(server.stop)
        for socket in (teacher, aya, ben):
            await socket.wait_closed()
        return [socket.close_code for socket in (teacher, aya, ben)]


def test_sigterm_closes_room_sockets_with_the_restarting_code(tmp_path: Path) -> None:
    stopped: list[DaphneServer] = []

    async def play(server: DaphneServer, ids: list[str]) -> list[int]:
        stopped.append(server)
        return await _close_codes_on_sigterm(server, ids)

    codes = on_one_server(tmp_path, play)
    server = stopped[0]
    assert CLOSE_RESTARTING == 4012
    assert codes == [4012, 4012, 4012]
    assert server.process is not None and server.process.returncode == 0
