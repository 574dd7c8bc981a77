"""Generated hostile frames and bodies against every socket route and JSON endpoint (review D7).

Whatever arrives, the answer is an error naming a field, never a 500 or a socket closed with 1011
(a crashed consumer). The deterministic cases the review found come first, then hypothesis.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator
from django.contrib.auth import get_user_model
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kumoben.asgi import application
from patterns.consumers import OpsBroadcastConsumer, StatusConsumer
from patterns.playground.consumers import ALLOWED_TYPES as PLAYGROUND_TYPES
from patterns.sessions.consumers import INSTRUCTOR_TYPES, SHARED_TYPES, STUDENT_TYPES
from tests.sessions import room

pytestmark = [pytest.mark.unit, pytest.mark.django_db(transaction=True)]

ORIGIN = (b"origin", b"http://127.0.0.1")
FIELDS = [
    "at_s", "do", "service", "value", "speed", "scenario", "pattern", "seed", "log", "run",
    "after_seq", "choices", "prompt", "unit", "choice", "number", "slide", "id", "paused",
    "branch", "t", "text", "answer", "poll", "correct", "scored", "assumptions",
]  # fmt: skip

hostile_chars = st.characters(categories=["Cs", "Cc", "Lo", "Nd", "Po", "So", "Lu"])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(hostile_chars, max_size=12)
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(hostile_chars, max_size=6), inner, max_size=4)
    ),
    max_leaves=12,
)


def frames_of(types: frozenset[str]) -> st.SearchStrategy[str]:
    structured = st.fixed_dictionaries(
        {"type": st.sampled_from(sorted(types)) | st.text(hostile_chars, max_size=8)},
        optional=dict.fromkeys(FIELDS, json_values),
    ).map(lambda frame: json.dumps(frame, allow_nan=True))  # ensure_ascii escapes surrogates
    nested = st.integers(min_value=33, max_value=3000).map(
        lambda n: '{"type": "ping", "x": ' + "[" * n + "]" * n + "}"
    )
    return structured | nested | st.text(hostile_chars, max_size=40)


def _check_outputs(outputs: list[dict[str, Any]]) -> None:
    for output in outputs:
        if output["type"] == "websocket.close":
            assert output.get("code") != 1011, output
        if output["type"] == "websocket.send" and output.get("text"):
            frame = json.loads(output["text"])
            if frame.get("type") == "error":
                assert isinstance(frame.get("field"), str) and frame["field"], frame
                assert isinstance(frame.get("reason"), str) and frame["reason"], frame


async def _drain(communicator: WebsocketCommunicator, wait: float) -> list[dict[str, Any]]:
    outputs = []
    while True:
        if await communicator.receive_nothing(timeout=wait):
            return outputs
        outputs.append(await communicator.receive_output())  # re-raises a consumer's crash


async def _send_all(path: str, headers: list[tuple[bytes, bytes]], frames: list[str]) -> None:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, code = await communicator.connect(timeout=10)
    assert connected, code
    try:
        await _drain(communicator, 0.05)
        outputs = []
        for text in frames:
            await communicator.send_input({"type": "websocket.receive", "text": text})
            outputs += await _drain(communicator, 0.02)
        outputs += await _drain(communicator, 0.15)
        _check_outputs(outputs)
    finally:
        await communicator.disconnect()


def _fuzz(path: str, headers: list[tuple[bytes, bytes]], types: frozenset[str]) -> None:
    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(st.lists(frames_of(types), min_size=1, max_size=10))
    def check(frames: list[str]) -> None:
        async_to_sync(_send_all)(path, headers, frames)

    check()


# ---------------------------------------------------------------- the review's reproductions


async def _first_error(path: str, headers: list[tuple[bytes, bytes]], text: str) -> dict:
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect(timeout=10)
    assert connected
    try:
        await _drain(communicator, 0.05)
        await communicator.send_to(text_data=text)
        while True:
            frame = await communicator.receive_json_from(timeout=2)
            if frame["type"] == "error":
                return frame
    finally:
        await communicator.disconnect()


DEEP = '{"type": "ping", "x": ' + "[" * 1500 + "]" * 1500 + "}"


@pytest.mark.parametrize(
    ("path", "text", "reason"),
    [
        ("/ws/status/", DEEP, "nested deeper than 32 levels"),
        ("/ws/playground/", DEEP, "nested deeper than 32 levels"),
        (
            "/ws/playground/",
            '{"type": "start", "scenario": {"name": "\\ud800"}}',
            "contains a lone surrogate (not a Unicode character)",
        ),
        ("/ws/status/", '{"type": "ping", "id": NaN}', "NaN is not a number JSON allows"),
    ],
)
def test_the_reviews_hostile_frames_get_a_frame_error(path, text, reason) -> None:
    frame = async_to_sync(_first_error)(path, [ORIGIN], text)
    assert frame == {"type": "error", "field": "frame", "reason": reason}


@pytest.mark.parametrize(
    "text",
    [
        '{"type": "poll.open", "prompt": "Which?", "choices": ["\\u0000", "b"]}',
        '{"type": "poll.open", "prompt": "\\udc00", "choices": ["a", "b"]}',
        '{"type": "scenario", "scenario": {"name": "x", "assumptions": NaN}}',
    ],
)
def test_instructor_values_the_database_would_refuse_are_refused_first(text) -> None:
    session, cookie = async_to_sync(room.as_instructor)()
    headers = [ORIGIN, (b"cookie", cookie)]
    frame = async_to_sync(_first_error)(f"/ws/sessions/{session.public_id}/", headers, text)
    assert frame["field"] == "frame"


# ---------------------------------------------------------------- generated


def test_status_socket_survives_generated_frames() -> None:
    _fuzz("/ws/status/", [ORIGIN], StatusConsumer.allowed_types)


def test_playground_socket_survives_generated_frames() -> None:
    _fuzz("/ws/playground/", [ORIGIN], PLAYGROUND_TYPES)


def test_ops_broadcast_socket_survives_generated_frames() -> None:
    user = get_user_model().objects.create_user("ops", password="unused-pw", is_staff=True)
    client = Client()
    client.force_login(user)
    cookie = f"sessionid={client.cookies['sessionid'].value}".encode()
    _fuzz("/ws/ops/broadcast/", [ORIGIN, (b"cookie", cookie)], OpsBroadcastConsumer.allowed_types)


def test_room_socket_survives_generated_frames_from_instructor_and_student() -> None:
    session, instructor = async_to_sync(room.as_instructor)()
    student = async_to_sync(room.as_student)(session, "Aya")
    path = f"/ws/sessions/{session.public_id}/"
    types = INSTRUCTOR_TYPES | STUDENT_TYPES | SHARED_TYPES
    _fuzz(path, [ORIGIN, (b"cookie", instructor)], types)
    _fuzz(path, [ORIGIN, (b"cookie", student)], types)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "scenario": json_values | st.sampled_from(["kill-task", "deploy"]),
            "pattern": json_values | st.sampled_from(["elb", "service-connect", "all"]),
            "seed": json_values,
            "log": json_values,
            "lang": json_values,
            "permalink": json_values,
        },
    ).map(lambda body: json.dumps(body, allow_nan=True))
    | frames_of(frozenset({"x"}))
)
@example(body="\ud800")
@example(body=DEEP)
@example(body='{"scenario": "kill-task", "log": [{"do": "kill_task", "service": "inventory"}]}')
def test_json_endpoints_answer_generated_bodies_with_a_field_error(body: str) -> None:
    client = Client(raise_request_exception=False)
    # A lone surrogate cannot cross HTTP as text; its bytes (invalid UTF-8) can.
    raw = body.encode("utf-8", "surrogatepass")
    response = client.post("/playground/api/run", raw, content_type="application/json")
    assert response.status_code in (200, 400, 413, 429), response.content[:300]
    if response.status_code != 200:
        error = response.json()
        assert error["type"] == "error" and error["field"] and error["reason"], error
    query = f"scenario={quote(raw)}&t={quote(raw)}"
    for path in ("/in-aws/", "/diagrams/elb.svg"):
        answer = client.get(f"{path}?{query}")
        assert answer.status_code < 500, (path, answer.content[:300])
