"""Every setting says whether real AWS lets a user set it; changing a fixed one is a what-if."""

from __future__ import annotations

import pytest

from patterns.sim import load_scenario
from patterns.sim.scenario import (
    AWS_KINDS,
    ENVOY_OUTLIER_DEFAULTS,
    FIXED,
    IN_AWS,
    PATTERN_COMPONENTS,
    PATTERNS,
    SETTABLE,
    SETTINGS,
    setting_spec,
)

pytestmark = pytest.mark.unit

ALL_SETTINGS = [f"{c}.{k}" for c, keys in SETTINGS.items() for k in keys]


def test_every_setting_declares_whether_it_is_settable_in_aws() -> None:
    missing = [path for path in ALL_SETTINGS if not setting_spec(path, path).aws]

    assert not missing, (
        "these settings do not declare whether real AWS lets a user set them: "
        + ", ".join(missing)
        + ". Add each to IN_AWS in patterns/sim/scenario.py: _in_aws(SETTABLE, '<API field>'),"
        " _in_aws(FIXED, '<what AWS runs instead>'), _in_aws(CLIENT, ...) or _in_aws(MODEL, ...)"
        " (several entries, each naming its patterns, where patterns differ)"
    )


def test_in_aws_names_only_real_settings_kinds_and_patterns() -> None:
    unknown = [path for path in IN_AWS if path not in ALL_SETTINGS]
    bad = [
        f"{path}: {entry}"
        for path, entries in IN_AWS.items()
        for entry in entries
        if entry.kind not in AWS_KINDS
        or not entry.api
        or any(p not in PATTERNS for p in entry.patterns)
    ]

    assert not unknown, f"IN_AWS names settings that do not exist: {', '.join(unknown)}"
    assert not bad, "IN_AWS entries need a kind of AWS_KINDS, an api text, known patterns: " + (
        "; ".join(bad)
    )


def test_every_pattern_that_reads_a_setting_finds_its_entry() -> None:
    # envoy.retry_policy / envoy.outlier_detection are Service Connect's only: App Mesh reads
    # app_mesh.retry_policy / app_mesh.outlier_detection instead.
    not_read = {("app-mesh", "envoy.retry_policy"), ("app-mesh", "envoy.outlier_detection")}
    gaps = [
        f"{pattern}: {component}.{key}"
        for pattern, components in PATTERN_COMPONENTS.items()
        for component in components
        for key, spec in SETTINGS[component].items()
        if spec.in_aws(pattern) is None and (pattern, f"{component}.{key}") not in not_read
    ]

    assert not gaps, "no IN_AWS entry applies under: " + ", ".join(gaps)


def test_service_connect_settable_and_fixed_match_aws_facts_section_3() -> None:
    kinds = {
        path: setting_spec(path, path).in_aws("service-connect")
        for path in ALL_SETTINGS
        if path.split(".")[0] in ("envoy", "service_connect")
    }

    assert {p: e.kind for p, e in kinds.items() if e is not None} == {
        "envoy.lb_policy": FIXED,
        "envoy.panic_threshold_percent": FIXED,
        "envoy.connect_timeout_s": FIXED,
        "envoy.outlier_detection": FIXED,
        "envoy.retry_policy": FIXED,
        "service_connect.per_request_timeout_s": SETTABLE,
        "service_connect.idle_timeout_s": SETTABLE,
        "service_connect.drain_s": FIXED,
        "service_connect.endpoint_lag_s": FIXED,
    }
    timeout = kinds["service_connect.per_request_timeout_s"]
    assert timeout is not None
    assert timeout.api == "ServiceConnectService.timeout.perRequestTimeoutSeconds"
    assert setting_spec("alb.deregistration_delay_s", "x").aws[0].api == (
        "TargetGroup attribute deregistration_delay.timeout_seconds"
    )
    retry = setting_spec("app_mesh.retry_policy", "x").aws[0]
    assert (retry.kind, "2026-09-30" in retry.api) == (SETTABLE, True)


def test_scenario_what_if_lists_changed_fixed_settings_and_set_actions_exactly() -> None:
    scenario = load_scenario(
        {
            "pattern": "service-connect",
            "settings": {
                "envoy": {"outlier_detection": {"consecutive_5xx": 3}},
                "service_connect": {"per_request_timeout_s": 5},  # settable: no what-if
            },
            "actions": [
                {"at_s": 90, "do": "set", "setting": "envoy.lb_policy", "value": "random"},
                {"at_s": 30, "do": "set", "setting": "alb.slow_start_s", "value": 60},  # not read
                {"at_s": 60, "do": "set", "setting": "service_connect.drain_s", "value": 20},
            ],
        }
    )

    assert ENVOY_OUTLIER_DEFAULTS["consecutive_5xx"] != 3
    assert scenario.to_dict()["what_if"] == [
        {
            "setting": "envoy.outlier_detection",
            # Built from the defaults, so a change of Envoy's outlier fields does not move it.
            "value": {**ENVOY_OUTLIER_DEFAULTS, "consecutive_5xx": 3},
            "default": ENVOY_OUTLIER_DEFAULTS,
            "fixed_by_aws": "outlier detection is always on with AWS's thresholds;"
            " no Service Connect API field sets it",
        },
        {
            "setting": "envoy.lb_policy",
            "value": "random",
            "default": "round_robin",
            "fixed_by_aws": "the proxy balances round robin; no Service Connect API field sets it",
            "at_s": 90.0,
        },
    ]


def test_what_if_depends_on_the_pattern_and_survives_overrides() -> None:
    raw = {"settings": {"envoy": {"retry_policy": {"num_retries": 0}}}}

    elb = load_scenario({**raw, "pattern": "elb"})
    mesh = load_scenario({**raw, "pattern": "app-mesh"})
    sc = elb.with_overrides(pattern="service-connect")

    assert (elb.what_if, mesh.what_if) == ((), ())
    assert [(w["setting"], w["value"]["num_retries"]) for w in sc.what_if] == [
        ("envoy.retry_policy", 0)
    ]
    assert load_scenario("kill-task").to_dict()["what_if"] == []
