"""The playground page's setup form, checked by the server (``views.setup``, posted by htmx).

Each test posts what a browser sends for the form as the page renders it (read from the page
itself), with the fields a visitor changed. A valid form answers the run the page's script starts,
built as the script built it before the server owned the form; an invalid one answers each reason
beside its field.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from django.test import Client

from patterns.lessons.content import check_japanese_text
from patterns.player.playback import INSTANT_LIMITS, prepare_scenario
from patterns.playground.forms import system_initial
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, load_scenario
from patterns.sim.cost import work_estimate
from tests.playground.setup_page import (
    SETUP,
    TOKEN,
    form_values,
    post,
    shown_errors,
    the_run,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client() -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = TOKEN
    return client


@pytest.fixture
def page_values(client: Client) -> dict[str, Any]:
    """What the browser would send for the form as the page first shows it."""
    return form_values(client.get("/playground/").content.decode())


def builtin(name: str) -> dict[str, Any]:
    return copy.deepcopy(BUILTIN_SCENARIOS[name])


def normalized_traffic(name: str, rps: float) -> list[dict[str, Any]]:
    return [
        {**call, "rps": rps} for call in load_scenario(BUILTIN_SCENARIOS[name]).to_dict()["traffic"]
    ]


# --------------------------------------------------------------------------- the page's form


def test_page_renders_the_setup_form_with_its_defaults(page_values: dict[str, Any]) -> None:
    assert page_values["pattern"] == "elb"
    assert page_values["scenario"] == "kill-task"
    assert page_values["rps"] == "10"
    assert page_values["seed"] == "1"
    assert page_values["elb-settings.alb.deregistration_delay_s"] == "300"
    assert page_values["services-TOTAL_FORMS"] == "4"
    assert "use_system" not in page_values
    # Two patterns share a setting: each keeps its own field.
    assert page_values["elb-settings.client.retries"] == "0"
    assert page_values["service-discovery-settings.client.retries"] == "0"


def test_page_has_no_duplicate_ids(client: Client) -> None:
    html = client.get("/playground/").content.decode()
    ids = re.findall(r'\sid="([^"]+)"', html)

    assert sorted({i for i in ids if ids.count(i) > 1}) == []


# --------------------------------------------------------------------------- a valid form: the run


def test_untouched_form_gives_the_builtin_with_pattern_and_seed(
    client: Client, page_values: dict[str, Any]
) -> None:
    html = post(client, page_values)

    assert the_run(html) == {
        "scenario": {**builtin("kill-task"), "pattern": "elb", "seed": 1},
        "pattern": "elb",
        "start": None,
    }
    assert shown_errors(html) == {}


def test_start_button_marks_the_run_to_start(client: Client, page_values: dict[str, Any]) -> None:
    html = post(client, {**page_values, "mode": "instant"})

    assert the_run(html)["start"] == "instant"


def test_changed_rate_seed_and_settings_of_the_patterns_on_screen(
    client: Client, page_values: dict[str, Any]
) -> None:
    data = {
        **page_values,
        "pattern": "all",
        "scenario": "steady",
        "shown_scenario": "steady",
        "rps": "12.5",
        "seed": "7",
        "elb-settings.alb.deregistration_delay_s": "0",
        "elb-settings.alb.algorithm": "least_outstanding_requests",
        "app-mesh-settings.app_mesh.retry_policy.num_retries": "3",
        "service-discovery-settings.client.retries": "2",
        "common-settings.app.latency_ms": "40",
    }

    run = the_run(post(client, {**data, "mode": "live"}))

    assert run == {
        "scenario": {
            **builtin("steady"),
            "seed": 7,
            "traffic": normalized_traffic("steady", 12.5),
            "settings": {
                "app": {"latency_ms": 40},
                "alb": {"deregistration_delay_s": 0, "algorithm": "least_outstanding_requests"},
                "app_mesh": {"retry_policy": {"num_retries": 3}},
                "client": {"retries": 2},
            },
        },
        "pattern": "all",
        "start": "live",
    }
    assert "pattern" not in run["scenario"]


def test_settings_of_a_pattern_not_on_screen_do_not_count(
    client: Client, page_values: dict[str, Any]
) -> None:
    data = {**page_values, "service-discovery-settings.cloud_map.dns_ttl_s": "5"}

    run = the_run(post(client, data))

    assert "settings" not in run["scenario"]


def test_a_settings_default_typed_again_adds_nothing(
    client: Client, page_values: dict[str, Any]
) -> None:
    data = {**page_values, "elb-settings.alb.deregistration_delay_s": "300"}

    assert "settings" not in the_run(post(client, data))["scenario"]


def test_picking_a_scenario_picks_its_pattern_and_keeps_its_own_settings(
    client: Client, page_values: dict[str, Any]
) -> None:
    data = {
        **page_values,
        "scenario": "canary-90-10",
        "app-mesh-settings.app_mesh.route_timeout_s": "5",
    }

    html = post(client, data)

    expected = builtin("canary-90-10")
    expected["settings"]["app_mesh"]["route_timeout_s"] = 5
    assert the_run(html) == {
        "scenario": {**expected, "pattern": "app-mesh", "seed": 1},
        "pattern": "app-mesh",
        "start": None,
    }
    assert 'id="pattern-app-mesh" name="pattern" value="app-mesh" checked' in html
    assert '<input type="hidden" name="shown_scenario" value="canary-90-10">' in html
    assert re.search(r'<details class="settings" data-pattern="elb" hidden>', html)
    assert re.search(r'<details class="settings" data-pattern="app-mesh">', html)


def test_a_pattern_chosen_by_hand_stays_while_the_scenario_stays(
    client: Client, page_values: dict[str, Any]
) -> None:
    data = {
        **page_values,
        "scenario": "canary-90-10",
        "shown_scenario": "canary-90-10",
        "pattern": "all",
    }

    assert the_run(post(client, data))["pattern"] == "all"


def test_a_pattern_chosen_with_the_scenario_in_one_post_stays(
    client: Client, page_values: dict[str, Any]
) -> None:
    # The scenario's answer had not come back when the pattern was picked: both arrive at once.
    data = {**page_values, "scenario": "canary-90-10", "pattern": "all"}

    assert the_run(post(client, data))["pattern"] == "all"


def test_the_blank_system_at_the_default_rate(client: Client, page_values: dict[str, Any]) -> None:
    data = {**page_values, "scenario": "", "shown_scenario": ""}

    run = the_run(post(client, data))

    assert run["scenario"] == {"name": "sample", "duration_s": 300, "pattern": "elb", "seed": 1}


def test_own_system_replaces_services_calls_and_task_actions(
    client: Client, page_values: dict[str, Any]
) -> None:
    data = {
        **page_values,
        "use_system": "on",
        "services-TOTAL_FORMS": "6",
        "services-4-name": "search",
        "services-4-tasks": "2",
        "calls-TOTAL_FORMS": "4",
        "calls-3-source": "contract",
        "calls-3-target": "search",
        "calls-3-rps": "5",
        "services-3-DELETE": "on",
        "calls-2-DELETE": "on",
    }
    # services-5 was added and left empty: it does not count.
    services, _ = system_initial()

    run = the_run(post(client, data))

    assert run["scenario"] == {
        **builtin("kill-task"),
        "pattern": "elb",
        "seed": 1,
        "services": [
            *[
                {"name": s["name"], "tasks": s["tasks"], "azs": s["azs"], "app_start_s": 0}
                for s in services[:3]
            ],
            {"name": "search", "tasks": 2},
        ],
        "traffic": [
            {"from": "user", "to": "contract", "rps": 10},
            {"from": "contract", "to": "inventory", "rps": 10},
            {"from": "contract", "to": "search", "rps": 5},
        ],
        "actions": [],
    }


# --------------------------------------------------------------------------- an invalid form: reasons


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"rps": "0"}, "rps", "Enter a rate above 0 and at most 1,000 requests/s."),
        ({"rps": "1000.5"}, "rps", "Enter a rate above 0 and at most 1,000 requests/s."),
        ({"rps": "fast"}, "rps", "Enter a rate above 0 and at most 1,000 requests/s."),
        ({"rps": ""}, "rps", "Enter a rate above 0 and at most 1,000 requests/s."),
        ({"seed": "-1"}, "seed", "Enter a whole number, 0 or more."),
        ({"seed": "1.5"}, "seed", "Enter a whole number, 0 or more."),
        ({"seed": str(2**63)}, "seed", "must be a whole number from 0 to 2**63 - 1"),
        (
            {"rps": "400"},
            "rps",
            "at most 1,000 requests/s in total: 3 calls × 400 requests/s = 1,200 requests/s.",
        ),
        (
            {"scenario": "nowhere"},
            "scenario",
            "Select a valid choice. nowhere is not one of the available choices.",
        ),
        (
            {"elb-settings.alb.unhealthy_threshold": "99"},
            "elb-settings.alb.unhealthy_threshold",
            "must be between 2 and 10, got 99",
        ),
        (
            {"elb-settings.alb.health_check_timeout_s": "40"},
            "elb-settings.alb.health_check_timeout_s",
            "must be shorter than alb.health_check_interval_s",
        ),
        (
            {"elb-settings.client.retries": "2.5"},
            "elb-settings.client.retries",
            "Enter a whole number.",
        ),
        (
            {"use_system": "on", "calls-1-target": "nowhere"},
            "calls-1-target",
            "unknown service &#x27;nowhere&#x27;",
        ),
        (
            {"use_system": "on", "services-1-name": "user"},
            "services-1-name",
            "duplicate service &#x27;user&#x27;",
        ),
        ({"use_system": "on", "services-2-tasks": "-1"}, "services-2-tasks", None),
    ],
)
def test_each_reason_lands_beside_its_field(
    client: Client,
    page_values: dict[str, Any],
    changes: dict[str, Any],
    field: str,
    reason: str | None,
) -> None:
    html = post(client, {**page_values, **changes, "mode": "live"})

    errors = shown_errors(html)
    assert the_run(html) is None
    assert list(errors) == [field]
    if reason is not None:
        assert errors[field] == reason
    assert 'data-refused="true"' in html


def test_a_bad_value_in_the_system_editor_counts_only_once_ticked(
    client: Client, page_values: dict[str, Any]
) -> None:
    html = post(client, {**page_values, "calls-1-target": "nowhere"})

    assert shown_errors(html) == {}
    assert the_run(html) is not None


def test_instant_run_has_its_own_limit(client: Client, page_values: dict[str, Any]) -> None:
    # 3 calls x 200 requests/s x 120 s x 4 patterns: under the live cap, over the instant one.
    data = {
        **page_values,
        "scenario": "steady",
        "shown_scenario": "steady",
        "pattern": "all",
        "rps": "200",
    }

    live = post(client, {**data, "mode": "live"})
    instant = post(client, {**data, "mode": "instant"})

    assert the_run(live)["start"] == "live"
    assert the_run(instant) is None
    assert shown_errors(instant) == {
        "rps": "too long for this traffic: at most 200,000 requests per run"
        " (requests/s x seconds x patterns)"
    }


def test_the_form_keeps_what_was_typed(client: Client, page_values: dict[str, Any]) -> None:
    html = post(client, {**page_values, "rps": "fast", "seed": "42", "use_system": "on"})

    values = form_values(html)
    assert values["rps"] == "fast"
    assert values["seed"] == "42"
    assert values["use_system"] == "on"
    assert 'aria-invalid="true"' in re.search(r'<input id="rps"[^>]*>', html).group(0)


def test_reasons_in_japanese(client: Client, page_values: dict[str, Any]) -> None:
    html = post(client, {**page_values, "rps": "0", "seed": "-1"}, lang="ja")

    assert shown_errors(html) == {
        "rps": "0 より大きく 1,000 リクエスト/秒以下の値を入力してください。",
        "seed": "0 以上の整数を入力してください。",
    }
    assert '<label for="seed">シード</label>' in html


# --------------------------------------------------------------------------- what-if

SC_RETRIES = "service-connect-settings.envoy.retry_policy.num_retries"


def test_values_aws_fixes_show_read_only_and_the_what_if_box_starts_off(
    client: Client, page_values: dict[str, Any]
) -> None:
    html = client.get("/playground/").content.decode()

    retries = re.search(rf'<input[^>]*name="{re.escape(SC_RETRIES)}"[^>]*>', html).group(0)
    timeout = re.search(
        r'<input[^>]*name="service-connect-settings.service_connect.per_request_timeout_s"[^>]*>',
        html,
    ).group(0)
    assert " readonly" in retries and " readonly" not in timeout
    assert "what_if" not in page_values  # the box is not ticked
    assert "What-if: change values AWS fixes (not possible in real ECS)" in html
    assert "<code>ServiceConnectService.timeout.perRequestTimeoutSeconds</code>" in html


def test_a_changed_value_aws_fixes_is_refused_beside_its_field_without_the_box(
    client: Client, page_values: dict[str, Any]
) -> None:
    data = {**page_values, "pattern": "service-connect", "shown_pattern": "service-connect"}

    html = post(client, {**data, SC_RETRIES: "5", "mode": "live"})

    assert the_run(html) is None
    assert shown_errors(html) == {
        SC_RETRIES: "AWS fixes this value; changing it is not possible in real ECS. Tick "
        "“What-if: change values AWS fixes” to try it anyway."
    }
    # Left editable, so the visitor can put it back.
    retries = re.search(rf'<input[^>]*name="{re.escape(SC_RETRIES)}"[^>]*>', html).group(0)
    assert " readonly" not in retries


def test_with_the_what_if_box_the_run_changes_it_and_is_labelled(
    client: Client, page_values: dict[str, Any]
) -> None:
    data = {**page_values, "pattern": "service-connect", "shown_pattern": "service-connect"}

    html = post(client, {**data, SC_RETRIES: "5", "what_if": "on", "mode": "live"})

    run = the_run(html)
    assert run["scenario"]["settings"] == {"envoy": {"retry_policy": {"num_retries": 5}}}
    assert shown_errors(html) == {}
    assert re.search(
        r'data-role="what-if-changes">.*This run is a what-if, not possible in real ECS: '
        r"<code>envoy.retry_policy.num_retries</code></p>",
        html,
    )
    assert [w["setting"] for w in load_scenario(run["scenario"]).what_if] == ["envoy.retry_policy"]


def test_what_if_in_japanese(client: Client, page_values: dict[str, Any]) -> None:
    data = {**page_values, "pattern": "service-connect", "shown_pattern": "service-connect"}

    html = post(client, {**data, SC_RETRIES: "5", "what_if": "on"}, lang="ja")
    refused = post(client, {**data, SC_RETRIES: "5"}, lang="ja")

    assert "What-if: AWS が固定する値を変更する（実際の ECS では不可能）" in html
    assert "この実行は what-if であり、実際の ECS では不可能です：" in html
    assert shown_errors(refused)[SC_RETRIES].startswith("AWS が固定している値です。")


# --------------------------------------------------------------------------- the request itself


def test_setup_needs_the_csrf_token(page_values: dict[str, Any]) -> None:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = TOKEN

    refused = client.post(SETUP, page_values)
    accepted = client.post(SETUP, page_values, HTTP_X_CSRFTOKEN=TOKEN, HTTP_HX_REQUEST="true")

    assert refused.status_code == 403
    assert accepted.status_code == 200


def test_setup_answers_only_post(client: Client) -> None:
    assert client.get(SETUP).status_code == 405


def test_an_instant_run_over_the_budget_starts_live_and_says_why(
    client: Client, page_values: dict[str, Any], settings: Any
) -> None:
    """Stale DNS under all four patterns: 600 s of four simulations, over the instant-run budget
    (the API would refuse it with 400), so the start button plays it live with a note."""
    data = {
        **page_values,
        "pattern": "all",
        "scenario": "stale-dns",
        "shown_scenario": "stale-dns",
        "mode": "instant",
    }
    run = the_run(post(client, data))
    ja = the_run(post(client, data, lang="ja"))
    prepared = prepare_scenario(run["scenario"], "all", 1, INSTANT_LIMITS)
    estimate = work_estimate(prepared, patterns=len(PATTERNS))

    assert estimate > settings.KUMOBEN_INSTANT_BUDGET_S
    assert (run["start"], ja["start"]) == ("live", "live")
    assert run["note"] == (
        f"Playing live instead: at once, this run would take about {estimate:.1f} s of server "
        f"time, more than the {settings.KUMOBEN_INSTANT_BUDGET_S} s an instant run may take. "
        "Live, the server works it out as it plays."
    )
    assert ja["note"].startswith("ライブで再生します。")
    assert f"約 {estimate:.1f} 秒" in ja["note"]
    assert check_japanese_text(ja["note"]) == []


def test_no_built_in_scenario_started_instantly_is_refused(
    client: Client, page_values: dict[str, Any], settings: Any
) -> None:
    """Every built-in under every pattern: an instant start runs instantly when within the
    budget and live (with its note) when over it; none is refused."""
    starts = {}
    for name in BUILTIN_SCENARIOS:
        for pattern in (*PATTERNS, "all"):
            data = {**page_values, "pattern": pattern, "scenario": name, "shown_scenario": name}
            run = the_run(post(client, {**data, "mode": "instant"}))
            assert run is not None, (name, pattern)
            prepared = prepare_scenario(run["scenario"], pattern, 1, INSTANT_LIMITS)
            over = work_estimate(prepared, patterns=len(PATTERNS) if pattern == "all" else 1)
            expected = "live" if over > settings.KUMOBEN_INSTANT_BUDGET_S else "instant"
            assert run["start"] == expected, (name, pattern)
            assert ("note" in run) == (expected == "live"), (name, pattern)
            starts[name, pattern] = run["start"]

    assert [k for k, v in starts.items() if v == "live"] == [("stale-dns", "all")]
