"""The runs one address may start (review D4, issue 15): a token bucket per address, checked
before a run's body is read or parsed (HTTP) or before a start/resume/fork frame is handled
(the playground socket); a flood is refused with 429 naming the limit, a class behind one NAT
address loading its pages together is not."""

from __future__ import annotations

import json
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from kumoben.ws_limits import RunRatePerAddress
from patterns.live import RunRate
from tests.playground.sockets import connected
from tests.scenarios import TINY

pytestmark = [pytest.mark.unit]


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_address_gets_its_burst_then_its_rate_and_others_their_own(settings: Any) -> None:
    settings.KUMOBEN_RUN_BURST_PER_ADDRESS = 3
    settings.KUMOBEN_RUNS_PER_ADDRESS_MINUTE = 60  # one a second
    clock = Clock()
    rate = RunRate(clock)

    assert [rate.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]
    assert rate.allow("10.0.0.2")  # another address is not held up
    clock.now += 0.5
    assert not rate.allow("10.0.0.1")
    clock.now += 0.5  # a whole second since the refusal began to refill: one more run
    assert rate.allow("10.0.0.1")
    assert not rate.allow("10.0.0.1")
    clock.now += 60  # refilled up to the burst, not past it
    assert [rate.allow("10.0.0.1") for _ in range(4)] == [True, True, True, False]


def test_a_class_of_40_behind_one_nat_loads_three_runs_each_at_once() -> None:
    clock = Clock()
    rate = RunRate(clock)  # the defaults: 120 at once, 120 a minute

    assert all(rate.allow("203.0.113.7") for _ in range(40 * 3))
    assert not rate.allow("203.0.113.7")  # a 121st at the same instant is one too many
    clock.now += 20  # then each of the 40 presses Play every 20 s: 2 a second between them
    assert all(rate.allow("203.0.113.7") for _ in range(40))


def test_addresses_whose_bucket_refilled_are_forgotten(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RunRate, "PRUNE_ABOVE", 3)
    clock = Clock()
    rate = RunRate(clock)
    for address in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        rate.allow(address)
    clock.now += 3600
    rate.allow("10.0.0.4")  # the fourth address: the three refilled ones are dropped

    assert list(rate._buckets) == ["10.0.0.4"]


def test_the_refusal_names_the_limit_and_its_setting(settings: Any) -> None:
    settings.KUMOBEN_RUN_BURST_PER_ADDRESS = 5
    settings.KUMOBEN_RUNS_PER_ADDRESS_MINUTE = 30
    refusal = RunRate().refusal()

    assert refusal.as_frame() == {
        "type": "error",
        "field": "run",
        "reason": "more than 5 runs at once or 30 a minute from one address "
        "(KUMOBEN_RUNS_PER_ADDRESS_MINUTE); try again in a few seconds",
    }


# ------------------------------------------------------------------ the HTTP endpoint


async def _asgi_post(app: Any, headers: list[tuple[bytes, bytes]]) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise AssertionError("the body was read")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/playground/api/run",
        "client": ("198.51.100.9", 5000),
        "headers": headers,
    }
    await app(scope, receive, send)
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        (
            [],
            "more than 2 runs at once or 6 a minute from one address "
            "(KUMOBEN_RUNS_PER_ADDRESS_MINUTE); try again in a few seconds",
        ),
        (
            [(b"cookie", b"django_language=ja")],
            "1 つのアドレスから始められる実行は、一度に 2 件、1 分あたり 6 件まで"
            "（KUMOBEN_RUNS_PER_ADDRESS_MINUTE）です。数秒おいてから、もう一度試してください",
        ),
    ],
)
async def test_a_run_request_over_the_rate_gets_429_before_django_reads_it(
    settings: Any, headers: list[tuple[bytes, bytes]], reason: str
) -> None:
    settings.KUMOBEN_RUN_BURST_PER_ADDRESS = 2
    settings.KUMOBEN_RUNS_PER_ADDRESS_MINUTE = 6
    reached: list[str] = []

    async def django(scope: dict[str, Any], receive: Any, send: Any) -> None:
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    app = RunRatePerAddress(django)
    answers = [await _asgi_post(app, headers) for _ in range(3)]

    assert [status for status, _ in answers] == [200, 200, 429]
    assert reached == ["/playground/api/run"] * 2  # the third never reached Django
    assert json.loads(answers[2][1]) == {"type": "error", "field": "run", "reason": reason}


# ------------------------------------------------------------------ the playground socket


@pytest.mark.asyncio
@pytest.mark.django_db
@pytest.mark.usefixtures("sockets")
async def test_start_frames_over_the_rate_get_an_error_frame_and_the_socket_stays(
    settings: Any,
) -> None:
    settings.KUMOBEN_RUN_BURST_PER_ADDRESS = 2
    settings.KUMOBEN_RUNS_PER_ADDRESS_MINUTE = 1
    communicator: WebsocketCommunicator = await connected()
    start = {"type": "start", "scenario": TINY, "paused": True}

    kinds = []
    for _ in range(3):
        await communicator.send_json_to(start)
        message = await communicator.receive_json_from(timeout=10)
        while message["type"] not in {"hello", "error"}:
            message = await communicator.receive_json_from(timeout=10)
        kinds.append(message if message["type"] == "error" else "hello")

    assert kinds[:2] == ["hello", "hello"]
    assert kinds[2] == {
        "type": "error",
        "field": "run",
        "reason": "more than 2 runs at once or 1 a minute from one address "
        "(KUMOBEN_RUNS_PER_ADDRESS_MINUTE); try again in a few seconds",
    }
    await communicator.send_json_to({"type": "pause"})  # still open and answering
    assert (await communicator.receive_json_from(timeout=10))["type"] == "status"
