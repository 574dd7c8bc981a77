"""Two daphne processes sharing PostgreSQL and Redis: a group message crosses processes."""

from __future__ import annotations

import asyncio
import json

import websockets

from tests.servers import DaphneServer, manage

MAKE_STAFF_SESSION = """
from django.contrib.auth import get_user_model
from django.test import Client
user = get_user_model().objects.create_user("ops", password="unused-pw", is_staff=True)
client = Client()
client.force_login(user)
print(client.cookies["sessionid"].value)
"""


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
    servers: tuple[DaphneServer, DaphneServer], shared_env: dict[str, str]
) -> None:
    a, b = servers
    output = manage("shell", "-v0", "-c", MAKE_STAFF_SESSION, env=shared_env).stdout
    cookie = output.strip().splitlines()[-1]

    received = asyncio.run(_cross_process_round_trip(a, b, cookie))

    assert a.port != b.port
    assert received == [
        {"type": "broadcast", "text": "from process A"},
        {"type": "hello", "layer": "redis"},
    ]


def test_healthz_reports_both_backends_ok_on_postgresql_and_redis(
    servers: tuple[DaphneServer, DaphneServer],
) -> None:
    a, _ = servers

    status, body = a.get_json("/healthz")

    assert (status, body) == (200, {"status": "ok", "database": "ok", "channel_layer": "ok"})
