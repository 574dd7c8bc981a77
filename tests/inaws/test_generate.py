"""The generator on the sample system: the exact documents for each pattern (key documents spelt out
here, the whole output pinned in tests/inaws/golden/), settings flowing into their API fields, and
values AWS fixes only ever as comments."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from patterns.inaws.generate import Config, generate
from patterns.inaws.render import api_json, template_yaml
from patterns.sim import PATTERNS, load_scenario

pytestmark = pytest.mark.unit
GOLDEN = Path(__file__).parent / "golden"


def _config(raw: dict[str, Any]) -> Config:
    return generate(load_scenario(raw).to_dict())


def _call(config: Config, operation: str, about: str) -> dict[str, Any]:
    return next(c.input for c in config.calls if c.operation == operation and c.about == about)


def _operations(config: Config) -> list[str]:
    return [f"{c.service}:{c.operation}:{c.about}" for c in config.calls]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_sample_system_matches_its_golden(pattern: str) -> None:
    config = _config({"pattern": pattern})
    outputs = {f"{pattern}.api.json": api_json(config)}
    if config.template is not None:
        outputs[f"{pattern}.template.yaml"] = template_yaml(config)
    for name, text in outputs.items():
        path = GOLDEN / name
        if os.environ.get("KUMOBEN_UPDATE_GOLDEN"):
            GOLDEN.mkdir(exist_ok=True)
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8"), name


def test_elb_sample_system() -> None:
    config = _config({"pattern": "elb"})

    assert _operations(config)[:3] == [
        "elbv2:CreateLoadBalancer:kumoben",
        "elbv2:ModifyLoadBalancerAttributes:kumoben",
        "elbv2:CreateListener:kumoben",
    ]
    assert _call(config, "CreateTargetGroup", "inventory") == {
        "Name": "inventory",
        "Protocol": "HTTP",
        "Port": 8080,
        "VpcId": "vpc-EXAMPLE",
        "TargetType": "ip",
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPath": "/health",
        "HealthCheckIntervalSeconds": 30,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 5,
        "UnhealthyThresholdCount": 2,
        "Matcher": {"HttpCode": "200"},
    }
    assert _call(config, "ModifyTargetGroupAttributes", "inventory")["Attributes"] == [
        {"Key": "deregistration_delay.timeout_seconds", "Value": "300"},
        {"Key": "load_balancing.algorithm.type", "Value": "round_robin"},
        {"Key": "slow_start.duration_seconds", "Value": "0"},
    ]
    service = _call(config, "CreateService", "inventory")
    assert service["loadBalancers"] == [
        {
            "targetGroupArn": "arn:aws:elasticloadbalancing:ap-northeast-1:111122223333:"
            "targetgroup/inventory/EXAMPLE",
            "containerName": "app",
            "containerPort": 8080,
        }
    ]
    assert service["healthCheckGracePeriodSeconds"] == 0
    assert service["deploymentConfiguration"] == {
        "minimumHealthyPercent": 100,
        "maximumPercent": 200,
        "strategy": "ROLLING",
    }
    assert "loadBalancers" not in _call(config, "CreateService", "user")  # nobody calls user
    container = _call(config, "RegisterTaskDefinition", "inventory")["containerDefinitions"][0]
    assert container["portMappings"] == [
        {"name": "http", "containerPort": 8080, "protocol": "tcp", "appProtocol": "http"}
    ]
    assert container["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f http://localhost:8080/health || exit 1"],
        "interval": 30,
        "timeout": 5,
        "retries": 3,
        "startPeriod": 0,
    }
    assert container["stopTimeout"] == 30


def test_elb_settings_flow_into_their_fields() -> None:
    config = _config(
        {
            "pattern": "elb",
            "settings": {
                "alb": {
                    "deregistration_delay_s": 30,
                    "algorithm": "weighted_random",
                    "slow_start_s": 60,
                    "health_check_interval_s": 10,
                    "health_check_timeout_s": 4,
                    "idle_timeout_s": 120,
                },
                "ecs": {
                    "health_check_grace_period_s": 45,
                    "container_health_start_period_s": 20,
                    "container_health_interval_s": 7.5,
                    "stop_timeout_s": 60,
                },
            },
        }
    )

    assert _call(config, "ModifyTargetGroupAttributes", "billing")["Attributes"] == [
        {"Key": "deregistration_delay.timeout_seconds", "Value": "30"},
        {"Key": "load_balancing.algorithm.type", "Value": "weighted_random"},
        {"Key": "slow_start.duration_seconds", "Value": "60"},
    ]
    assert _call(config, "CreateTargetGroup", "billing")["HealthCheckIntervalSeconds"] == 10
    assert _call(config, "ModifyLoadBalancerAttributes", "kumoben")["Attributes"] == [
        {"Key": "idle_timeout.timeout_seconds", "Value": "120"}
    ]
    assert _call(config, "CreateService", "billing")["healthCheckGracePeriodSeconds"] == 45
    container = _call(config, "RegisterTaskDefinition", "billing")["containerDefinitions"][0]
    assert (container["healthCheck"]["interval"], container["healthCheck"]["startPeriod"]) == (
        8,
        20,
    )
    assert container["stopTimeout"] == 60
    assert config.comments["TaskDefinitionBilling"] == [
        "ecs.container_health_interval_s: the simulation ran 7.5; the API takes whole seconds: 8"
    ]


def test_service_discovery_sample_system() -> None:
    config = _config({"pattern": "service-discovery"})

    assert _call(config, "CreateService", "inventory") == {
        "Name": "inventory",
        "NamespaceId": "ns-EXAMPLE",
        "DnsConfig": {"RoutingPolicy": "MULTIVALUE", "DnsRecords": [{"Type": "A", "TTL": 300}]},
        "HealthCheckCustomConfig": {},
    }
    ecs = next(
        c.input
        for c in config.calls
        if c.service == "ecs" and c.operation == "CreateService" and c.about == "inventory"
    )
    assert ecs["serviceRegistries"] == [
        {
            "registryArn": "arn:aws:servicediscovery:ap-northeast-1:111122223333:service/"
            "srv-EXAMPLE-inventory"
        }
    ]
    srv = _config(
        {
            "pattern": "service-discovery",
            "settings": {
                "cloud_map": {"record_type": "SRV", "routing_policy": "WEIGHTED", "dns_ttl_s": 10}
            },
        }
    )
    assert _call(srv, "CreateService", "inventory")["DnsConfig"] == {
        "RoutingPolicy": "WEIGHTED",
        "DnsRecords": [{"Type": "SRV", "TTL": 10}],
    }
    srv_ecs = [c.input for c in srv.calls if c.service == "ecs" and c.about == "inventory"][1]
    assert srv_ecs["serviceRegistries"][0]["containerPort"] == 8080
    notes = {n.setting: n.kind for n in config.notes}
    assert notes["cloud_map.health_propagation_s"] == "fixed"
    assert notes["client.dns_cache"] == "client"


def test_service_connect_sample_system() -> None:
    config = _config(
        {
            "pattern": "service-connect",
            "settings": {"service_connect": {"per_request_timeout_s": 5, "idle_timeout_s": 60}},
        }
    )

    def sc(name: str) -> dict[str, Any]:
        return next(
            c.input["serviceConnectConfiguration"]
            for c in config.calls
            if c.operation == "CreateService" and c.about == name
        )

    assert sc("user") == {"enabled": True, "namespace": "kumoben"}  # a client only
    # The grace period holds the container health check too: on every service.
    assert _call(config, "CreateService", "user")["healthCheckGracePeriodSeconds"] == 0
    assert sc("inventory") == {
        "enabled": True,
        "namespace": "kumoben",
        "services": [
            {
                "portName": "http",
                "discoveryName": "inventory",
                "clientAliases": [{"port": 80, "dnsName": "inventory"}],
                "timeout": {"perRequestTimeoutSeconds": 5, "idleTimeoutSeconds": 60},
            }
        ],
    }
    text = json.dumps([c.input for c in config.calls])
    for fixed in ("retry", "outlier", "lbPolicy", "drain"):
        assert fixed not in text  # fixed by AWS: comments only
    yaml = template_yaml(config)
    assert "#   envoy.retry_policy = {num_retries: 2," in yaml
    assert "#   envoy.outlier_detection = {consecutive_5xx: 5, failure_window_s: 30," in yaml


def test_a_what_if_on_a_fixed_value_stays_a_comment() -> None:
    config = _config(
        {"pattern": "service-connect", "settings": {"envoy": {"retry_policy": {"num_retries": 0}}}}
    )

    note = next(n for n in config.notes if n.setting == "envoy.retry_policy")
    assert note.kind == "fixed"
    assert note.text.startswith("what-if, not possible in real ECS (AWS runs {num_retries: 2,")
    assert "num_retries" not in json.dumps([c.input for c in config.calls])


def test_blue_green_family_deploys() -> None:
    raw = {
        "pattern": "service-connect",
        "traffic": [
            {"from": "contract", "to": "inventory", "rps": 10},
            {"from": "contract", "to": "inventory", "rps": 1, "test": True},
        ],
        "actions": [
            {
                "at_s": 30,
                "do": "deploy",
                "service": "inventory",
                "strategy": "canary",
                "canary_percent": 10,
                "canary_bake_time_min": 3,
                "alarm": {"error_rate_percent": 2, "for_s": 90},
            }
        ],
    }
    config = _config(raw)

    service = _call(config, "CreateService", "inventory")
    assert service["deploymentConfiguration"] == {
        "minimumHealthyPercent": 100,
        "maximumPercent": 200,
        "strategy": "CANARY",
        "bakeTimeInMinutes": 0,
        "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 3},
        "alarms": {"alarmNames": ["inventory-green-error-rate"], "enable": True, "rollback": True},
    }
    alias = service["serviceConnectConfiguration"]["services"][0]["clientAliases"][0]
    assert alias["testTrafficRules"] == {"header": {"name": "x-amzn-ecs-blue-green-test"}}
    alarm = config.template["Resources"]["AlarmInventory"]["Properties"]  # type: ignore[index]
    assert (alarm["Threshold"], alarm["EvaluationPeriods"]) == (2.0, 2)

    elb = _config(
        {
            **raw,
            "pattern": "elb",
            "actions": [
                {
                    "at_s": 30,
                    "do": "deploy",
                    "service": "inventory",
                    "strategy": "linear",
                    "step_percent": 25,
                }
            ],
        }
    )
    lb = _call(elb, "CreateService", "inventory")["loadBalancers"][0]
    assert lb["targetGroupArn"].endswith("targetgroup/inventory-blue/EXAMPLE")
    assert sorted(lb["advancedConfiguration"]) == [
        "alternateTargetGroupArn",
        "productionListenerRule",
        "roleArn",
        "testListenerRule",
    ]
    assert _call(elb, "CreateService", "inventory")["deploymentConfiguration"][
        "linearConfiguration"
    ] == {"stepPercent": 25.0, "stepBakeTimeInMinutes": 6}


def test_app_mesh_is_history_with_nothing_to_apply() -> None:
    config = generate(load_scenario("canary-90-10").to_dict())

    assert config.historical and config.template is None
    route = _call(config, "CreateRoute", "inventory")["spec"]["httpRoute"]
    assert route["action"]["weightedTargets"] == [
        {"virtualNode": "inventory", "weight": 90},
        {"virtualNode": "inventory-v2", "weight": 10},
    ]
    assert route["timeout"] == {
        "perRequest": {"unit": "s", "value": 15},
        "idle": {"unit": "s", "value": 300},
    }
    td = _call(config, "RegisterTaskDefinition", "inventory")
    assert td["proxyConfiguration"]["type"] == "APPMESH"


def test_weighted_routes_call_a_service_only_under_app_mesh() -> None:
    mesh = generate(load_scenario("canary-90-10").to_dict())
    elb = generate(load_scenario("canary-90-10").with_overrides(pattern="elb").to_dict())

    assert "elbv2:CreateTargetGroup:inventory-v2" not in _operations(elb)
    assert "loadBalancers" not in _call(elb, "CreateService", "inventory-v2")
    assert "appmesh:CreateVirtualRouter:inventory-v2" in _operations(mesh)


def test_a_set_action_is_said_in_a_comment() -> None:
    config = _config(
        {
            "pattern": "elb",
            "actions": [
                {"at_s": 60, "do": "set", "setting": "alb.deregistration_delay_s", "value": 10}
            ],
        }
    )

    assert config.comments["Scenario"] == [
        "at 60 s the scenario sets alb.deregistration_delay_s = 10 (an update call then); the"
        " fields show the values it starts with"
    ]
    assert "# at 60 s the scenario sets alb.deregistration_delay_s = 10" in template_yaml(config)
    assert {"Key": "deregistration_delay.timeout_seconds", "Value": "300"} in _call(
        config, "ModifyTargetGroupAttributes", "inventory"
    )["Attributes"]


def test_depends_on_healthy_adds_the_ready_gate_container_the_engine_ran() -> None:
    held = {"ecs": {"depends_on_healthy": True, "container_health_start_period_s": 40}}
    config = _config({"pattern": "service-connect", "settings": held})

    containers = _call(config, "RegisterTaskDefinition", "inventory")["containerDefinitions"]

    assert [c["name"] for c in containers] == ["app", "ready-gate"]
    assert containers[0]["healthCheck"]["startPeriod"] == 40
    assert containers[1] == {
        "name": "ready-gate",
        "image": "public.ecr.aws/docker/library/busybox:stable",
        "essential": False,
        "command": ["sh", "-c", "exit 0"],
        "dependsOn": [{"containerName": "app", "condition": "HEALTHY"}],
    }
    template = config.template
    assert template is not None
    gate = template["Resources"]["TaskDefinitionInventory"]["Properties"]["ContainerDefinitions"][1]
    assert gate["Image"] == "public.ecr.aws/docker/library/busybox:stable"  # not the app's Ref
    assert gate["DependsOn"] == [{"ContainerName": "app", "Condition": "HEALTHY"}]
    assert any("ready-gate" in line for line in config.comments["TaskDefinitionInventory"])


def test_without_depends_on_healthy_the_task_definition_has_one_container() -> None:
    config = _config({"pattern": "service-connect"})

    containers = _call(config, "RegisterTaskDefinition", "inventory")["containerDefinitions"]

    assert [c["name"] for c in containers] == ["app"]
