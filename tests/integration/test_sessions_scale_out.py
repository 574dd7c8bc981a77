"""A study session served by two daphne processes sharing PostgreSQL and Redis: the instructor
on process A, students on process B; then process A is killed and started again."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import websockets

from tests.integration.test_scale_out import shared_env  # noqa: F401 - a fixture
from tests.servers import DaphneServer, manage, running_daphne

SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client
from patterns.sessions import joining
user = get_user_model().objects.create_user("instructor", password="unused-pw-123")
user.user_permissions.add(Permission.objects.get(codename="run_study_sessions"))
session = joining.create_session(user, "Scale-out")
client = Client()
client.force_login(user)
keys = [client.cookies["sessionid"].value]
for name in ("Aya", "Ben", "Chie"):
    _participant, token = joining.join(session, name)
    store = SessionStore()
    store["study_tokens"] = {session.public_id: token}
    store.create()
    keys.append(store.session_key)
print(session.public_id, *keys)
"""


@pytest.fixture
def servers(shared_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[DaphneServer, ...]]:  # noqa: F811
    with (
        running_daphne(shared_env, tmp_path / "a.log") as a,
        running_daphne(shared_env, tmp_path / "b.log") as b,
    ):
        yield a, b


def _run(coroutine: Any) -> Any:
    # A thread of its own: Playwright's sync API may hold an event loop in this thread when
    # browser tests run in the same pytest process.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def _connect(server: DaphneServer, public_id: str, cookie: str) -> Any:
    return websockets.connect(
        f"{server.ws_url}/ws/sessions/{public_id}/",
        origin=server.url,
        additional_headers={"Cookie": f"sessionid={cookie}"},
    )


async def _until(socket: Any, kind: str, timeout: float = 10) -> dict[str, Any]:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] == kind:
            return frame


async def _across_processes(a: DaphneServer, b: DaphneServer, ids: list[str]) -> dict[str, Any]:
    public_id, teacher_key, *student_keys = ids
    seen: dict[str, Any] = {}
    async with (
        _connect(a, public_id, teacher_key) as teacher,
        _connect(b, public_id, student_keys[0]) as aya,
        _connect(b, public_id, student_keys[1]) as ben,
    ):
        for socket in (teacher, aya, ben):
            await _until(socket, "hello")
        await asyncio.sleep(0.3)  # group_add calls have reached Redis
        seen["lobby"] = await _until(teacher, "lobby")
        while seen["lobby"]["online"] < 2:
            seen["lobby"] = await _until(teacher, "lobby")

        await teacher.send(json.dumps({"type": "slide", "slide": 2, "step": 0}))
        seen["aya_state"] = await _until(aya, "state")
        seen["ben_state"] = await _until(ben, "state")

        await ben.send(json.dumps({"type": "slide", "slide": 9, "step": 0}))
        seen["ben_error"] = await _until(ben, "error")

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
        poll = (await _until(aya, "state"))["state"]["poll"]
        await aya.send(json.dumps({"type": "answer", "poll": poll["id"], "choice": 0}))
        tally = await _until(teacher, "tally")
        while tally["answered"] < 1:
            tally = await _until(teacher, "tally")
        seen["tally"] = tally
    return seen


def test_instructor_on_one_process_drives_students_on_another(
    servers: tuple[DaphneServer, DaphneServer],
    shared_env: dict[str, str],  # noqa: F811
) -> None:
    a, b = servers
    ids = manage("shell", "-v0", "-c", SETUP, env=shared_env).stdout.split()

    seen = _run(_across_processes(a, b, ids))

    assert [p["nickname"] for p in seen["lobby"]["participants"]] == ["Aya", "Ben", "Chie"]
    assert (seen["lobby"]["online"], seen["lobby"]["following"]) == (2, 2)
    assert (seen["aya_state"]["seq"], seen["aya_state"]["state"]["slide"]) == (1, 2)
    assert seen["ben_state"]["seq"] == 1
    assert seen["ben_error"]["reason"] == "only the instructor can do that"
    assert (seen["tally"]["counts"], seen["tally"]["answered"]) == ([1, 0], 1)


async def _before_kill(a: DaphneServer, b: DaphneServer, ids: list[str]) -> dict[str, Any]:
    public_id, teacher_key, aya_key, *_ = ids
    async with _connect(a, public_id, teacher_key) as teacher:
        await _until(teacher, "hello")
        for slide in (2, 3, 4):
            await teacher.send(json.dumps({"type": "slide", "slide": slide, "step": 1}))
            await _until(teacher, "state")
        await teacher.send(json.dumps({"type": "play"}))
        return await _until(teacher, "state")


async def _after_restart(a: DaphneServer, b: DaphneServer, ids: list[str]) -> dict[str, Any]:
    public_id, teacher_key, aya_key, ben_key, _ = ids
    async with (
        _connect(a, public_id, teacher_key) as teacher,
        _connect(b, public_id, ben_key) as ben,
    ):
        teacher_hello = await _until(teacher, "hello")
        ben_hello = await _until(ben, "hello")
        await asyncio.sleep(0.3)
        await teacher.send(json.dumps({"type": "slide", "slide": 5, "step": 0}))
        ben_next = await _until(ben, "state")
    return {"teacher": teacher_hello, "ben": ben_hello, "ben_next": ben_next}


def test_room_state_survives_killing_a_process(
    servers: tuple[DaphneServer, DaphneServer],
    shared_env: dict[str, str],  # noqa: F811
) -> None:
    a, b = servers
    ids = manage("shell", "-v0", "-c", SETUP, env=shared_env).stdout.split()
    before = _run(_before_kill(a, b, ids))

    a.kill()
    a.start()
    after = _run(_after_restart(a, b, ids))

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
        _connect(a, public_id, teacher_key) as teacher,
        _connect(b, public_id, aya_key) as aya,
    ):
        await _until(teacher, "hello")
        await _until(aya, "hello")
        await asyncio.sleep(7)  # a quiet room: longer than Redis's 5 s blocking pop
        await teacher.send(json.dumps({"type": "slide", "slide": 2, "step": 0}))
        return await _until(aya, "state")


def test_a_quiet_room_keeps_its_sockets_on_redis(
    servers: tuple[DaphneServer, DaphneServer],
    shared_env: dict[str, str],  # noqa: F811
) -> None:
    a, b = servers
    ids = manage("shell", "-v0", "-c", SETUP, env=shared_env).stdout.split()

    frame = _run(_idle_then_follow(a, b, ids))

    assert (frame["seq"], frame["state"]["slide"]) == (1, 2)
