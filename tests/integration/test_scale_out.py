"""Two daphne processes sharing PostgreSQL and Redis: a group message crosses processes."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
import redis
import websockets

from tests.servers import DaphneServer, manage, running_daphne, server_env

MAKE_STAFF_SESSION = """
from django.contrib.auth import get_user_model
from django.test import Client
user = get_user_model().objects.create_user("ops", password="unused-pw", is_staff=True)
client = Client()
client.force_login(user)
print(client.cookies["sessionid"].value)
"""


def _fresh_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}"))


def _drop_database(url: str) -> None:
    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parts.path.lstrip("/")}" WITH (FORCE)')


@pytest.fixture
def shared_env(postgres_url: str, redis_url: str) -> Iterator[dict[str, str]]:
    # A database and a channel-layer key prefix of this test's own: test runs that share the
    # machine's PostgreSQL and Redis (a developer's and CI's, say) cannot see each other.
    run = f"{os.getpid()}_{secrets.token_hex(4)}"
    database_url = _fresh_database(postgres_url, f"kumoben_scale_out_{run}")
    prefix = f"kumoben-test-{run}"
    env = server_env(DATABASE_URL=database_url, REDIS_URL=redis_url, KUMOBEN_CHANNEL_PREFIX=prefix)
    manage("migrate", "--noinput", "-v0", env=env)
    yield env
    _drop_database(database_url)
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*", count=1000):
        client.delete(key)


@pytest.fixture
def two_servers(shared_env: dict[str, str], tmp_path: Path) -> Iterator[tuple[DaphneServer, ...]]:
    with (
        running_daphne(shared_env, tmp_path / "a.log") as a,
        running_daphne(shared_env, tmp_path / "b.log") as b,
    ):
        yield a, b


async def _cross_process_round_trip(a: DaphneServer, b: DaphneServer, cookie: str) -> list[dict]:
    headers = {"Cookie": f"sessionid={cookie}"}
    received = []
    async with (
        websockets.connect(
            b.ws_url + "/ws/ops/broadcast/", origin=b.url, additional_headers=headers
        ) as listener,
        websockets.connect(
            a.ws_url + "/ws/ops/broadcast/", origin=a.url, additional_headers=headers
        ) as sender,
    ):
        await asyncio.sleep(0.3)  # both group_add calls have reached Redis
        await sender.send(json.dumps({"type": "broadcast", "text": "from process A"}))
        received.append(json.loads(await asyncio.wait_for(listener.recv(), 10)))
        async with websockets.connect(b.ws_url + "/ws/status/", origin=b.url) as status:
            received.append(json.loads(await asyncio.wait_for(status.recv(), 10)))
    return received


def test_group_message_from_one_process_reaches_a_client_of_another(
    two_servers: tuple[DaphneServer, DaphneServer], shared_env: dict[str, str]
) -> None:
    a, b = two_servers
    output = manage("shell", "-v0", "-c", MAKE_STAFF_SESSION, env=shared_env).stdout
    cookie = output.strip().splitlines()[-1]

    received = asyncio.run(_cross_process_round_trip(a, b, cookie))

    assert a.port != b.port
    assert received == [
        {"type": "broadcast", "text": "from process A"},
        {"type": "hello", "layer": "redis"},
    ]


def test_healthz_reports_both_backends_ok_on_postgresql_and_redis(
    two_servers: tuple[DaphneServer, DaphneServer],
) -> None:
    a, _ = two_servers

    status, body = a.get_json("/healthz")

    assert (status, body) == (200, {"status": "ok", "database": "ok", "channel_layer": "ok"})
