"""The run at the playhead: set/scale/add_service/deploy become fields of the generated
configuration once the playhead reaches them; faults and rollbacks are told as what AWS shows; a
what-if on a value AWS fixes never becomes a field; later actions change nothing. Exact sentences
in English and Japanese, and every sentence names a public source (never our own fact files)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from patterns.inaws import texts
from patterns.inaws.fold import Step, fold
from patterns.inaws.generate import Config, generate
from patterns.sim import PATTERNS, load_scenario

pytestmark = pytest.mark.unit

DEPLOY = {
    "at_s": 80,
    "do": "deploy",
    "service": "inventory",
    "strategy": "canary",
    "canary_percent": 10,
    "canary_bake_time_min": 3,
    "bake_time_min": 2,
}
ADD = {
    "at_s": 90,
    "do": "add_service",
    "service": {"name": "audit", "tasks": 2},
    "traffic": [{"from": "contract", "to": "audit", "rps": 5}],
}
RUN: dict[str, Any] = {
    "name": "folded",
    "actions": [
        {"at_s": 20, "do": "set", "setting": "alb.deregistration_delay_s", "value": 30},
        {"at_s": 40, "do": "kill_task", "task": "inventory-2"},
        {"at_s": 60, "do": "scale", "service": "inventory", "count": 5},
        DEPLOY,
        ADD,
        {"at_s": 120, "do": "rollback", "service": "inventory"},
    ],
}


def _at(pattern: str, at: float, lang: str = "en", **extra: Any) -> tuple[Config, list[Step]]:
    folded, steps = fold(load_scenario({**RUN, "pattern": pattern, **extra}), at, lang)
    return generate(folded), steps


def _call(config: Config, operation: str, about: str) -> dict[str, Any]:
    return next(c.input for c in config.calls if c.operation == operation and c.about == about)


def _dereg(config: Config) -> str:
    attrs = _call(config, "ModifyTargetGroupAttributes", "inventory")["Attributes"]
    return next(a["Value"] for a in attrs if a["Key"] == "deregistration_delay.timeout_seconds")


def test_at_the_start_every_action_is_later_and_nothing_changed() -> None:
    config, steps = _at("elb", 0)

    assert [(s.at_s, s.do, s.kind, s.later) for s in steps] == [
        (20.0, "set", "field", True),
        (40.0, "kill_task", "event", True),
        (60.0, "scale", "field", True),
        (80.0, "deploy", "field", True),
        (90.0, "add_service", "field", True),
        (120.0, "rollback", "event", True),
    ]
    assert _dereg(config) == "300"
    assert _call(config, "CreateService", "inventory")["desiredCount"] == 3
    assert _call(config, "CreateService", "inventory")["deploymentConfiguration"]["strategy"] == (
        "ROLLING"
    )
    assert "audit" not in [c.about for c in config.calls]


def test_the_playhead_folds_a_set_in_and_keeps_the_scale_for_later() -> None:
    config, steps = _at("elb", 59.9)

    assert [s.later for s in steps] == [False, False, True, True, True, True]
    assert _dereg(config) == "30"
    assert _call(config, "CreateService", "inventory")["desiredCount"] == 3
    assert steps[0].text == (
        "alb.deregistration_delay_s = 30: the field TargetGroup attribute"
        " deregistration_delay.timeout_seconds shows it from here on."
    )
    assert steps[0].source == (
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/"
        "API_TargetGroupAttribute.html"
    )


def test_past_the_deploy_the_service_has_the_canary_strategy_and_its_new_count() -> None:
    before, _ = _at("elb", 79.9)
    config, steps = _at("elb", 80)

    service = _call(config, "CreateService", "inventory")
    assert service["desiredCount"] == 5
    assert service["deploymentConfiguration"] == {
        "minimumHealthyPercent": 100,
        "maximumPercent": 200,
        "strategy": "CANARY",
        "bakeTimeInMinutes": 2,
        "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 3},
    }
    assert "advancedConfiguration" in service["loadBalancers"][0]
    assert (
        "advancedConfiguration"
        not in _call(before, "CreateService", "inventory")["loadBalancers"][0]
    )
    assert steps[3].text == (
        "inventory gets a new task definition revision with the canary strategy:"
        " deploymentConfiguration.strategy CANARY (UpdateService)."
    )


def test_an_added_service_joins_the_configuration_when_the_playhead_reaches_it() -> None:
    config, steps = _at("service-connect", 90)

    audit = _call(config, "CreateService", "audit")
    assert audit["desiredCount"] == 2
    assert audit["serviceConnectConfiguration"]["services"][0]["discoveryName"] == "audit"
    assert steps[4].kind == "field" and not steps[4].later


def test_faults_and_rollbacks_are_not_configuration() -> None:
    at_end, steps = _at("elb", 300)
    only_config, _ = fold(
        load_scenario(
            {
                **RUN,
                "pattern": "elb",
                "actions": [
                    a
                    for a in RUN["actions"]
                    if a["do"] in ("set", "scale", "deploy", "add_service")
                ],
            }
        ),
        300,
    )

    assert generate(only_config).api_document() == at_end.api_document()
    kill, rollback = steps[1], steps[5]
    assert kill.kind == rollback.kind == "event"
    assert kill.text == (
        'the task inventory-2 stops: EventBridge delivers an "ECS Task State Change" event with'
        " lastStatus STOPPED and a stopCode/stoppedReason, and the service starts a replacement."
    )
    assert kill.metrics == "AWS/ApplicationELB UnHealthyHostCount, HealthyHostCount"
    assert rollback.text.startswith("inventory rolls back: StopServiceDeployment with stopType")
    assert rollback.metrics == ""


def test_a_what_if_on_a_fixed_value_is_said_and_never_becomes_a_field() -> None:
    run = {
        "pattern": "service-connect",
        "actions": [{"at_s": 10, "do": "set", "setting": "envoy.lb_policy", "value": "random"}],
    }

    en_folded, (en,) = fold(load_scenario(run), 10, "en")
    _, (ja,) = fold(load_scenario(run), 10, "ja")

    assert en.kind == ja.kind == "what_if"
    assert en.text == (
        "envoy.lb_policy = random (AWS runs round_robin): a what-if on a value AWS fixes."
        " The Service Connect proxy balances round robin; no Service Connect field sets it."
    )
    assert ja.text == (
        "envoy.lb_policy = random（AWS では round_robin）：AWS が固定している値の what-if です。"
        "Service Connect のプロキシはラウンドロビンで振り分けます。設定する Service Connect の項目はありません。"
    )
    assert en.source == (
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/"
        "service-connect-concepts-deploy.html"
    )
    text = str(generate(en_folded).api_document()["calls"])
    assert "random" not in text and "lbPolicy" not in text


def test_japanese_sentences_for_a_run() -> None:
    _, steps = _at("elb", 300, "ja")

    assert [s.text for s in steps[1:4]] == [
        "タスク inventory-2 が停止します。EventBridge に lastStatus が STOPPED で stopCode と"
        " stoppedReason を含む「ECS Task State Change」イベントが届き、サービスが代わりのタスクを起動します。",
        "inventory のタスク数を 5 にします：desiredCount 5（UpdateService）。",
        "inventory に新しいタスク定義リビジョンを canary 戦略でデプロイします："
        "deploymentConfiguration.strategy CANARY（UpdateService）。",
    ]


def test_client_and_model_settings_are_not_aws() -> None:
    run = {
        "pattern": "service-discovery",
        "actions": [
            {"at_s": 5, "do": "set", "setting": "client.retries", "value": 2},
            {"at_s": 6, "do": "set", "setting": "app.latency_ms", "value": 50},
            {"at_s": 7, "do": "set", "setting": "alb.idle_timeout_s", "value": 30},
        ],
    }

    _, steps = fold(load_scenario(run), 10)

    assert [s.kind for s in steps] == ["client", "model", "unused"]


def _all_texts() -> list[texts.Text]:
    return [
        *texts.UI.values(),
        *texts.FIELDS.values(),
        *texts.EVENTS.values(),
        *texts.FIXED.values(),
        texts.CLIENT,
        texts.MODEL,
        texts.UNUSED,
        texts.WHAT_IF,
    ]


def test_every_text_has_both_languages_and_only_public_sources() -> None:
    bad = re.compile(r"aws-facts|aws-semantics|UNCONFIRMED in")
    japanese_half_width = re.compile(r"[ぁ-んァ-ヶ一-龯][(?!:]|[(?!:][ぁ-んァ-ヶ一-龯]")
    for text in _all_texts():
        assert text.en and text.ja
        assert not bad.search(text.en + text.ja + text.source)
        assert not japanese_half_width.search(text.ja), text.ja
        assert text.source == "" or text.source.startswith("https://")
    for entry in (*texts.EVENTS.values(), *texts.FIXED.values(), texts.CLIENT):
        assert entry.source.startswith("https://"), entry
    for key in ("scale", "deploy", "add_service"):
        assert texts.FIELDS[key].source.startswith("https://")


def test_every_settable_field_has_its_own_api_page() -> None:
    """A ``set`` names the page of the resource its field belongs to, never a catch-all."""
    from patterns.sim.scenario import SETTABLE, SETTINGS

    for component, specs in SETTINGS.items():
        for key, spec in specs.items():
            for entry in spec.aws:
                if entry.kind == SETTABLE:
                    assert not texts.field_source(entry.api).endswith("Welcome.html"), (
                        f"{component}.{key}"
                    )


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_fixed_setting_a_pattern_reads_has_a_sentence(pattern: str) -> None:
    from patterns.sim.scenario import FIXED, PATTERN_COMPONENTS, SETTINGS

    for component in PATTERN_COMPONENTS[pattern]:
        for key, spec in SETTINGS[component].items():
            entry = spec.in_aws(pattern)
            if entry is not None and entry.kind == FIXED:
                assert texts.fixed_text(f"{component}.{key}", pattern).en
