"""The shared simulation across two daphne processes (PostgreSQL + Redis): each process builds
the run from the command log and streams it to its own sockets; they send the same frames for
the same window, and a killed process rebuilds the same frames when it comes back."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.integration.rooms import SETUP, connect, run, until
from tests.servers import DaphneServer, manage

KILL = {"do": "kill_task", "task": "inventory-2"}


async def _action_frame(socket: Any) -> dict[str, Any]:
    while True:
        message = json.loads(await asyncio.wait_for(socket.recv(), timeout=15))
        batch = message["frames"] if message["type"] == "sim.history" else [message]
        for frame in batch:
            if frame["type"] == "sim.frame" and any(
                e["cause"] == "action_applied" for e in frame["events"]
            ):
                return frame


async def _shared_run(a: DaphneServer, b: DaphneServer, ids: list[str]) -> dict[str, Any]:
    public_id, teacher_key, aya_key, *_ = ids
    async with (
        connect(a, public_id, teacher_key) as teacher,
        connect(b, public_id, aya_key) as aya,
    ):
        await until(teacher, "hello")
        await until(aya, "hello")
        for frame in [
            {"type": "scenario", "scenario": "steady", "seed": 3},
            {"type": "speed", "value": 10},
            {"type": "play"},
        ]:
            await teacher.send(json.dumps(frame))
            await until(teacher, "state")
        await teacher.send(json.dumps({"type": "action", "action": KILL}))
        on_a = await _action_frame(teacher)
        on_b = await _action_frame(aya)
        await teacher.send(json.dumps({"type": "pause"}))
        await until(teacher, "state")
    return {"a": on_a, "b": on_b}


async def _replayed(server: DaphneServer, ids: list[str], seq: int) -> dict[str, Any]:
    public_id, teacher_key, *_ = ids
    async with connect(server, public_id, teacher_key) as teacher:
        await until(teacher, "sim.hello")
        while True:
            for frame in (await until(teacher, "sim.history"))["frames"]:
                if frame["seq"] == seq:
                    return frame


def test_two_processes_send_the_same_frames_and_a_restart_rebuilds_them(
    servers: tuple[DaphneServer, DaphneServer],  # noqa: F811
    shared_env: dict[str, str],  # noqa: F811
) -> None:
    a, b = servers
    ids = manage("shell", "-v0", "-c", SETUP, env=shared_env).stdout.split()

    seen = run(_shared_run(a, b, ids))
    a.kill()
    a.start()
    again = run(_replayed(a, ids, seen["a"]["seq"]))

    assert seen["a"] == seen["b"]
    assert again == seen["a"]
