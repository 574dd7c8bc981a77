"""A study session served by two daphne processes sharing PostgreSQL and Redis: the instructor
on process A, students on process B; then process A is killed and started again."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.integration.rooms import SETUP, connect, run, until
from tests.servers import DaphneServer, manage


async def _across_processes(a: DaphneServer, b: DaphneServer, ids: list[str]) -> dict[str, Any]:
    public_id, teacher_key, *student_keys = ids
    seen: dict[str, Any] = {}
    async with (
        connect(a, public_id, teacher_key) as teacher,
        connect(b, public_id, student_keys[0]) as aya,
        connect(b, public_id, student_keys[1]) as ben,
    ):
        for socket in (teacher, aya, ben):
            await until(socket, "hello")
        await asyncio.sleep(0.3)  # group_add calls have reached Redis
        seen["lobby"] = await until(teacher, "lobby")
        while seen["lobby"]["online"] < 2:
            seen["lobby"] = await until(teacher, "lobby")

        await teacher.send(json.dumps({"type": "slide", "slide": 2, "step": 0}))
        seen["aya_state"] = await until(aya, "state")
        seen["ben_state"] = await until(ben, "state")

        await ben.send(json.dumps({"type": "slide", "slide": 9, "step": 0}))
        seen["ben_error"] = await until(ben, "error")

        await teacher.send(
            json.dumps(
                {
                    "type": "poll.open",
                    "kind": "choice",
                    "prompt": "Which?",
                    "choices": ["a", "b"],
                    "correct": 0,
                }
            )
        )
        poll = (await until(aya, "state"))["state"]["poll"]
        await aya.send(json.dumps({"type": "answer", "poll": poll["id"], "choice": 0}))
        tally = await until(teacher, "tally")
        while tally["answered"] < 1:
            tally = await until(teacher, "tally")
        seen["tally"] = tally
    return seen


def test_instructor_on_one_process_drives_students_on_another(
    servers: tuple[DaphneServer, DaphneServer],
    shared_env: dict[str, str],  # noqa: F811
) -> None:
    a, b = servers
    ids = manage("shell", "-v0", "-c", SETUP, env=shared_env).stdout.split()

    seen = run(_across_processes(a, b, ids))

    assert [p["nickname"] for p in seen["lobby"]["participants"]] == ["Aya", "Ben", "Chie"]
    assert (seen["lobby"]["online"], seen["lobby"]["following"]) == (2, 2)
    assert (seen["aya_state"]["seq"], seen["aya_state"]["state"]["slide"]) == (1, 2)
    assert seen["ben_state"]["seq"] == 1
    assert seen["ben_error"]["reason"] == "only the instructor can do that"
    assert (seen["tally"]["counts"], seen["tally"]["answered"]) == ([1, 0], 1)


async def _before_kill(a: DaphneServer, b: DaphneServer, ids: list[str]) -> dict[str, Any]:
    public_id, teacher_key, aya_key, *_ = ids
    async with connect(a, public_id, teacher_key) as teacher:
        await until(teacher, "hello")
        for slide in (2, 3, 4):
            await teacher.send(json.dumps({"type": "slide", "slide": slide, "step": 1}))
            await until(teacher, "state")
        await teacher.send(json.dumps({"type": "play"}))
        return await until(teacher, "state")


async def _after_restart(a: DaphneServer, b: DaphneServer, ids: list[str]) -> dict[str, Any]:
    public_id, teacher_key, aya_key, ben_key, _ = ids
    async with (
        connect(a, public_id, teacher_key) as teacher,
        connect(b, public_id, ben_key) as ben,
    ):
        teacher_hello = await until(teacher, "hello")
        ben_hello = await until(ben, "hello")
        await asyncio.sleep(0.3)
        await teacher.send(json.dumps({"type": "slide", "slide": 5, "step": 0}))
        ben_next = await until(ben, "state")
    return {"teacher": teacher_hello, "ben": ben_hello, "ben_next": ben_next}


def test_room_state_survives_killing_a_process(
    servers: tuple[DaphneServer, DaphneServer],
    shared_env: dict[str, str],  # noqa: F811
) -> None:
    a, b = servers
    ids = manage("shell", "-v0", "-c", SETUP, env=shared_env).stdout.split()
    before = run(_before_kill(a, b, ids))

    a.kill()
    a.start()
    after = run(_after_restart(a, b, ids))

    assert (before["seq"], before["state"]["slide"], before["state"]["sim"]["playing"]) == (
        4,
        4,
        True,
    )
    assert after["teacher"]["seq"] == after["ben"]["seq"] == 4
    assert after["ben"]["state"]["slide"] == 4
    assert after["ben"]["state"]["sim"] == before["state"]["sim"]
    assert (after["ben_next"]["seq"], after["ben_next"]["state"]["slide"]) == (5, 5)


async def _idle_then_follow(a: DaphneServer, b: DaphneServer, ids: list[str]) -> dict[str, Any]:
    public_id, teacher_key, aya_key, *_ = ids
    async with (
        connect(a, public_id, teacher_key) as teacher,
        connect(b, public_id, aya_key) as aya,
    ):
        await until(teacher, "hello")
        await until(aya, "hello")
        await asyncio.sleep(7)  # a quiet room: longer than Redis's 5 s blocking pop
        await teacher.send(json.dumps({"type": "slide", "slide": 2, "step": 0}))
        return await until(aya, "state")


def test_a_quiet_room_keeps_its_sockets_on_redis(
    servers: tuple[DaphneServer, DaphneServer],
    shared_env: dict[str, str],  # noqa: F811
) -> None:
    a, b = servers
    ids = manage("shell", "-v0", "-c", SETUP, env=shared_env).stdout.split()

    frame = run(_idle_then_follow(a, b, ids))

    assert (frame["seq"], frame["state"]["slide"]) == (1, 2)
