"""Every generated configuration checked by AWS's own published models, not a hand-written schema:
each API call's input against botocore's service-2.json (ecs, elbv2, servicediscovery; App Mesh's
historical calls against appmesh) with botocore's ParamValidator, and each CloudFormation template
(the YAML a user downloads) with cfn-lint. No network: both read files shipped in their packages."""

from __future__ import annotations

import functools
from typing import Any

import pytest
from botocore.loaders import Loader
from botocore.model import ServiceModel
from botocore.validate import ParamValidator
from cfnlint.api import lint_all

from patterns.inaws.fold import fold
from patterns.inaws.generate import ACCOUNT, Config, Wire, generate
from patterns.inaws.render import template_yaml
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, ScenarioError, load_scenario

pytestmark = pytest.mark.unit

TEST = {"from": "contract", "to": "inventory", "rps": 1, "test": True}
DEPLOYS: dict[str, dict[str, Any]] = {
    "blue_green": {"strategy": "blue_green", "bake_time_min": 5},
    "linear": {
        "strategy": "linear",
        "step_percent": 25,
        "step_bake_time_min": 2,
        "alarm": {"error_rate_percent": 5, "for_s": 30},
    },
    "canary": {
        "strategy": "canary",
        "canary_percent": 10,
        "canary_bake_time_min": 3,
        "alarm": {"error_rate_percent": 2, "for_s": 90},
    },
}


def blue_green_scenario(pattern: str, strategy: str) -> dict[str, Any]:
    """The sample system with test traffic and a blue/green-family deploy of inventory."""
    return {
        "name": f"{strategy}-deploy",
        "pattern": pattern,
        "traffic": [
            {"from": "user", "to": "contract", "rps": 10},
            {"from": "contract", "to": "inventory", "rps": 10},
            {"from": "contract", "to": "billing", "rps": 10},
            TEST,
        ],
        "actions": [{"at_s": 30, "do": "deploy", "service": "inventory", **DEPLOYS[strategy]}],
    }


def _cases() -> list[Any]:
    cases = []
    for name, raw in BUILTIN_SCENARIOS.items():
        for pattern in PATTERNS:
            cases.append(pytest.param({**raw, "pattern": pattern}, id=f"{name}-{pattern}"))
    for strategy in DEPLOYS:
        for pattern in ("elb", "service-connect"):
            cases.append(
                pytest.param(blue_green_scenario(pattern, strategy), id=f"{strategy}-{pattern}")
            )
    for pattern in ("elb", "service-discovery", "service-connect"):
        held = {"ecs": {"depends_on_healthy": True, "container_health_start_period_s": 40}}
        cases.append(
            pytest.param(
                {"name": "depends-on", "pattern": pattern, "settings": held},
                id=f"depends-on-{pattern}",
            )
        )
    return cases


@functools.cache
def _model(service: str) -> ServiceModel:
    return ServiceModel(Loader().load_service_model(service, "service-2"), service)


def _config(raw: dict[str, Any]) -> Config:
    try:
        return generate(load_scenario(raw).to_dict())
    except ScenarioError as error:  # pragma: no cover - every case loads
        pytest.fail(f"{error.path}: {error.reason}")


@pytest.mark.parametrize("raw", _cases())
def test_every_api_call_matches_the_botocore_model(raw: dict[str, Any]) -> None:
    config = _config(raw)

    reports = {
        f"{c.service}:{c.operation} {c.about}": ParamValidator()
        .validate(c.input, _model(c.service).operation_model(c.operation).input_shape)
        .generate_report()
        for c in config.calls
    }

    assert config.calls
    assert {k: v for k, v in reports.items() if v} == {}


@pytest.mark.parametrize("raw", _cases())
def test_every_template_passes_cfn_lint(raw: dict[str, Any]) -> None:
    config = _config(raw)
    if config.historical:
        assert config.template is None  # App Mesh: nothing to apply
        return

    assert _lint(template_yaml(config).replace(f"scenario {raw['name']})", "scenario)")) == []


@functools.cache
def _lint(text: str) -> list[str]:
    """cfn-lint's errors and warnings (a template that differs only in its description from one
    already linted is not linted again: cfn-lint takes about a second a template)."""
    return [str(m) for m in lint_all(text) if m.rule.id[0] in "EW"]


def test_the_validators_do_catch_a_wrong_document() -> None:
    """The checks above can fail: a misspelt field and a bad template are reported."""
    config = _config(blue_green_scenario("service-connect", "canary"))
    service = next(c for c in config.calls if c.operation == "CreateService")
    wrong = {**service.input, "deploymentConfiguration": {"bakeTime": 5}}
    shape = _model("ecs").operation_model("CreateService").input_shape

    report = ParamValidator().validate(wrong, shape).generate_report()
    lint = lint_all(
        "Resources:\n  X:\n    Type: AWS::ECS::Service\n    Properties:\n      Foo: 1\n"
    )

    assert 'Unknown parameter in deploymentConfiguration: "bakeTime"' in report
    assert any(m.rule.id.startswith("E") for m in lint)


FOLDED_RUN: dict[str, Any] = {
    "name": "folded",
    "traffic": blue_green_scenario("elb", "canary")["traffic"],
    "actions": [
        {"at_s": 20, "do": "set", "setting": "ecs.health_check_grace_period_s", "value": 45},
        {"at_s": 25, "do": "set", "setting": "alb.deregistration_delay_s", "value": 30},
        {"at_s": 26, "do": "set", "setting": "cloud_map.dns_ttl_s", "value": 15},
        {"at_s": 27, "do": "set", "setting": "service_connect.per_request_timeout_s", "value": 5},
        {"at_s": 40, "do": "kill_task", "task": "inventory-2"},
        {"at_s": 60, "do": "scale", "service": "billing", "count": 5},
        {
            "at_s": 70,
            "do": "add_service",
            "service": {"name": "audit", "tasks": 2},
            "traffic": [{"from": "contract", "to": "audit", "rps": 5}],
        },
    ],
}


@pytest.mark.parametrize("pattern", PATTERNS)
@pytest.mark.parametrize("at", [65, 300])
def test_states_after_set_scale_and_deploy_validate(pattern: str, at: float) -> None:
    """The configuration at a playhead past set/scale/add_service (and, where ECS offers it, a
    canary deploy) is still accepted by botocore's models and cfn-lint."""
    deploy = {"at_s": 30, "do": "deploy", "service": "inventory"}
    if pattern in ("elb", "service-connect"):
        deploy.update(DEPLOYS["canary"])
    raw = {**FOLDED_RUN, "pattern": pattern, "actions": [*FOLDED_RUN["actions"], deploy]}
    folded, _ = fold(load_scenario(raw), at)
    config = generate(folded)

    for c in config.calls:
        shape = _model(c.service).operation_model(c.operation).input_shape
        assert ParamValidator().validate(c.input, shape).generate_report() == "", c.operation
    if config.template is not None:
        assert _lint(template_yaml(config).replace("scenario folded)", "scenario)")) == []


# --------------------------------------------------------------------------- wires (lab 10)

WIRES: dict[str, Wire] = {
    "alb-internet-facing": Wire(scheme="internet-facing"),
    "alb-grpc": Wire(app_protocol="grpc"),
    "alb-http2": Wire(app_protocol="http2"),
    "nlb-tcp-internal": Wire(app_protocol="tcp", load_balancer="network"),
    "nlb-tcp-internet-facing": Wire(
        app_protocol="tcp", load_balancer="network", scheme="internet-facing"
    ),
    "alb-front-door": Wire(scheme="internet-facing", front_door=True),
    "alb-grpc-front-door": Wire(app_protocol="grpc", scheme="internet-facing", front_door=True),
}
#: Internet-facing ALB in front of the entry service, the pattern between the services behind it.
FRONT_DOORS: dict[str, Wire] = {
    "front-door-http": Wire(scheme="internet-facing", front_door=True),
    "front-door-grpc": Wire(app_protocol="grpc", scheme="internet-facing", front_door=True),
}


def _wire_cases() -> list[Any]:
    cases = []
    for wire_id, wire in WIRES.items():
        cases.append(pytest.param({"name": "wire", "pattern": "elb"}, wire, id=f"{wire_id}"))
        for strategy in ("blue_green", "canary"):
            cases.append(
                pytest.param(blue_green_scenario("elb", strategy), wire, id=f"{wire_id}-{strategy}")
            )
    for protocol in ("grpc", "tcp", "http2"):
        for pattern in ("service-connect", "service-discovery"):
            cases.append(
                pytest.param(
                    {"name": "wire", "pattern": pattern},
                    Wire(app_protocol=protocol),
                    id=f"{pattern}-{protocol}",
                )
            )
        cases.append(
            pytest.param(
                blue_green_scenario("service-connect", "canary"),
                Wire(app_protocol=protocol),
                id=f"service-connect-{protocol}-canary",
            )
        )
    for wire_id, wire in FRONT_DOORS.items():
        for pattern in ("service-connect", "service-discovery"):
            cases.append(
                pytest.param({"name": "wire", "pattern": pattern}, wire, id=f"{pattern}-{wire_id}")
            )
        cases.append(
            pytest.param(
                blue_green_scenario("service-connect", "canary"),
                wire,
                id=f"service-connect-{wire_id}-canary",
            )
        )
    return cases


@pytest.mark.parametrize(("raw", "wire"), _wire_cases())
def test_every_wire_validates_with_botocore_and_cfn_lint(raw: dict[str, Any], wire: Wire) -> None:
    """Internet-facing and internal, ALB and NLB, gRPC, HTTP/2 and plain TCP: every API call
    matches botocore's model and every template passes cfn-lint."""
    config = generate(load_scenario(raw).to_dict(), wire)

    reports = {
        f"{c.service}:{c.operation} {c.about}": ParamValidator()
        .validate(c.input, _model(c.service).operation_model(c.operation).input_shape)
        .generate_report()
        for c in config.calls
    }

    assert {k: v for k, v in reports.items() if v} == {}
    assert _lint(template_yaml(config).replace(f"scenario {raw['name']})", "scenario)")) == []


def _calls(config: Config, operation: str) -> list[dict[str, Any]]:
    return [c.input for c in config.calls if c.operation == operation]


def test_an_nlb_wire_generates_tcp_listeners_and_target_groups_without_alb_attributes() -> None:
    config = generate(
        load_scenario({"name": "wire", "pattern": "elb"}).to_dict(),
        Wire(app_protocol="tcp", load_balancer="network", scheme="internet-facing"),
    )

    (lb,) = _calls(config, "CreateLoadBalancer")
    assert (lb["Type"], lb["Scheme"]) == ("network", "internet-facing")
    assert _calls(config, "ModifyLoadBalancerAttributes") == []
    listeners = _calls(config, "CreateListener")
    assert [(x["Protocol"], x["Port"]) for x in listeners] == [
        ("TCP", 80),
        ("TCP", 81),
        ("TCP", 82),
    ]
    assert _calls(config, "CreateRule") == []
    groups = _calls(config, "CreateTargetGroup")
    assert {(g["Protocol"], g["HealthCheckProtocol"]) for g in groups} == {("TCP", "TCP")}
    assert all("Matcher" not in g and "HealthCheckPath" not in g for g in groups)
    keys = {
        a["Key"] for c in _calls(config, "ModifyTargetGroupAttributes") for a in c["Attributes"]
    }
    assert keys == {"deregistration_delay.timeout_seconds"}
    ports = {
        m.get("appProtocol", "none")
        for td in _calls(config, "RegisterTaskDefinition")
        for m in td["containerDefinitions"][0]["portMappings"]
    }
    assert ports == {"none"}


def test_a_grpc_wire_on_an_alb_sets_protocol_version_grpc_behind_https() -> None:
    config = generate(
        load_scenario({"name": "wire", "pattern": "elb"}).to_dict(), Wire(app_protocol="grpc")
    )

    groups = _calls(config, "CreateTargetGroup")
    assert {g["ProtocolVersion"] for g in groups} == {"GRPC"}
    assert [(x["Protocol"], x["Port"]) for x in _calls(config, "CreateListener")] == [
        ("HTTPS", 443)
    ]
    assert config.template is not None
    assert "CertificateArn" in config.template["Parameters"]
    td = _calls(config, "RegisterTaskDefinition")[0]
    assert td["containerDefinitions"][0]["portMappings"][0]["appProtocol"] == "grpc"


def test_a_tcp_wire_under_service_connect_drops_the_per_request_timeout() -> None:
    config = generate(
        load_scenario({"name": "wire", "pattern": "service-connect"}).to_dict(),
        Wire(app_protocol="tcp"),
    )

    timeouts = [
        s["timeout"]
        for c in _calls(config, "CreateService")
        for s in c["serviceConnectConfiguration"].get("services", [])
    ]
    assert timeouts and all(set(t) == {"idleTimeoutSeconds"} for t in timeouts)


def test_the_default_wire_is_what_the_engine_runs() -> None:
    raw = {"name": "wire", "pattern": "elb"}
    assert generate(load_scenario(raw).to_dict()) == generate(load_scenario(raw).to_dict(), Wire())
    (lb,) = _calls(generate(load_scenario(raw).to_dict()), "CreateLoadBalancer")
    assert (lb["Type"], lb["Scheme"]) == ("application", "internal")


@pytest.mark.parametrize(
    ("field", "value"),
    [("app_protocol", "udp"), ("load_balancer", "gateway"), ("scheme", "public")],
)
def test_a_wire_refuses_values_aws_does_not_have(field: str, value: str) -> None:
    with pytest.raises(ValueError, match=f"^{field}: must be one of"):
        Wire(**{field: value})


LAB = {
    "name": "front",
    "pattern": "service-connect",
    "services": [{"name": "contract", "tasks": 2}, {"name": "inventory", "tasks": 4}],
    "traffic": [{"from": "contract", "to": "inventory", "rps": 10}],
}


def test_a_front_door_puts_an_internet_facing_alb_before_the_entry_service_only() -> None:
    """Service Connect behind an internet-facing ALB: the ALB's one target group holds the tasks
    of the service nobody calls (contract); inventory is reached through Service Connect."""
    config = generate(load_scenario(LAB).to_dict(), Wire(scheme="internet-facing", front_door=True))

    (lb,) = _calls(config, "CreateLoadBalancer")
    assert (lb["Type"], lb["Scheme"]) == ("application", "internet-facing")
    assert [g["Name"] for g in _calls(config, "CreateTargetGroup")] == ["contract"]
    services = {c["serviceName"]: c for c in _calls(config, "CreateService")}
    assert [x["targetGroupArn"] for x in services["contract"]["loadBalancers"]] == [
        f"arn:aws:elasticloadbalancing:ap-northeast-1:{ACCOUNT}:targetgroup/contract/EXAMPLE"
    ]
    assert "loadBalancers" not in services["inventory"]
    assert services["inventory"]["serviceConnectConfiguration"]["services"][0]["clientAliases"] == [
        {"port": 80, "dnsName": "inventory"}
    ]
    assert "services" not in services["contract"]["serviceConnectConfiguration"]


def test_without_a_front_door_service_connect_generates_no_load_balancer() -> None:
    config = generate(load_scenario(LAB).to_dict(), Wire(scheme="internet-facing"))

    assert _calls(config, "CreateLoadBalancer") == []
    assert all("loadBalancers" not in c for c in _calls(config, "CreateService"))
