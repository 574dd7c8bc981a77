"""/healthz tells the truth while WebSockets are open on the process (review D2).

channels-redis serves a process's `!` channels behind one receive lock; a consumer holding it
blocks on its own list, so a probe that waited on a separately-named `!` channel timed out and the
node answered 503 whenever anybody was connected.
"""

from __future__ import annotations

import asyncio

import websockets

from tests.servers import DaphneServer


async def _probes_with_sockets_open(server: DaphneServer, sockets: int, probes: int) -> list[int]:
    connections = [
        await websockets.connect(server.ws_url + "/ws/status/", origin=server.url)
        for _ in range(sockets)
    ]
    try:
        for socket in connections:
            await asyncio.wait_for(socket.recv(), 10)  # the consumer is up and receiving
        statuses = []
        for _ in range(probes):
            status, _body = await asyncio.to_thread(server.get_json, "/healthz")
            statuses.append(status)
        return statuses
    finally:
        for socket in connections:
            await socket.close()


def test_healthz_is_200_with_websockets_open_on_redis(
    servers: tuple[DaphneServer, DaphneServer],
) -> None:
    a, _ = servers
    assert asyncio.run(_probes_with_sockets_open(a, sockets=3, probes=5)) == [200] * 5
