from __future__ import annotations

import pytest
import pytest_asyncio
from channels.testing import WebsocketCommunicator

from tests.site.conftest import OpenSocket

# The auth middleware looks the session up, so even anonymous sockets touch the database.
pytestmark = [pytest.mark.unit, pytest.mark.asyncio, pytest.mark.django_db]


@pytest_asyncio.fixture
async def status(open_socket: OpenSocket) -> WebsocketCommunicator:
    communicator, connected, _ = await open_socket("/ws/status/")
    assert connected
    return communicator


async def test_status_says_hello_and_answers_a_ping_through_the_layer(
    status: WebsocketCommunicator,
) -> None:
    hello = await status.receive_json_from()
    await status.send_json_to({"type": "ping", "id": 7})
    pong = await status.receive_json_from()

    assert hello == {"type": "hello", "layer": "in-memory"}
    assert pong == {"type": "pong", "id": 7}


async def test_status_rejects_a_foreign_origin(open_socket: OpenSocket) -> None:
    _, connected, _ = await open_socket("/ws/status/", origin=b"https://evil.example")

    assert connected is False


@pytest.mark.parametrize(
    ("frame", "field", "reason"),
    [
        ("not json", "frame", "not valid JSON"),
        ("[1, 2]", "frame", "expected a JSON object"),
        ('{"id": 1}', "type", "missing or not a string"),
        ('{"type": "drop_tables"}', "type", "unknown type 'drop_tables'; expected one of ['ping']"),
        ('{"type": "ping", "id": "1"}', "id", "expected a whole number from 0 to 2,147,483,647"),
        ('{"type": "ping", "id": 1e300}', "id", "expected a whole number from 0 to 2,147,483,647"),
        ('{"type": "ping", "id": ' + "9" * 5000 + "}", "frame", "larger than 4,096 bytes"),
    ],
)
async def test_status_answers_a_bad_frame_with_an_error_and_stays_usable(
    status: WebsocketCommunicator, frame: str, field: str, reason: str
) -> None:
    await status.receive_json_from()

    await status.send_to(text_data=frame)
    error = await status.receive_json_from()
    await status.send_json_to({"type": "ping", "id": 2})
    pong = await status.receive_json_from()

    assert error == {"type": "error", "field": field, "reason": reason}
    assert pong == {"type": "pong", "id": 2}


async def test_status_refuses_binary_frames(status: WebsocketCommunicator) -> None:
    await status.receive_json_from()

    await status.send_to(bytes_data=b"\x00\x01")
    error = await status.receive_json_from()

    assert error == {
        "type": "error",
        "field": "frame",
        "reason": "binary frames are not accepted; send JSON text",
    }


async def test_status_rate_limits_a_flood_of_frames(status: WebsocketCommunicator) -> None:
    await status.receive_json_from()

    for n in range(30):
        await status.send_json_to({"type": "ping", "id": n})
    replies = [await status.receive_json_from() for _ in range(30)]

    kinds = [reply["type"] for reply in replies]
    assert kinds.count("pong") == 20
    assert kinds.count("error") == 10
    assert {r["reason"] for r in replies if r["type"] == "error"} == {"too many frames; slow down"}
