"""The playground's deployment controls: the form (fields, defaults, ranges, which strategies a
field applies to), the page, and a deploy/rollback sent over the live socket."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from patterns.playground.forms import DEPLOY_REFUSALS, DeployForm
from tests.playground.sockets import connected, until
from tests.scenarios import two_services

SCENARIO = two_services(duration_s=120)


def test_deploy_form_fields_carry_the_engine_keys_ranges_and_strategies() -> None:
    form = DeployForm()
    html = str(form["canary_percent"])

    assert [(row["key"], row["strategies"]) for row in form.rows()] == [
        ("bake_time_min", "blue_green linear canary"),
        ("step_percent", "linear"),
        ("step_bake_time_min", "linear"),
        ("canary_percent", "canary"),
        ("canary_bake_time_min", "canary"),
        ("alarm", "blue_green linear canary"),
        ("alarm.error_rate_percent", "blue_green linear canary"),
        ("alarm.for_s", "blue_green linear canary"),
    ]
    assert 'min="0.1"' in html and 'max="100"' in html and 'step="0.1"' in html
    assert 'value="5.0"' in html and 'data-key="canary_percent"' in html
    assert {name: form[name].initial for name in form.fields if name != "alarm"} == {
        "strategy": "rolling",
        "bake_time_min": 0,
        "step_percent": 10.0,
        "step_bake_time_min": 6,
        "canary_percent": 5.0,
        "canary_bake_time_min": 10,
        "alarm_error_rate_percent": 10.0,
        "alarm_for_s": 30,
    }


def test_deploy_form_builds_only_the_chosen_strategys_parameters() -> None:
    data = {
        "deploy-strategy": "canary",
        "deploy-bake_time_min": "1",
        "deploy-step_percent": "20",
        "deploy-canary_percent": "12.5",
        "deploy-canary_bake_time_min": "0",
        "deploy-alarm": "on",
        "deploy-alarm_error_rate_percent": "25",
        "deploy-alarm_for_s": "20",
    }
    form = DeployForm(data)
    assert form.is_valid(), form.errors

    assert form.action("inventory") == {
        "do": "deploy",
        "service": "inventory",
        "strategy": "canary",
        "bake_time_min": 1,
        "canary_percent": 12.5,
        "canary_bake_time_min": 0,
        "alarm": {"error_rate_percent": 25.0, "for_s": 20},
    }
    rolling = DeployForm({**data, "deploy-strategy": "rolling"})
    assert rolling.is_valid()
    assert rolling.action("inventory") == {"do": "deploy", "service": "inventory"}


@pytest.mark.django_db
def test_playground_page_has_the_deploy_controls_and_the_refusal_reasons() -> None:
    page = Client().get("/playground/").content.decode()

    assert 'data-role="deploy-now"' in page and 'data-deploy="rollback"' in page
    assert 'data-role="deploy-state"' in page
    for pattern in DEPLOY_REFUSALS:
        assert f'data-refusal-for="{pattern}" hidden' in page
    assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>(?!\s*[\[{\"])", page) is None  # no inline JS


@pytest.mark.django_db
def test_playground_page_in_japanese_keeps_the_aws_terms() -> None:
    page = Client().get("/playground/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert "デプロイを開始" in page
    assert "ロールバック</button>" in page
    assert "bake time（分）" in page
    assert "ライフサイクルステージ：{stage}" in page


# --------------------------------------------------------------------------- over the socket


@pytest.mark.asyncio
@pytest.mark.django_db
@pytest.mark.usefixtures("sockets")
async def test_a_canary_sent_live_runs_its_stages_and_a_rollback_ends_it() -> None:
    communicator = await connected()
    await communicator.send_json_to(
        {"type": "start", "scenario": SCENARIO, "speed": 10, "paused": True}
    )
    await until(communicator, "status", state="paused")

    await communicator.send_json_to(
        {
            "type": "action",
            "action": {
                "do": "deploy",
                "service": "back",
                "strategy": "canary",
                "canary_percent": 200,
            },
        }
    )
    error = await until(communicator, "error")
    assert (error[-1]["field"], error[-1]["reason"]) == (
        "action.canary_percent",
        "must be between 0.1 and 100, got 200",
    )
    await communicator.send_json_to(
        {
            "type": "action",
            "action": {
                "do": "deploy",
                "service": "back",
                "strategy": "canary",
                "canary_percent": 20,
                "canary_bake_time_min": 0,
                "bake_time_min": 1,
            },
        }
    )
    log = await until(communicator, "log")
    assert log[-1]["applied"] == {
        "at_s": 0.0,
        "do": "deploy",
        "service": "back",
        "strategy": "canary",
        "bake_time_min": 1,
        "canary_percent": 20.0,
        "canary_bake_time_min": 0,
        "alarm": None,
    }
    await communicator.send_json_to({"type": "play"})
    seen: list[dict] = []
    while not any(m["type"] == "frame" and m["t1"] == 52.0 for m in seen):
        seen += await until(communicator, "frame")
    await communicator.send_json_to({"type": "pause"})
    seen += await until(communicator, "status", state="paused")
    stages = {
        m["t1"]: (m["deployments"][0]["stage"], m["deployments"][0]["green_percent"])
        for m in seen
        if m["type"] == "frame" and m.get("deployments")
    }
    assert stages[1.0] == ("SCALE_UP", 0.0)
    assert stages[42.0] == ("TEST_TRAFFIC_SHIFT", 0.0)
    assert stages[52.0] == ("PRODUCTION_TRAFFIC_SHIFT", 20.0)

    await communicator.send_json_to(
        {"type": "action", "action": {"do": "rollback", "service": "back"}}
    )
    rolled = await until(communicator, "log")
    t = rolled[-1]["applied"]["at_s"]
    assert rolled[-1]["applied"] == {"at_s": t, "do": "rollback", "service": "back"}
    await communicator.send_json_to({"type": "play"})
    after = await until(communicator, "frame")
    while not any(m["type"] == "frame" and m.get("deployments") for m in after):
        after += await until(communicator, "frame")
    ended = next(m for m in after if m["type"] == "frame" and m.get("deployments"))
    assert ended["deployments"] == [
        {
            "service": "back",
            "outcome": "rolled_back",
            "t": t,
            "by": "action",
            "stage": "PRODUCTION_TRAFFIC_SHIFT",
            "green_percent": 20.0,
        }
    ]
    await communicator.disconnect()
