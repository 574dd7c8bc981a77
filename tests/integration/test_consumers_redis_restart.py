"""A Redis restart under the other sockets (issue 15): the status indicator, the playground and a
session ended from the report page while the broker is down.

Same set-up as test_sessions_redis_restart.py (a redis-server of the test's own, killed with
SIGKILL and started again; two daphne processes on PostgreSQL). Before the fix the status and
playground sockets were closed with 1011 as soon as their layer receive failed, and the end sent
from a view raised inside the request instead of reaching the room once the broker was back.
"""

from __future__ import annotations

import asyncio
import json
import time
import urllib.request
from typing import Any

import websockets

from tests.integration.rooms import SETUP, connect, run, until
from tests.integration.test_sessions_redis_restart import (  # noqa: F401 - fixtures
    OwnRedis,
    own_redis,
    redis_servers,
)
from tests.servers import DaphneServer, manage

TOKEN = "d" * 32


def _end_session(server: DaphneServer, public_id: str, teacher_key: str) -> int:
    """The console's End button: a form POST to the session's end view, as the instructor."""
    request = urllib.request.Request(
        f"{server.url}/sessions/{public_id}/end/",
        data=f"csrfmiddlewaretoken={TOKEN}".encode(),
        headers={
            "Cookie": f"sessionid={teacher_key}; csrftoken={TOKEN}",
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": server.url,
        },
        method="POST",
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


async def _frames(socket: Any, kind: str, timeout: float = 10) -> dict[str, Any]:
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if frame["type"] == kind:
            return frame


async def _through_a_restart(
    a: DaphneServer, b: DaphneServer, ids: list[str], broker: OwnRedis
) -> dict[str, Any]:
    public_id, teacher_key, *student_keys = ids
    seen: dict[str, Any] = {}
    async with (
        websockets.connect(f"{a.ws_url}/ws/status/", origin=a.url) as status,
        websockets.connect(f"{b.ws_url}/ws/playground/", origin=b.url) as playground,
        connect(a, public_id, student_keys[0]) as aya,
        connect(b, public_id, student_keys[1]) as ben,
    ):
        await _frames(status, "hello")
        await status.send(json.dumps({"type": "ping", "id": 1}))
        seen["pong_before"] = (await _frames(status, "pong"))["id"]
        for socket in (aya, ben):
            await until(socket, "hello")
        await asyncio.sleep(0.3)  # group_add calls have reached Redis

        await asyncio.to_thread(broker.kill)
        await asyncio.sleep(2.0)  # every process has noticed (receives failed meanwhile)
        await status.send(json.dumps({"type": "ping", "id": 2}))
        seen["ping_during"] = await _frames(status, "error")
        await playground.send(
            json.dumps({"type": "start", "scenario": "steady", "speed": 10, "paused": True})
        )
        seen["playground_during"] = (await _frames(playground, "hello"))["duration_s"]
        seen["end_status"] = await asyncio.to_thread(_end_session, a, public_id, teacher_key)
        await asyncio.sleep(1.0)
        await asyncio.to_thread(broker.start)
        started = time.monotonic()

        # The end given during the outage reaches the students on both processes.
        ended = [await until(s, "ended", timeout=15) for s in (aya, ben)]
        seen["ended"] = [f["type"] for f in ended]
        seen["recovered_s"] = time.monotonic() - started
        for socket in (aya, ben):
            with_code = None
            try:
                await asyncio.wait_for(socket.recv(), 5)
            except websockets.ConnectionClosed as closed:
                with_code = closed.rcvd.code if closed.rcvd else None
            seen.setdefault("closed", []).append(with_code)

        # The status socket is still open and its ping goes through the layer again.
        deadline = time.monotonic() + 15
        while True:
            await status.send(json.dumps({"type": "ping", "id": 3}))
            frame = json.loads(await asyncio.wait_for(status.recv(), 10))
            if frame["type"] == "pong" or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.5)
        seen["pong_after"] = frame
        seen["open"] = [s.close_code is None for s in (status, playground)]
    return seen


def test_status_playground_and_an_ended_session_survive_a_redis_restart(
    redis_servers: tuple[DaphneServer, DaphneServer, dict[str, str]],  # noqa: F811
    own_redis: OwnRedis,  # noqa: F811
) -> None:
    a, b, env = redis_servers
    ids = manage("shell", "-v0", "-c", SETUP, env=env).stdout.split()

    seen = run(_through_a_restart(a, b, ids, own_redis))

    assert seen["pong_before"] == 1
    assert (seen["ping_during"]["field"], seen["ping_during"]["reason"]) == (
        "layer",
        "the channel layer is unreachable; try again shortly",
    )
    assert seen["playground_during"] == 120.0
    assert seen["end_status"] == 302  # to the report: the end is committed
    assert seen["ended"] == ["ended", "ended"]
    assert seen["recovered_s"] < 10
    assert seen["closed"] == [4410, 4410]
    assert seen["pong_after"] == {"type": "pong", "id": 3}
    assert seen["open"] == [True, True]
    for server in (a, b):
        assert "Exception inside application" not in server.log_path.read_text()
