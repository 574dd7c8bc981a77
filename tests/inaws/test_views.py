"""The "In AWS" panel: htmx partial and whole page in both languages, downloads, bad input answered
beside its field (400), never a 500; the panel is on the playground, lab and lesson pages."""

from __future__ import annotations

import json
import os
import re
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from patterns.inaws.render import stylesheet
from patterns.sim import load_scenario

HX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_panel_answers_a_builtin_scenario_in_both_languages(client: Client, lang: str) -> None:
    response = client.get(
        "/in-aws/",
        {"scenario": "kill-task", "pattern": "service-connect"},
        HTTP_ACCEPT_LANGUAGE=lang,
        **HX,
    )

    html = response.text
    assert response.status_code == 200
    assert "<html" not in html
    assert 'class="code"' in html and '<span class="nt">' in html  # Pygments classes, no styles
    assert " style=" not in html
    assert "perRequestTimeoutSeconds" in html and "serviceConnectConfiguration" in html
    assert (
        html.count('data-copy="') == 1 + 9
    )  # the template and the 9 calls (namespace, 4 x task definition + service)
    if lang == "ja":
        assert "コピー" in html and "CloudFormation テンプレート（YAML）" in html


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_whole_page_without_htmx(client: Client, lang: str) -> None:
    response = client.get(
        "/in-aws/", {"scenario": "steady", "pattern": "all"}, HTTP_ACCEPT_LANGUAGE=lang
    )

    html = response.text
    assert response.status_code == 200
    assert "<html" in html
    assert html.count('class="inaws-result"') == 4
    assert 'data-testid="inaws-history"' in html  # App Mesh, retired


def test_a_playground_scenario_as_json_is_read(client: Client) -> None:
    scenario = {"settings": {"alb": {"deregistration_delay_s": 45}}, "pattern": "elb"}

    html = client.post("/in-aws/", {"scenario": json.dumps(scenario), "pattern": "elb"}, **HX).text

    assert "deregistration_delay.timeout_seconds" in html
    assert '<span class="s2">"45"</span>' in html


@pytest.mark.parametrize(
    ("params", "path"),
    [
        ({}, "scenario"),
        ({"scenario": "no-such"}, "scenario"),
        ({"scenario": "[1]"}, "scenario"),
        ({"scenario": "steady", "pattern": "istio"}, "pattern"),
        (
            {"scenario": json.dumps({"settings": {"alb": {"deregistration_delay_s": -1}}})},
            "settings.alb.deregistration_delay_s",
        ),
        ({"scenario": "steady", "at": "soon"}, "at"),
        ({"scenario": "steady", "at": "-1"}, "at"),
        ({"scenario": "steady", "at": "nan"}, "at"),
        ({"scenario": "steady", "at": "300.5"}, "at"),
        ({"scenario": "steady", "log": "{"}, "log"),
        ({"scenario": "steady", "log": "{}"}, "log"),
        ({"scenario": "steady", "log": json.dumps([{"at_s": 5, "do": "kill_task"}])}, "log"),
        (
            {
                "scenario": "steady",
                "log": json.dumps([{"at_s": 5, "do": "kill_task", "task": "x-9"}]),
            },
            "log",
        ),
    ],
)
def test_bad_input_is_a_field_error_never_a_500(client: Client, params: dict, path: str) -> None:
    for headers in (HX, {}):
        response = client.get("/in-aws/", params, **headers)

        assert response.status_code == 400
        assert f'data-error-for="{path}"' in response.text


def test_a_scenario_a_pattern_refuses_says_why(client: Client) -> None:
    scenario = {
        "pattern": "elb",
        "actions": [
            {
                "at_s": 30,
                "do": "deploy",
                "service": "inventory",
                "strategy": "blue_green",
                "bake_time_min": 5,
            }
        ],
    }

    html = client.get("/in-aws/", {"scenario": json.dumps(scenario), "pattern": "all"}, **HX).text

    assert html.count('data-testid="inaws-refused"') == 2  # Service Discovery and App Mesh
    assert "BLUE_GREEN" in html


def test_downloads(client: Client) -> None:
    api = client.get("/in-aws/download/api.json", {"scenario": "steady", "pattern": "elb"})
    cfn = client.get("/in-aws/download/template.yaml", {"scenario": "steady", "pattern": "elb"})
    mesh = client.get(
        "/in-aws/download/template.yaml", {"scenario": "steady", "pattern": "app-mesh"}
    )

    assert api.status_code == 200 and api["Content-Type"].startswith("application/json")
    assert 'filename="kumoben-elb-api.json"' in api["Content-Disposition"]
    assert [c["operation"] for c in json.loads(api.content)["calls"]][:3] == [
        "CreateLoadBalancer",
        "ModifyLoadBalancerAttributes",
        "CreateListener",
    ]
    assert cfn.status_code == 200 and b"AWS::ElasticLoadBalancingV2::TargetGroup" in cfn.content
    assert mesh.status_code == 400 and b"2026-09-30" in mesh.content


def test_the_panel_is_on_the_playground_a_lab_and_a_lesson(client: Client) -> None:
    playground = client.get("/playground/").text
    lab = client.get("/labs/elb-dead-task/").text

    assert (
        'data-testid="inaws-panel"' in playground and 'data-inaws-source="setup-run"' in playground
    )
    assert 'data-inaws-source="lab-config"' in lab
    lesson = client.get("/lessons/service-connect/", {"step": 3}).text
    assert 'data-testid="inaws-embed"' in lesson
    assert "/in-aws/?scenario=errors-5xx&amp;pattern=service-connect" in lesson


def test_the_stylesheet_is_the_one_pygments_writes() -> None:
    css = Path(settings.BASE_DIR, "static/css/inaws-code.css").read_text(encoding="utf-8")

    assert css.split("\n", 1)[1] == stylesheet() + "\n"
    assert all(line.startswith(".code") for line in css.splitlines()[1:])


GOLDEN = Path(__file__).parent / "golden"
LIVE_LOG = [
    {"at_s": 20, "do": "set", "setting": "alb.deregistration_delay_s", "value": 30},
    {"at_s": 40, "do": "kill_task", "task": "inventory-2"},
    {"at_s": 45, "do": "set", "setting": "envoy.lb_policy", "value": "random"},
    {"at_s": 200, "do": "rollback", "service": "inventory"},
]


def _code(html: str) -> str:
    """The highlighted code as the text a reader copies."""
    return unescape(re.sub(r"<[^>]+>", "", html))


def _steps_html(html: str, pattern: str) -> str:
    """The action list of one pattern's result, with its whitespace between tags squeezed."""
    article = html.split(f'data-pattern="{pattern}"', 1)[1]
    section = article.split('data-testid="inaws-steps">', 1)[1].split("</section>", 1)[0]
    return re.sub(r">\s+<", "><", section.strip()) + "\n"


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_the_panel_tells_the_run_at_the_playhead(client: Client, lang: str) -> None:
    """scale-out scales inventory at 60 s; a live log adds a set, a fault, a setting ELB does
    not read and a rollback. At 61 s the first four are folded in, the rollback is later (golden per language)."""
    params = {"scenario": "scale-out", "pattern": "elb", "log": json.dumps(LIVE_LOG), "at": "61"}

    html = client.post("/in-aws/", params, HTTP_ACCEPT_LANGUAGE=lang, **HX).text

    steps = _steps_html(html, "elb")
    path = GOLDEN / f"steps.{lang}.html"
    if os.environ.get("KUMOBEN_UPDATE_GOLDEN"):
        path.write_text(steps, encoding="utf-8")
    assert steps == path.read_text(encoding="utf-8")
    assert 'data-at="61.0"' in html
    assert ("この実行の 61\u00a0秒の時点" if lang == "ja" else "At 61 s in this run") in html
    code = _code(html)
    assert '"desiredCount": 6' in code  # scaled at 60 s
    assert '"Key": "deregistration_delay.timeout_seconds",\n      "Value": "30"' in code


def test_the_playhead_before_an_action_leaves_it_for_later(client: Client) -> None:
    early = client.get("/in-aws/", {"scenario": "scale-out", "pattern": "elb", "at": "59"}, **HX)
    late = client.get("/in-aws/", {"scenario": "scale-out", "pattern": "elb", "at": "60"}, **HX)

    assert early.text.count('data-testid="inaws-later"') == 1
    assert 'data-testid="inaws-steps-none"' in early.text
    assert '"desiredCount": 3' in _code(early.text)
    assert '"desiredCount": 6' in _code(late.text)
    assert 'data-testid="inaws-later"' not in late.text


def test_a_players_hello_scenario_is_accepted(client: Client) -> None:
    hello = load_scenario("steady").to_dict()  # with assumptions and what_if, as the player has it

    response = client.post("/in-aws/", {"scenario": json.dumps(hello), "pattern": "elb"}, **HX)

    assert response.status_code == 200


def test_downloads_follow_the_playhead(client: Client) -> None:
    run = {
        "pattern": "service-connect",
        "actions": [
            {
                "at_s": 30,
                "do": "deploy",
                "service": "inventory",
                "strategy": "canary",
                "canary_percent": 10,
                "canary_bake_time_min": 3,
                "bake_time_min": 2,
            }
        ],
    }
    query = {"scenario": json.dumps(run), "pattern": "service-connect"}

    def strategy(at: str) -> str:
        body = client.get("/in-aws/download/api.json", {**query, "at": at}).content
        calls = json.loads(body)["calls"]
        service = next(
            c["input"]
            for c in calls
            if c["operation"] == "CreateService" and c["input"]["serviceName"] == "inventory"
        )
        return str(service["deploymentConfiguration"]["strategy"])

    yaml = client.get("/in-aws/download/template.yaml", {**query, "at": "30"}).text

    assert (strategy("29.9"), strategy("30")) == ("ROLLING", "CANARY")
    assert "CanaryConfiguration:" in yaml


def test_the_panel_renders_a_wire_a_lab_hands_it(client: Client) -> None:
    """A lab's learner's choice: gRPC behind an internet-facing ALB in front of the entry service
    (user), Service Connect between the services; the download links keep the wire."""
    response = client.get(
        "/in-aws/",
        {
            "scenario": "steady",
            "pattern": "service-connect",
            "app_protocol": "grpc",
            "scheme": "internet-facing",
            "front_door": "1",
        },
        **HX,
    )

    html = unescape(response.text)
    text = re.sub(r"<[^>]+>", "", html)  # the code is highlighted: spans around each token
    assert response.status_code == 200
    assert '"Scheme": "internet-facing"' in text
    assert '"ProtocolVersion": "GRPC"' in text
    assert '"appProtocol": "grpc"' in text
    assert "front_door=1" in html and "app_protocol=grpc" in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("app_protocol", "udp"),
        ("load_balancer", "gateway"),
        ("scheme", "public"),
        ("front_door", "yes"),
    ],
)
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_wire_the_generator_does_not_have_is_refused_beside_its_field(
    client: Client, field: str, value: str, lang: str
) -> None:
    response = client.get(
        "/in-aws/",
        {"scenario": "steady", field: value},
        HTTP_ACCEPT_LANGUAGE=lang,
        **HX,
    )

    assert response.status_code == 400
    assert field in unescape(response.text)
    if lang == "ja":
        assert "のいずれか" in unescape(response.text)
