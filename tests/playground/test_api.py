from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from patterns.player.permalink import encode
from patterns.player.playback import instant_frames
from tests.scenarios import TINY

pytestmark = pytest.mark.django_db

TOKEN = "a" * 32  # a CSRF secret: the cookie and the header carry the same value


@pytest.fixture
def client() -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = TOKEN
    return client


def _post(client: Client, url: str, body: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(url, data, content_type="application/json", HTTP_X_CSRFTOKEN=TOKEN)


def test_api_run_returns_every_frame_of_the_run(client: Client) -> None:
    response = _post(client, "/playground/api/run", {"scenario": TINY, "lang": "en"})

    messages = response.json()["messages"]
    assert response.status_code == 200
    # Readouts as of the first window (1 s) and of the end (tests/player/test_readouts_at.py).
    assert [m["type"] for m in messages] == ["hello"] + ["frame"] * 5 + ["readouts"] * 2 + [
        "status"
    ]
    assert messages[1:6] == instant_frames(TINY, "elb", 1)["frames"]
    assert messages[-1] == {"type": "status", "state": "ended", "t": 5.0, "speed": 1.0, "branch": 0}


def test_api_run_opens_a_permalink_with_its_log(client: Client) -> None:
    log = [{"at_s": 2.0, "do": "kill_task", "task": "back-1"}]

    response = _post(client, "/playground/api/run", {"permalink": encode(TINY, 1, "elb", log)})

    frames = [m for m in response.json()["messages"] if m["type"] == "frame"]
    assert frames == instant_frames(TINY, "elb", 1, log=log)["frames"]


@pytest.mark.parametrize(
    ("body", "status", "field", "reason"),
    [
        ("{not json", 400, "body", "not valid JSON"),
        ("[1]", 400, "body", "expected a JSON object"),
        ({"scenario": 3}, 400, "scenario", "must be an object or the name of a built-in scenario"),
        (
            {"scenario": {"services": [{"name": "a", "tasks": -1}]}},
            400,
            "scenario.services[0].tasks",
            "must be between 0 and 1,000, got -1",
        ),
        (
            {"scenario": {"duration_s": 3600, "traffic": []}, "pattern": "all"},
            400,
            "scenario.duration_s",
            "at most 900 s in the playground",
        ),
        (
            {
                "scenario": {
                    "duration_s": 900,
                    "traffic": [{"from": "user", "to": "contract", "rps": 100}],
                },
                "pattern": "all",
            },
            400,
            "scenario.duration_s",
            "too long for this traffic: at most 200,000 requests per run "
            "(requests/s x seconds x patterns)",
        ),
        (
            {"scenario": "steady", "seed": 1e300},
            400,
            "seed",
            "must be a whole number from 0 to 2**63 - 1",
        ),
        ({"scenario": "steady", "lang": "de"}, 400, "lang", "must be one of en, ja"),
        (
            {"scenario": "steady", "log": [{"at_s": 1, "do": "kill_task", "task": "x-1"}]},
            400,
            "log.actions[0].task",
            "must be '<service>-<n>' of a known service, got 'x-1'",
        ),
        ({"permalink": "1!"}, 400, "token", "not base64url text"),
        ("x" * 70000, 413, "body", "larger than 65,536 bytes"),
    ],
)
def test_api_run_refuses_bad_input_with_the_field_and_reason(
    client: Client, body: Any, status: int, field: str, reason: str
) -> None:
    response = _post(client, "/playground/api/run", body)

    assert response.status_code == status
    assert response.json() == {"type": "error", "field": field, "reason": reason}


def test_api_run_needs_the_csrf_token() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/playground/api/run", json.dumps({"scenario": TINY}), "application/json"
    )

    assert response.status_code == 403


def test_api_run_answers_only_post(client: Client) -> None:
    response = client.get("/playground/api/run")

    assert response.status_code == 405


def test_api_has_no_validation_endpoint_any_more(client: Client) -> None:
    # The setup form is checked by the setup view (tests/playground/test_views.py).
    response = _post(client, "/playground/api/validate", {"scenario": TINY})

    assert response.status_code == 404
