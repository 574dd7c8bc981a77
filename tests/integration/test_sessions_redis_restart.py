"""A Redis restart in the middle of a study session (review D1, D9).

The test owns its Redis (a fresh redis-server on a free port, no persistence): killing it with
SIGKILL and starting it again loses every group membership, as a real broker restart does. Two
daphne processes share it and PostgreSQL. The sockets must stay open through the outage (no
1011, no reconnect storm), a command the instructor gives meanwhile must reach every student
once the broker is back, and later commands must reach everyone again without a process restart.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from tests.integration.conftest import _drop_database, _fresh_database
from tests.integration.rooms import SETUP, connect, run, until
from tests.servers import DaphneServer, free_port, manage, running_daphne, server_env

REDIS_SERVER = shutil.which("redis-server")


class OwnRedis:
    """A redis-server of this test's own, which it may kill and start again on the same port."""

    def __init__(self, tmp: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.tmp = tmp
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert REDIS_SERVER is not None
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed")
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.kill()


@pytest.fixture
def redis_servers(
    postgres_url: str,
    own_redis: OwnRedis,
    tmp_path: Path,
) -> Iterator[tuple[DaphneServer, DaphneServer, dict[str, str]]]:
    database_url = _fresh_database(postgres_url, f"kumoben_redis_restart_{own_redis.port}")
    env = server_env(DATABASE_URL=database_url, REDIS_URL=own_redis.url)
    manage("migrate", "--noinput", "-v0", env=env)
    try:
        with (
            running_daphne(env, tmp_path / "a.log") as a,
            running_daphne(env, tmp_path / "b.log") as b,
        ):
            yield a, b, env
    finally:
        _drop_database(database_url)


async def _through_a_restart(
    a: DaphneServer, b: DaphneServer, ids: list[str], broker: OwnRedis
) -> dict[str, Any]:
    public_id, teacher_key, *student_keys = ids
    seen: dict[str, Any] = {}
    async with (
        connect(a, public_id, teacher_key) as teacher,
        connect(a, public_id, student_keys[0]) as aya,
        connect(b, public_id, student_keys[1]) as ben,
        connect(b, public_id, student_keys[2]) as chie,
    ):
        students = (aya, ben, chie)
        for socket in (teacher, *students):
            await until(socket, "hello")
        await asyncio.sleep(0.3)  # group_add calls have reached Redis
        await teacher.send(json.dumps({"type": "slide", "slide": 2, "step": 0}))
        seen["before"] = [(await until(s, "state"))["seq"] for s in (teacher, *students)]

        await asyncio.to_thread(broker.kill)
        await asyncio.sleep(1.5)  # every process has noticed
        await teacher.send(json.dumps({"type": "slide", "slide": 3, "step": 0}))
        seen["teacher_during"] = await until(teacher, "state")
        seen["notice_during"] = await until(teacher, "error")
        await asyncio.sleep(1.0)
        await asyncio.to_thread(broker.start)
        started = time.monotonic()
        # The command given during the outage reaches every student once the broker is back.
        during = [await until(s, "state", timeout=15) for s in students]
        seen["during"] = [(f["seq"], f["state"]["slide"]) for f in during]
        seen["recovered_s"] = time.monotonic() - started

        await teacher.send(json.dumps({"type": "slide", "slide": 4, "step": 0}))
        after = [await until(s, "state", timeout=10) for s in students]
        seen["after"] = [(f["seq"], f["state"]["slide"]) for f in after]
        seen["open"] = [s.close_code is None for s in (teacher, *students)]
    return seen


def test_rooms_deliver_again_after_redis_restarts(
    redis_servers: tuple[DaphneServer, DaphneServer, dict[str, str]],
    own_redis: OwnRedis,
) -> None:
    a, b, env = redis_servers
    ids = manage("shell", "-v0", "-c", SETUP, env=env).stdout.split()

    seen = run(_through_a_restart(a, b, ids, own_redis))

    assert seen["before"] == [1, 1, 1, 1]
    assert (seen["teacher_during"]["seq"], seen["teacher_during"]["state"]["slide"]) == (2, 3)
    assert seen["notice_during"]["field"] == "room"
    assert seen["during"] == [(2, 3)] * 3
    assert seen["recovered_s"] < 10
    assert seen["after"] == [(3, 4)] * 3
    assert seen["open"] == [True] * 4
    for server in (a, b):
        assert "Exception inside application" not in server.log_path.read_text()
