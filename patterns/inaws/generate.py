"""The configuration a user would write in real AWS for a normalized scenario.

``generate(scenario_dict)`` reads what the engine ran (``Scenario.to_dict()``: services, traffic,
settings, actions, pattern) and returns the API calls (ECS, ELBv2, Cloud Map; App Mesh as history)
and a CloudFormation template. Only values a user can set become fields; the rest (fixed by AWS,
the caller's own code, the simulation's model) become comments, taken from
:data:`patterns.sim.scenario.IN_AWS`.

Names that are the sample system's, not AWS's: the container is ``app`` on port 8080 with
``/health``, its port mapping is named ``http``, tasks run on Fargate (256 CPU units, 512 MiB),
the Service Connect namespace is ``kumoben``, the private DNS namespace ``kumoben.internal``, the
ALB routes ``/<service>/*`` to each service. ARNs and ids in the API calls are placeholders
(``EXAMPLE``) to replace with what the earlier calls return.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from patterns.sim.scenario import (
    CLIENT,
    FIXED,
    MODEL,
    PATTERN_COMPONENTS,
    SETTABLE,
    SETTINGS,
)

from .texts import NOTE_WHAT_IF, SAMPLE_TASK, SAMPLE_TASK_NOTE, in_aws_text

REGION = "ap-northeast-1"
ACCOUNT = "111122223333"
CONTAINER = "app"
PORT_NAME = "http"
CONTAINER_PORT = 8080
ALIAS_PORT = 80
HEALTH_PATH = "/health"
#: The hold container of ``ecs.depends_on_healthy``: a small public image that exits at once.
READY_GATE = "ready-gate"
READY_GATE_IMAGE = "public.ecr.aws/docker/library/busybox:stable"
SC_NAMESPACE = "kumoben"
DNS_NAMESPACE = "kumoben.internal"
TEST_HEADER = "x-amzn-ecs-blue-green-test"
CPU, MEMORY = "256", "512"
STRATEGY_API = {
    "rolling": "ROLLING",
    "blue_green": "BLUE_GREEN",
    "linear": "LINEAR",
    "canary": "CANARY",
}
#: Which kinds of note the comments group, in this order.
NOTE_KINDS = (FIXED, CLIENT, MODEL)
#: What a container's port can declare as ``appProtocol`` (``tcp``: none, plain TCP).
APP_PROTOCOLS = ("http", "http2", "grpc", "tcp")
LOAD_BALANCER_TYPES = ("application", "network")
SCHEMES = ("internal", "internet-facing")
HTTPS_PORT = 443


@dataclass(frozen=True)
class Wire:
    """How the services are reached, beyond what the engine runs (it models HTTP/1.1 requests
    through an internal ALB, which is what the defaults generate).

    ``app_protocol`` is the port mapping's ``appProtocol`` (``tcp``: none declared, plain TCP);
    with an ALB, ``grpc`` makes the target groups ``ProtocolVersion: GRPC``. ``load_balancer`` is
    the ELB ``Type`` (``network``: an NLB with TCP listeners and target groups) and ``scheme`` its
    ``Scheme``. Patterns without a load balancer read ``app_protocol`` only, unless
    ``front_door``: then a load balancer (this ``load_balancer`` and ``scheme``) takes outside
    clients' calls to the entry services (those nobody in the scenario calls, the sample's
    ``contract`` in lab 10) and the pattern connects the services behind it; under ELB the entry
    services join the load balancer's targets.
    """

    app_protocol: str = "http"
    load_balancer: str = "application"
    scheme: str = "internal"
    front_door: bool = False

    def __post_init__(self) -> None:
        for name, allowed in (
            ("app_protocol", APP_PROTOCOLS),
            ("load_balancer", LOAD_BALANCER_TYPES),
            ("scheme", SCHEMES),
        ):
            if getattr(self, name) not in allowed:
                raise ValueError(f"{name}: must be one of {', '.join(allowed)}")
        if not isinstance(self.front_door, bool):
            raise ValueError("front_door: must be true or false")

    @property
    def nlb(self) -> bool:
        return self.load_balancer == "network"

    @property
    def grpc_alb(self) -> bool:
        return self.app_protocol == "grpc" and not self.nlb


@dataclass(frozen=True)
class Call:
    """One API request: ``service`` (botocore's name: ecs, elbv2, servicediscovery, appmesh),
    ``operation`` and its ``input``; ``about`` names the resource it creates."""

    service: str
    operation: str
    about: str
    input: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "operation": self.operation, "input": self.input}


@dataclass(frozen=True)
class Note:
    """A value that is not a field: ``kind`` fixed/client/model, the setting and the value the
    engine ran, and what decides it in AWS: ``text`` in English, ``ja`` in Japanese
    (:data:`patterns.inaws.texts.IN_AWS_TEXTS`). ``value_ja``: the value in Japanese, when it is
    words rather than a value."""

    kind: str
    setting: str
    value: Any
    text: str
    ja: str = ""
    value_ja: str = ""

    def line(self) -> str:
        """The note in the page's language: ``setting = value: text``."""
        if _ja():
            return f"{self.setting} = {self.value_ja or _plain(self.value)}：{self.ja or self.text}"
        return f"{self.setting} = {_plain(self.value)}: {self.text}"


@dataclass
class Config:
    """Everything generated for one pattern."""

    pattern: str
    calls: list[Call]
    notes: list[Note]
    template: dict[str, Any] | None  # None: nothing to apply (App Mesh, retired)
    comments: dict[str, list[str]] = field(default_factory=dict)  # logical id -> lines
    historical: bool = False

    def api_document(self) -> dict[str, Any]:
        """The downloadable API JSON: the calls in order, with the values that are not fields
        listed apart (JSON has no comments)."""
        return {
            "pattern": self.pattern,
            "region": REGION,
            "calls": [c.to_dict() for c in self.calls],
            "notSettable": [n.line() for n in self.notes],
            "comments": {k: list(v) for k, v in self.comments.items()},
        }


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    if value is None:
        return "null"
    return str(value)


def _ja() -> bool:
    return (get_language() or "").startswith("ja")


def _listed(names: list[str]) -> str:
    """Names one after another, with the page language's separator."""
    return ("、" if _ja() else ", ").join(names)


def logical(name: str) -> str:
    """``inventory-v2`` -> ``InventoryV2`` (CloudFormation logical ids are alphanumeric)."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("-"))


class _Builder:
    def __init__(self, scenario: dict[str, Any], wire: Wire = Wire()) -> None:
        self.s = scenario
        self.wire = wire
        self.pattern: str = scenario["pattern"]
        self.settings: dict[str, dict[str, Any]] = scenario["settings"]
        services = list(scenario["services"])
        traffic = list(scenario["traffic"])
        for action in scenario["actions"]:
            if action["do"] == "add_service":
                services.append(action["service"])
                traffic.extend(action["traffic"])
        self.services = services
        self.traffic = traffic
        called = {t["to"] for t in traffic}
        # Under App Mesh a weighted route's targets are called too (other patterns ignore routes).
        if self.pattern == "app-mesh":
            for route in self.settings["app_mesh"]["routes"].values():
                called.update(t["virtual_node"] for t in route)
        self.called = [s["name"] for s in services if s["name"] in called]
        self.tested = {t["to"] for t in traffic if t.get("test")}
        self.deploys: dict[str, list[dict[str, Any]]] = {}
        for action in scenario["actions"]:
            if action["do"] == "deploy":
                self.deploys.setdefault(action["service"], []).append(action)
        self.notes: list[Note] = []
        self.comments: dict[str, list[str]] = {}
        self.calls: list[Call] = []
        self.resources: dict[str, Any] = {}
        self.parameters: dict[str, Any] = {}

    # ------------------------------------------------------------------ values and notes

    def value(self, path: str) -> Any:
        component, _, key = path.partition(".")
        return self.settings[component][key]

    def whole(self, path: str, where: str) -> int:
        """A setting as the whole number an API field takes; a fraction is rounded up, said in a
        comment."""
        value = self.value(path)
        out = int(math.ceil(value - 1e-9))
        if out != value:
            self.comment(
                where,
                _("%(path)s: the simulation ran %(value)s; the API takes whole seconds: %(out)s")
                % {"path": path, "value": _plain(value), "out": out},
            )
        return out

    def comment(self, where: str, line: str) -> None:
        lines = self.comments.setdefault(where, [])
        if line not in lines:
            lines.append(line)

    def collect_notes(self) -> None:
        """Every setting the pattern reads that is not a field: a comment, never a field."""
        for component in PATTERN_COMPONENTS[self.pattern]:
            for key, spec in SETTINGS[component].items():
                entry = spec.in_aws(self.pattern)
                if entry is None or entry.kind == SETTABLE:
                    continue
                value = self.settings[component][key]
                setting = f"{component}.{key}"
                text = {lang: in_aws_text(setting, entry, lang) for lang in ("en", "ja")}
                if value != spec.default and entry.kind == FIXED:
                    text = {
                        lang: NOTE_WHAT_IF.say(lang, default=_plain(spec.default)) + said
                        for lang, said in text.items()
                    }
                self.notes.append(Note(entry.kind, setting, value, text["en"], text["ja"]))
        task = {"cpu": CPU, "memory": MEMORY, "container": repr(CONTAINER), "port": CONTAINER_PORT}
        self.notes.append(
            Note(
                MODEL,
                "sample.task",
                SAMPLE_TASK.say("en", **task),
                SAMPLE_TASK_NOTE.say("en", path=HEALTH_PATH),
                SAMPLE_TASK_NOTE.say("ja", path=HEALTH_PATH),
                SAMPLE_TASK.say("ja", **task),
            )
        )
        self.notes.sort(key=lambda n: NOTE_KINDS.index(n.kind))

    # ------------------------------------------------------------------ task definitions

    def container(self, name: str) -> dict[str, Any]:
        port: dict[str, Any] = {
            "name": PORT_NAME,
            "containerPort": CONTAINER_PORT,
            "protocol": "tcp",
        }
        if self.wire.app_protocol == "tcp":
            self.comment(
                f"TaskDefinition{logical(name)}",
                _(
                    "no appProtocol: the port speaks plain TCP (Service Connect then reports"
                    " connection and byte metrics only)"
                ),
            )
        else:
            port["appProtocol"] = self.wire.app_protocol
        container: dict[str, Any] = {
            "name": CONTAINER,
            "image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}:latest",
            "essential": True,
            "portMappings": [port],
        }
        where = f"TaskDefinition{logical(name)}"
        if self.value("ecs.container_health_check"):
            container["healthCheck"] = {
                "command": [
                    "CMD-SHELL",
                    f"curl -f http://localhost:{CONTAINER_PORT}{HEALTH_PATH} || exit 1",
                ],
                "interval": self.whole("ecs.container_health_interval_s", where),
                "timeout": self.whole("ecs.container_health_timeout_s", where),
                "retries": int(self.value("ecs.container_health_retries")),
                "startPeriod": self.whole("ecs.container_health_start_period_s", where),
            }
        else:
            self.comment(where, _("no container health check (ecs.container_health_check false)"))
        container["stopTimeout"] = self.whole("ecs.stop_timeout_s", where)
        return container

    def ready_gate(self, name: str) -> dict[str, Any]:
        """The hold container of ``ecs.depends_on_healthy``: it starts once the app container is
        HEALTHY and exits at once; until it has started the task stays PENDING, so nothing
        registers it (the workaround of containers-roadmap#2334)."""
        self.comment(
            f"TaskDefinition{logical(name)}",
            _(
                "%(gate)s: starts when %(container)s is HEALTHY (dependsOn), then exits; the task"
                " stays PENDING and unregistered until then (containers-roadmap#2334; UNCONFIRMED"
                " in AWS docs)"
            )
            % {"gate": READY_GATE, "container": repr(CONTAINER)},
        )
        return {
            "name": READY_GATE,
            "image": READY_GATE_IMAGE,
            "essential": False,
            "command": ["sh", "-c", "exit 0"],
            "dependsOn": [{"containerName": CONTAINER, "condition": "HEALTHY"}],
        }

    def task_definition(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "family": name,
            "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": CPU,
            "memory": MEMORY,
            "containerDefinitions": [self.container(name)],
        }
        if self.value("ecs.container_health_check") and self.value("ecs.depends_on_healthy"):
            out["containerDefinitions"].append(self.ready_gate(name))
        if self.pattern == "app-mesh":
            out["proxyConfiguration"] = {
                "type": "APPMESH",
                "containerName": "envoy",
                "properties": [
                    {"name": "IgnoredUID", "value": "1337"},
                    {"name": "ProxyIngressPort", "value": "15000"},
                    {"name": "ProxyEgressPort", "value": "15001"},
                    {"name": "AppPorts", "value": str(CONTAINER_PORT)},
                    {"name": "EgressIgnoredIPs", "value": "169.254.170.2,169.254.169.254"},
                ],
            }
            out["containerDefinitions"].append(
                {
                    "name": "envoy",
                    "image": f"840364872350.dkr.ecr.{REGION}.amazonaws.com/aws-appmesh-envoy:v1",
                    "essential": True,
                    "user": "1337",
                    "environment": [
                        {
                            "name": "APPMESH_RESOURCE_ARN",
                            "value": f"arn:aws:appmesh:{REGION}:{ACCOUNT}:mesh/kumoben/"
                            f"virtualNode/{name}",
                        }
                    ],
                }
            )
        return out

    # ------------------------------------------------------------------ deployments

    def deploy(self, name: str) -> dict[str, Any] | None:
        """The deploy action whose strategy the service is configured with (the last one)."""
        actions = self.deploys.get(name, [])
        if len(actions) > 1:
            self.comment(
                f"Service{logical(name)}",
                _("%(count)s deploys in the scenario: the last one's strategy is shown")
                % {"count": len(actions)},
            )
        return actions[-1] if actions else None

    def deployment_configuration(self, name: str) -> dict[str, Any]:
        action = self.deploy(name)
        strategy = action.get("strategy", "rolling") if action else "rolling"
        out: dict[str, Any] = {
            "minimumHealthyPercent": int(self.value("ecs.minimum_healthy_percent")),
            "maximumPercent": int(self.value("ecs.maximum_percent")),
            "strategy": STRATEGY_API[strategy],
        }
        if action is None or strategy == "rolling":
            return out
        out["bakeTimeInMinutes"] = int(action["bake_time_min"])
        if strategy == "linear":
            out["linearConfiguration"] = {
                "stepPercent": float(action["step_percent"]),
                "stepBakeTimeInMinutes": int(action["step_bake_time_min"]),
            }
        if strategy == "canary":
            out["canaryConfiguration"] = {
                "canaryPercent": float(action["canary_percent"]),
                "canaryBakeTimeInMinutes": int(action["canary_bake_time_min"]),
            }
        alarm = action.get("alarm")
        if alarm and self.pattern == "elb" and self.wire.nlb:
            self.comment(
                f"Service{logical(name)}",
                _(
                    "no rollback alarm: an NLB publishes no HTTP error counts to alarm on (the"
                    " simulation judged green's error rate above %(percent)s %%); alarm on a"
                    " metric of your own"
                )
                % {"percent": _plain(alarm["error_rate_percent"])},
            )
        elif alarm:
            out["alarms"] = {
                "alarmNames": [self.alarm_name(name)],
                "enable": True,
                "rollback": True,
            }
            self.comment(
                f"Service{logical(name)}",
                _(
                    "the simulation judged green's error rate above %(percent)s %% over the last"
                    " %(seconds)s s every second; CloudWatch judges 60 s periods (model)"
                )
                % {"percent": _plain(alarm["error_rate_percent"]), "seconds": alarm["for_s"]},
            )
        self.comment(
            f"Service{logical(name)}",
            _(
                "ECS waits between traffic-shift stages on its own schedule (the simulation: 10 s;"
                " UNCONFIRMED, no API field)"
            ),
        )
        return out

    def blue_green(self, name: str) -> bool:
        action = self.deploy_quiet(name)
        return action is not None and action.get("strategy", "rolling") != "rolling"

    def deploy_quiet(self, name: str) -> dict[str, Any] | None:
        actions = self.deploys.get(name, [])
        return actions[-1] if actions else None

    @staticmethod
    def alarm_name(name: str) -> str:
        return f"{name}-green-error-rate"

    # ------------------------------------------------------------------ the patterns

    def common_service(self, spec: dict[str, Any]) -> dict[str, Any]:
        name = spec["name"]
        return {
            "cluster": "kumoben",
            "serviceName": name,
            "taskDefinition": name,
            "desiredCount": int(spec["tasks"]),
            "launchType": "FARGATE",
            "networkConfiguration": {
                "awsvpcConfiguration": {
                    "subnets": ["subnet-EXAMPLE1a", "subnet-EXAMPLE1c", "subnet-EXAMPLE1d"],
                    "securityGroups": ["sg-EXAMPLE"],
                    "assignPublicIp": "DISABLED",
                }
            },
            "deploymentController": {"type": "ECS"},
            "deploymentConfiguration": self.deployment_configuration(name),
        }

    def tg_arn(self, name: str, colour: str = "") -> str:
        suffix = f"-{colour}" if colour else ""
        return f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:targetgroup/{name}{suffix}/EXAMPLE"

    def target_group_input(self, name: str) -> dict[str, Any]:
        out: dict[str, Any] = {
            "Name": name,
            "Protocol": "TCP" if self.wire.nlb else "HTTP",
            "Port": CONTAINER_PORT,
            "VpcId": "vpc-EXAMPLE",
            "TargetType": "ip",
            "HealthCheckProtocol": "TCP" if self.wire.nlb else "HTTP",
            "HealthCheckPath": HEALTH_PATH,
            "HealthCheckIntervalSeconds": self.whole("alb.health_check_interval_s", "TargetGroups"),
            "HealthCheckTimeoutSeconds": self.whole("alb.health_check_timeout_s", "TargetGroups"),
            "HealthyThresholdCount": int(self.value("alb.healthy_threshold")),
            "UnhealthyThresholdCount": int(self.value("alb.unhealthy_threshold")),
            "Matcher": {"HttpCode": "200"},
        }
        if self.wire.nlb:
            # A TCP health check opens a connection: no path, no status codes.
            del out["HealthCheckPath"], out["Matcher"]
            self.comment(
                "TargetGroups",
                _(
                    "NLB target groups: TCP, a TCP health check (a connection that opens is"
                    " healthy); the simulation ran the ALB's HTTP check with these intervals and"
                    " thresholds"
                ),
            )
        elif self.wire.grpc_alb:
            out["ProtocolVersion"] = "GRPC"
            # The gRPC defaults: AWS's health-check method, success when it answers code 12.
            del out["HealthCheckPath"], out["Matcher"]
            self.comment(
                "TargetGroups",
                _(
                    "ProtocolVersion GRPC: the ALB sends gRPC (HTTP/2) to the tasks; the health"
                    " check keeps AWS's gRPC defaults (success code 12)"
                ),
            )
        return out

    def target_group_attributes(self) -> list[dict[str, str]]:
        attrs = [
            {
                "Key": "deregistration_delay.timeout_seconds",
                "Value": str(self.whole("alb.deregistration_delay_s", "TargetGroups")),
            },
        ]
        if self.wire.nlb:
            self.comment(
                "TargetGroups",
                _(
                    "load_balancing.algorithm.type and slow_start.duration_seconds are ALB target"
                    " group attributes; an NLB target group has neither"
                ),
            )
            return attrs
        attrs += [
            {"Key": "load_balancing.algorithm.type", "Value": str(self.value("alb.algorithm"))},
            {
                "Key": "slow_start.duration_seconds",
                "Value": str(self.whole("alb.slow_start_s", "TargetGroups")),
            },
        ]
        return attrs

    @property
    def entries(self) -> list[str]:
        """The services nobody in the scenario calls: where outside clients come in."""
        return [s["name"] for s in self.services if s["name"] not in self.called]

    def elb(self) -> None:
        targets = list(self.called)
        if self.wire.front_door:
            targets = [*self.entries, *targets]
            self.comment(
                "LoadBalancer",
                _("front door: outside clients call %(entries)s through this load balancer too")
                % {"entries": _listed(self.entries)},
            )
        listener_arn = self.load_balancer(targets)
        for spec in self.services:
            api = self.common_service(spec)
            if spec["name"] in targets:
                self.attach(spec["name"], api, listener_arn)
            self.add_service(spec, api)

    def front_door_comment(self, entries: list[str]) -> None:
        self.comment(
            "LoadBalancer",
            _(
                "front door: outside clients call %(entries)s through this load balancer; the"
                " calls between the services behind it do not pass it (the simulation runs"
                " those calls, not the clients' hop)"
            )
            % {"entries": _listed(entries)},
        )

    def load_balancer(self, targets: list[str]) -> str:
        """The load balancer, its listener(s), and a target group (two for blue/green) with a
        listener rule (an NLB: a listener) for each of ``targets``; returns the listener ARN."""
        kind = "net" if self.wire.nlb else "app"
        alb_arn = (
            f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/{kind}/kumoben/EXAMPLE"
        )
        listener_arn = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/{kind}/kumoben/EXAMPLE/EXAMPLE"
        lb_input: dict[str, Any] = {
            "Name": "kumoben",
            "Type": self.wire.load_balancer,
            "Scheme": self.wire.scheme,
            "Subnets": ["subnet-EXAMPLE1a", "subnet-EXAMPLE1c", "subnet-EXAMPLE1d"],
            "SecurityGroups": ["sg-EXAMPLE"],
        }
        self.calls.append(Call("elbv2", "CreateLoadBalancer", "kumoben", lb_input))
        if self.wire.scheme == "internet-facing":
            self.comment(
                "LoadBalancer",
                _(
                    "internet-facing: its nodes get public addresses, so the subnets must be public"
                    " (a route to an internet gateway) and the security group admits the clients"
                ),
            )
        lb_attrs: list[dict[str, str]] = []
        if self.wire.nlb:
            self.comment(
                "LoadBalancer",
                _(
                    "Network Load Balancer: TCP listeners forward connections, one listener a"
                    " service (an NLB has no path rules); idle_timeout.timeout_seconds is an ALB"
                    " attribute, and the simulation models an ALB"
                ),
            )
        else:
            idle = str(self.whole("alb.idle_timeout_s", "LoadBalancer"))
            lb_attrs = [{"Key": "idle_timeout.timeout_seconds", "Value": idle}]
            self.calls.append(
                Call(
                    "elbv2",
                    "ModifyLoadBalancerAttributes",
                    "kumoben",
                    {"LoadBalancerArn": alb_arn, "Attributes": lb_attrs},
                )
            )
            self.calls.append(
                Call(
                    "elbv2",
                    "CreateListener",
                    "kumoben",
                    {"LoadBalancerArn": alb_arn, **self.alb_listener_input()},
                )
            )
            self.comment(
                "LoadBalancer",
                _(
                    "fixed by AWS: the ALB gives up connecting to a target after 10 s; its DNS"
                    " records have a 60 s TTL"
                ),
            )
        self.parameters["VpcId"] = {"Type": "AWS::EC2::VPC::Id"}
        lb_props: dict[str, Any] = {
            "Name": "kumoben",
            "Type": self.wire.load_balancer,
            "Scheme": self.wire.scheme,
            "Subnets": {"Ref": "Subnets"},
            "SecurityGroups": {"Ref": "SecurityGroups"},
        }
        if lb_attrs:
            lb_props["LoadBalancerAttributes"] = lb_attrs
        self.resources["LoadBalancer"] = {
            "Type": "AWS::ElasticLoadBalancingV2::LoadBalancer",
            "Properties": lb_props,
        }
        if not self.wire.nlb:
            self.resources["Listener"] = self.alb_listener(ALIAS_PORT)
            needs_test = any(self.blue_green(n) and n in self.tested for n in targets)
            if needs_test:
                self.resources["TestListener"] = self.alb_listener(CONTAINER_PORT)
                self.comment("TestListener", _("test traffic reaches green through this listener"))
        if any(self.blue_green(n) for n in targets):
            self.parameters["EcsInfrastructureRoleArn"] = {
                "Type": "String",
                "Description": "an ECS infrastructure role that may change the listener rules",
            }
        attrs = self.target_group_attributes()
        for priority, name in enumerate(targets, start=1):
            lid = logical(name)
            bg = self.blue_green(name)
            colours = ["blue", "green"] if bg else [""]
            for colour in colours:
                tg_name = f"{name}-{colour}" if colour else name
                self.calls.append(
                    Call(
                        "elbv2",
                        "CreateTargetGroup",
                        tg_name,
                        self.target_group_input(tg_name),
                    )
                )
                self.calls.append(
                    Call(
                        "elbv2",
                        "ModifyTargetGroupAttributes",
                        tg_name,
                        {"TargetGroupArn": self.tg_arn(name, colour), "Attributes": attrs},
                    )
                )
                props = self.target_group_input(tg_name)
                props.pop("Name")
                props["VpcId"] = {"Ref": "VpcId"}
                props["TargetGroupAttributes"] = attrs
                self.resources[f"TargetGroup{lid}{logical(colour)}"] = {
                    "Type": "AWS::ElasticLoadBalancingV2::TargetGroup",
                    "Properties": props,
                }
            blue = self.tg_arn(name, colours[0])
            if self.wire.nlb:
                self.nlb_listener(name, priority, alb_arn, blue)
                continue
            forward: dict[str, Any]
            if bg:
                forward = {
                    "Type": "forward",
                    "ForwardConfig": {
                        "TargetGroups": [
                            {"TargetGroupArn": blue, "Weight": 100},
                            {"TargetGroupArn": self.tg_arn(name, "green"), "Weight": 0},
                        ]
                    },
                }
            else:
                forward = {"Type": "forward", "TargetGroupArn": blue}
            condition = [{"Field": "path-pattern", "PathPatternConfig": {"Values": [f"/{name}/*"]}}]
            self.calls.append(
                Call(
                    "elbv2",
                    "CreateRule",
                    name,
                    {
                        "ListenerArn": listener_arn,
                        "Priority": priority,
                        "Conditions": condition,
                        "Actions": [forward],
                    },
                )
            )
            cfn_forward = _cfn_forward(lid, bg)
            self.resources[f"Rule{lid}"] = {
                "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
                "Properties": {
                    "ListenerArn": {"Ref": "Listener"},
                    "Priority": priority,
                    "Conditions": condition,
                    "Actions": [cfn_forward],
                },
            }
            if bg:
                self.comment(
                    f"Rule{lid}",
                    # aws-facts-2026 2.14
                    _(
                        "the production rule forwards to both target groups (100/0); ECS rewrites"
                        " the weights during the deployment (UNCONFIRMED)"
                    ),
                )
            if bg and name in self.tested:
                self.resources[f"TestRule{lid}"] = {
                    "Type": "AWS::ElasticLoadBalancingV2::ListenerRule",
                    "Properties": {
                        "ListenerArn": {"Ref": "TestListener"},
                        "Priority": priority,
                        "Conditions": condition,
                        "Actions": [_cfn_forward(lid, bg)],
                    },
                }
        return listener_arn

    def attach(self, name: str, api: dict[str, Any], listener_arn: str) -> None:
        """The ECS service ``name`` registers its tasks in its target group(s)."""
        lb: dict[str, Any] = {
            "targetGroupArn": self.tg_arn(name, "blue" if self.blue_green(name) else ""),
            "containerName": CONTAINER,
            "containerPort": CONTAINER_PORT,
        }
        if self.blue_green(name):
            lb["advancedConfiguration"] = {
                "alternateTargetGroupArn": self.tg_arn(name, "green"),
                "productionListenerRule": self.production_rule_arn(listener_arn, name),
                "roleArn": f"arn:aws:iam::{ACCOUNT}:role/ecsInfrastructureRole",
            }
            if name in self.tested and not self.wire.nlb:
                lb["advancedConfiguration"]["testListenerRule"] = (
                    f"{listener_arn.replace(':listener/', ':listener-rule/')}/test-{name}"
                )
        api["loadBalancers"] = [lb]
        api["healthCheckGracePeriodSeconds"] = self.whole(
            "ecs.health_check_grace_period_s", f"Service{logical(name)}"
        )

    def front_door(self) -> str | None:
        """With ``Wire.front_door``, a load balancer in front of the entry services (patterns
        other than ELB); returns its listener ARN."""
        if not self.wire.front_door or not self.entries:
            return None
        self.front_door_comment(self.entries)
        return self.load_balancer(self.entries)

    def production_rule_arn(self, listener_arn: str, name: str) -> str:
        """ALB: the service's listener rule; NLB (no rules): the service's listener."""
        if self.wire.nlb:
            return listener_arn.replace("/EXAMPLE/EXAMPLE", f"/EXAMPLE/{name}")
        return f"{listener_arn.replace(':listener/', ':listener-rule/')}/{name}"

    def alb_listener_input(self) -> dict[str, Any]:
        """The ALB's production listener: HTTP on 80, or HTTPS on 443 for gRPC target groups."""
        if not self.wire.grpc_alb:
            return {
                "Protocol": "HTTP",
                "Port": ALIAS_PORT,
                "DefaultActions": [_not_found()],
            }
        # AWS: "Considerations for the gRPC protocol version: The only supported listener protocol
        # is HTTPS." (Elastic Load Balancing, "Target groups for your Application Load Balancers",
        # Protocol version: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/
        # load-balancer-target-groups.html#target-group-protocol-version)
        self.comment(
            "Listener",
            _(
                "HTTPS: an ALB takes gRPC target groups behind HTTPS listeners only; callers speak"
                " gRPC over TLS with the certificate you give"
            ),
        )
        return {
            "Protocol": "HTTPS",
            "Port": HTTPS_PORT,
            "Certificates": [
                {"CertificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/EXAMPLE"}
            ],
            "DefaultActions": [_not_found()],
        }

    def alb_listener(self, port: int) -> dict[str, Any]:
        if not self.wire.grpc_alb:
            return _listener(port)
        self.parameters["CertificateArn"] = {
            "Type": "String",
            "Description": "an ACM certificate for the HTTPS listener in front of gRPC",
        }
        return {
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {
                "LoadBalancerArn": {"Ref": "LoadBalancer"},
                "Protocol": "HTTPS",
                "Port": HTTPS_PORT if port == ALIAS_PORT else port,
                "Certificates": [{"CertificateArn": {"Ref": "CertificateArn"}}],
                "DefaultActions": [_not_found()],
            },
        }

    def nlb_listener(self, name: str, index: int, lb_arn: str, blue: str) -> None:
        """An NLB has no rules: each called service gets its own TCP listener (80, 81, ...)."""
        lid = logical(name)
        port = ALIAS_PORT + index - 1
        self.calls.append(
            Call(
                "elbv2",
                "CreateListener",
                name,
                {
                    "LoadBalancerArn": lb_arn,
                    "Protocol": "TCP",
                    "Port": port,
                    "DefaultActions": [{"Type": "forward", "TargetGroupArn": blue}],
                },
            )
        )
        colour = "Blue" if self.blue_green(name) else ""
        self.resources[f"Listener{lid}"] = {
            "Type": "AWS::ElasticLoadBalancingV2::Listener",
            "Properties": {
                "LoadBalancerArn": {"Ref": "LoadBalancer"},
                "Protocol": "TCP",
                "Port": port,
                "DefaultActions": [
                    {"Type": "forward", "TargetGroupArn": {"Ref": f"TargetGroup{lid}{colour}"}}
                ],
            },
        }
        self.comment(
            f"Listener{lid}",
            _("%(name)s: TCP port %(port)s of the load balancer") % {"name": name, "port": port},
        )
        if self.blue_green(name):
            # An NLB has no listener rules: productionListenerRule takes the listener's ARN (ECS
            # API reference, AdvancedConfiguration: "production listener rule (in the case of an
            # Application Load Balancer) or listener (in the case for an Network Load Balancer)").
            # ECS adds a 10-minute wait to the test and production traffic shifts with an NLB,
            # because its data plane can lag the "configured traffic weights" (ECS developer
            # guide, nlb-resources-for-blue-green.html). Which listener call ECS makes to move
            # the weights is not shown there: the comment keeps that part UNCONFIRMED.
            self.comment(
                f"Listener{lid}",
                _(
                    "NLB blue/green: productionListenerRule names this listener, not a rule; ECS"
                    " waits 10 extra minutes at each traffic shift with an NLB. How it changes"
                    " the listener's weights between the two target groups: UNCONFIRMED (AWS"
                    " does not show the call). No test listener is generated"
                ),
            )

    def service_discovery(self) -> None:
        ns_id = "ns-EXAMPLE"
        self.calls.append(
            Call(
                "servicediscovery",
                "CreatePrivateDnsNamespace",
                DNS_NAMESPACE,
                {"Name": DNS_NAMESPACE, "Vpc": "vpc-EXAMPLE"},
            )
        )
        self.parameters["VpcId"] = {"Type": "AWS::EC2::VPC::Id"}
        self.resources["Namespace"] = {
            "Type": "AWS::ServiceDiscovery::PrivateDnsNamespace",
            "Properties": {"Name": DNS_NAMESPACE, "Vpc": {"Ref": "VpcId"}},
        }
        self.cloud_map_services(ns_id)
        srv = self.value("cloud_map.record_type") == "SRV"
        door = self.front_door()
        for spec in self.services:
            name = spec["name"]
            api = self.common_service(spec)
            if door is not None and name in self.entries:
                self.attach(name, api, door)
            if name in self.called:
                registry: dict[str, Any] = {
                    "registryArn": f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:service/"
                    f"srv-EXAMPLE-{name}"
                }
                if srv:
                    registry["containerName"] = CONTAINER
                    registry["containerPort"] = CONTAINER_PORT
                api["serviceRegistries"] = [registry]
            self.add_service(spec, api)

    def cloud_map_services(self, ns_id: str) -> None:
        ttl = self.whole("cloud_map.dns_ttl_s", "CloudMap")
        dns = {
            "RoutingPolicy": self.value("cloud_map.routing_policy"),
            "DnsRecords": [{"Type": self.value("cloud_map.record_type"), "TTL": ttl}],
        }
        for name in self.called:
            self.calls.append(
                Call(
                    "servicediscovery",
                    "CreateService",
                    name,
                    {
                        "Name": name,
                        "NamespaceId": ns_id,
                        "DnsConfig": dns,
                        "HealthCheckCustomConfig": {},
                    },
                )
            )
            lid = f"CloudMap{logical(name)}"
            self.resources[lid] = {
                "Type": "AWS::ServiceDiscovery::Service",
                "Properties": {
                    "Name": name,
                    "NamespaceId": {"Ref": "Namespace"},
                    "DnsConfig": dns,
                    "HealthCheckCustomConfig": {},
                },
            }
            self.comment(
                lid,
                _(
                    "HealthCheckCustomConfig: ECS reports the container health check as the"
                    " instance's health; FailureThreshold is deprecated (always 1)"
                ),
            )

    def service_connect(self) -> None:
        self.calls.append(
            Call("servicediscovery", "CreateHttpNamespace", SC_NAMESPACE, {"Name": SC_NAMESPACE})
        )
        self.resources["Namespace"] = {
            "Type": "AWS::ServiceDiscovery::HttpNamespace",
            "Properties": {"Name": SC_NAMESPACE},
        }
        timeout = {
            "perRequestTimeoutSeconds": self.whole(
                "service_connect.per_request_timeout_s", "ServiceConnect"
            ),
            "idleTimeoutSeconds": self.whole("service_connect.idle_timeout_s", "ServiceConnect"),
        }
        if self.wire.app_protocol == "tcp":
            del timeout["perRequestTimeoutSeconds"]  # not allowed for TCP (aws-facts-2026 3.3)
            self.comment(
                "ServiceConnect",
                _(
                    "plain TCP: perRequestTimeoutSeconds cannot be set for TCP (the simulation ran"
                    " HTTP requests with it)"
                ),
            )
        door = self.front_door()
        for spec in self.services:
            name = spec["name"]
            api = self.common_service(spec)
            if door is not None and name in self.entries:
                self.attach(name, api, door)
            sc: dict[str, Any] = {"enabled": True, "namespace": SC_NAMESPACE}
            if name in self.called:
                alias: dict[str, Any] = {"port": ALIAS_PORT, "dnsName": name}
                if self.blue_green(name):
                    alias["testTrafficRules"] = {"header": {"name": TEST_HEADER}}
                    self.comment(
                        f"Service{logical(name)}",
                        _(
                            "testTrafficRules: the header %(header)s is also what Service Connect"
                            " uses with no rule; written out to show where a custom one goes"
                        )
                        % {"header": TEST_HEADER},
                    )
                sc["services"] = [
                    {
                        "portName": PORT_NAME,
                        "discoveryName": name,
                        "clientAliases": [alias],
                        "timeout": dict(timeout),
                    }
                ]
            api["serviceConnectConfiguration"] = sc
            self.add_service(spec, api)

    def app_mesh(self) -> None:
        """App Mesh's shapes as they were (retired on 2026-09-30): shown, never offered to apply."""
        self.calls.append(
            Call(
                "servicediscovery",
                "CreatePrivateDnsNamespace",
                DNS_NAMESPACE,
                {"Name": DNS_NAMESPACE, "Vpc": "vpc-EXAMPLE"},
            )
        )
        self.cloud_map_services("ns-EXAMPLE")
        mesh = self.settings["app_mesh"]
        cloud_map = mesh["discovery"] == "cloud_map"
        for name in [s["name"] for s in self.services]:
            backends = sorted({t["to"] for t in self.traffic if t["from"] == name})
            listener: dict[str, Any] = {
                "portMapping": {"port": CONTAINER_PORT, "protocol": "http"},
                "healthCheck": {
                    "protocol": "http",
                    "path": HEALTH_PATH,
                    "healthyThreshold": 2,
                    "unhealthyThreshold": 2,
                    "intervalMillis": 5000,
                    "timeoutMillis": 2000,
                },
            }
            od = mesh["outlier_detection"]
            if od is not None:
                listener["outlierDetection"] = {
                    "maxServerErrors": int(od["max_server_errors"]),
                    "interval": {"unit": "s", "value": int(od["interval_s"])},
                    "baseEjectionDuration": {
                        "unit": "s",
                        "value": int(od["base_ejection_duration_s"]),
                    },
                    "maxEjectionPercent": int(od["max_ejection_percent"]),
                }
            discovery: dict[str, Any] = (
                {"awsCloudMap": {"namespaceName": DNS_NAMESPACE, "serviceName": name}}
                if cloud_map
                else {"dns": {"hostname": f"{name}.{DNS_NAMESPACE}"}}
            )
            self.calls.append(
                Call(
                    "appmesh",
                    "CreateVirtualNode",
                    name,
                    {
                        "meshName": "kumoben",
                        "virtualNodeName": name,
                        "spec": {
                            "listeners": [listener],
                            "serviceDiscovery": discovery,
                            "backends": [
                                {"virtualService": {"virtualServiceName": f"{b}.{DNS_NAMESPACE}"}}
                                for b in backends
                            ],
                        },
                    },
                )
            )
        self.comment(
            "AppMesh",
            _(
                "the listener health check here is the sample's; the simulation models the"
                " container health check and Cloud Map health instead"
            ),
        )
        retry = mesh["retry_policy"]
        for vs in self.called:
            route = mesh["routes"].get(vs) or [{"virtual_node": vs, "weight": 1}]
            self.calls.append(
                Call(
                    "appmesh",
                    "CreateVirtualRouter",
                    vs,
                    {
                        "meshName": "kumoben",
                        "virtualRouterName": vs,
                        "spec": {
                            "listeners": [
                                {"portMapping": {"port": CONTAINER_PORT, "protocol": "http"}}
                            ]
                        },
                    },
                )
            )
            http_route: dict[str, Any] = {
                "match": {"prefix": "/"},
                "action": {
                    "weightedTargets": [
                        {"virtualNode": t["virtual_node"], "weight": int(t["weight"])}
                        for t in route
                    ]
                },
                "retryPolicy": {
                    "maxRetries": int(retry["num_retries"]),
                    "perRetryTimeout": {"unit": "s", "value": 15},
                    "httpRetryEvents": [
                        e for e in retry["retry_on"] if e in ("server-error", "gateway-error")
                    ]
                    or ["server-error"],
                    "tcpRetryEvents": ["connection-error"],
                },
                "timeout": {
                    "perRequest": {
                        "unit": "s",
                        "value": self.whole("app_mesh.route_timeout_s", "AppMesh"),
                    },
                    "idle": {
                        "unit": "s",
                        "value": self.whole("app_mesh.idle_timeout_s", "AppMesh"),
                    },
                },
            }
            self.calls.append(
                Call(
                    "appmesh",
                    "CreateRoute",
                    vs,
                    {
                        "meshName": "kumoben",
                        "virtualRouterName": vs,
                        "routeName": vs,
                        "spec": {"httpRoute": http_route},
                    },
                )
            )
            self.calls.append(
                Call(
                    "appmesh",
                    "CreateVirtualService",
                    vs,
                    {
                        "meshName": "kumoben",
                        "virtualServiceName": f"{vs}.{DNS_NAMESPACE}",
                        "spec": {"provider": {"virtualRouter": {"virtualRouterName": vs}}},
                    },
                )
            )
        self.comment(
            "AppMesh",
            _(
                "retryPolicy: the simulation retried on %(events)s %(codes)s; App Mesh named these"
                " as httpRetryEvents/tcpRetryEvents"
            )
            % {
                "events": _plain(retry["retry_on"]),
                "codes": _plain(retry.get("retriable_status_codes", [])),
            },
        )
        for spec in self.services:
            name = spec["name"]
            api = self.common_service(spec)
            if name in self.called:
                api["serviceRegistries"] = [
                    {
                        "registryArn": f"arn:aws:servicediscovery:{REGION}:{ACCOUNT}:service/"
                        f"srv-EXAMPLE-{name}"
                    }
                ]
            self.add_service(spec, api)

    def add_service(self, spec: dict[str, Any], api: dict[str, Any]) -> None:
        name = spec["name"]
        lid = logical(name)
        # The grace period holds load balancer and container health checks alike (ECS-SVC).
        if "loadBalancers" not in api:
            if self.value("ecs.container_health_check"):
                api["healthCheckGracePeriodSeconds"] = self.whole(
                    "ecs.health_check_grace_period_s", f"Service{lid}"
                )
            elif self.value("ecs.health_check_grace_period_s"):
                self.comment(
                    f"Service{lid}",
                    _(
                        "ecs.health_check_grace_period_s: unused with neither a load balancer nor"
                        " a container health check"
                    ),
                )
        td = self.task_definition(name)
        self.calls.append(Call("ecs", "RegisterTaskDefinition", name, td))
        self.calls.append(Call("ecs", "CreateService", name, api))
        if self.pattern == "app-mesh":
            return
        self.parameters[f"{lid}Image"] = {
            "Type": "String",
            "Default": td["containerDefinitions"][0]["image"],
        }
        self.resources[f"TaskDefinition{lid}"] = {
            "Type": "AWS::ECS::TaskDefinition",
            "Properties": _cfn_keys(dict(td), image_ref=f"{lid}Image"),
        }
        props = _cfn_keys({k: v for k, v in api.items() if k not in ("taskDefinition",)})
        props["Cluster"] = {"Ref": "Cluster"}
        props["TaskDefinition"] = {"Ref": f"TaskDefinition{lid}"}
        props["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"] = {"Ref": "Subnets"}
        props["NetworkConfiguration"]["AwsvpcConfiguration"]["SecurityGroups"] = {
            "Ref": "SecurityGroups"
        }
        resource: dict[str, Any] = {"Type": "AWS::ECS::Service", "Properties": props}
        for lb in props.get("LoadBalancers", []):
            bg = "AdvancedConfiguration" in lb
            lb["TargetGroupArn"] = {"Ref": f"TargetGroup{lid}{'Blue' if bg else ''}"}
            rule = f"Listener{lid}" if self.wire.nlb else f"Rule{lid}"
            if not bg:
                resource["DependsOn"] = [rule]
            else:
                adv = lb["AdvancedConfiguration"]
                adv["AlternateTargetGroupArn"] = {"Ref": f"TargetGroup{lid}Green"}
                adv["ProductionListenerRule"] = {"Ref": rule}
                adv["RoleArn"] = {"Ref": "EcsInfrastructureRoleArn"}
                if "TestListenerRule" in adv:
                    adv["TestListenerRule"] = {"Ref": f"TestRule{lid}"}
        for registry in props.get("ServiceRegistries", []):
            registry["RegistryArn"] = {"Fn::GetAtt": [f"CloudMap{lid}", "Arn"]}
        if "ServiceConnectConfiguration" in props:
            props["ServiceConnectConfiguration"]["Namespace"] = {"Fn::GetAtt": ["Namespace", "Arn"]}
        alarms = props.get("DeploymentConfiguration", {}).get("Alarms")
        if alarms:
            self.alarm_resource(spec["name"])
            alarms["AlarmNames"] = [{"Ref": f"Alarm{lid}"}]
        self.resources[f"Service{lid}"] = resource

    def alarm_resource(self, name: str) -> None:
        lid = logical(name)
        alarm = self.deploy_quiet(name)["alarm"]  # type: ignore[index]
        if self.pattern == "elb":
            namespace = "AWS/ApplicationELB"
            dims = [
                {
                    "Name": "TargetGroup",
                    "Value": {"Fn::GetAtt": [f"TargetGroup{lid}Green", "TargetGroupFullName"]},
                },
                {
                    "Name": "LoadBalancer",
                    "Value": {"Fn::GetAtt": ["LoadBalancer", "LoadBalancerFullName"]},
                },
            ]
        else:
            namespace = "AWS/ECS"
            dims = [
                {"Name": "ClusterName", "Value": {"Ref": "Cluster"}},
                {"Name": "ServiceName", "Value": name},
                {"Name": "DiscoveryName", "Value": name},
            ]
            self.comment(
                f"Alarm{lid}",
                _(
                    "Service Connect's metrics are per service, not per revision: this alarm"
                    " watches blue and green together (the simulation watched green only)"
                ),
            )

        def metric(mid: str, metric_name: str) -> dict[str, Any]:
            return {
                "Id": mid,
                "ReturnData": False,
                "MetricStat": {
                    "Metric": {
                        "Namespace": namespace,
                        "MetricName": metric_name,
                        "Dimensions": dims,
                    },
                    "Period": 60,
                    "Stat": "Sum",
                },
            }

        self.resources[f"Alarm{lid}"] = {
            "Type": "AWS::CloudWatch::Alarm",
            "Properties": {
                "AlarmName": self.alarm_name(name),
                "ComparisonOperator": "GreaterThanThreshold",
                "Threshold": float(alarm["error_rate_percent"]),
                "EvaluationPeriods": max(1, math.ceil(alarm["for_s"] / 60)),
                "TreatMissingData": "notBreaching",
                "Metrics": [
                    metric("errors", "HTTPCode_Target_5XX_Count"),
                    metric("requests", "RequestCount"),
                    {
                        "Id": "rate",
                        "Expression": "100 * errors / requests",
                        "Label": "error rate (%)",
                        "ReturnData": True,
                    },
                ],
            },
        }

    # ------------------------------------------------------------------ the whole

    def build(self) -> Config:
        self.collect_notes()
        # A ``set`` action changes a setting during the run: the fields show the starting values.
        for action in self.s["actions"]:
            if action["do"] == "set":
                self.comment(
                    "Scenario",
                    _(
                        "at %(at)s s the scenario sets %(setting)s = %(value)s (an update call"
                        " then); the fields show the values it starts with"
                    )
                    % {
                        "at": _plain(action["at_s"]),
                        "setting": action["setting"],
                        "value": _plain(action["value"]),
                    },
                )
        self.parameters.update(
            {
                "Cluster": {"Type": "String", "Default": "kumoben"},
                "Subnets": {"Type": "List<AWS::EC2::Subnet::Id>"},
                "SecurityGroups": {"Type": "List<AWS::EC2::SecurityGroup::Id>"},
            }
        )
        if self.pattern == "elb":
            self.elb()
        elif self.pattern == "service-discovery":
            self.service_discovery()
        elif self.pattern == "service-connect":
            self.service_connect()
        else:
            self.app_mesh()
            return Config(self.pattern, self.calls, self.notes, None, self.comments, True)
        template = {
            "AWSTemplateFormatVersion": "2010-09-09",
            "Description": f"Kumoben sample system, {self.pattern} pattern"
            f" (scenario {self.s.get('name', 'custom')})",
            "Parameters": self.parameters,
            "Resources": self.resources,
        }
        return Config(self.pattern, self.calls, self.notes, template, self.comments)


def _cfn_forward(lid: str, bg: bool) -> dict[str, Any]:
    if not bg:
        return {"Type": "forward", "TargetGroupArn": {"Ref": f"TargetGroup{lid}"}}
    return {
        "Type": "forward",
        "ForwardConfig": {
            "TargetGroups": [
                {"TargetGroupArn": {"Ref": f"TargetGroup{lid}Blue"}, "Weight": 100},
                {"TargetGroupArn": {"Ref": f"TargetGroup{lid}Green"}, "Weight": 0},
            ]
        },
    }


#: API keys whose CloudFormation name is not the capitalized API name.
_CFN_RENAME = {"family": "Family", "serviceName": "ServiceName"}


def _cfn_keys(value: Any, image_ref: str = "") -> Any:
    """The ECS API's camelCase input as CloudFormation's PascalCase properties."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key, item in value.items():
            new = key[:1].upper() + key[1:]
            if key == "image" and image_ref and value.get("name") == CONTAINER:
                out[new] = {"Ref": image_ref}
            elif key in ("clientAliases", "testTrafficRules") or isinstance(item, (dict, list)):
                out[new] = _cfn_keys(item, image_ref)
            else:
                out[new] = item
        return out
    if isinstance(value, list):
        return [_cfn_keys(v, image_ref) for v in value]
    return value


def generate(scenario: dict[str, Any], wire: Wire = Wire()) -> Config:
    """The configuration for a normalized scenario (``Scenario.to_dict()``); ``wire`` says how the
    services are reached where the engine does not model it (protocol, load balancer type and
    scheme; the defaults are what it runs)."""
    return _Builder(scenario, wire).build()


def _listener(port: int) -> dict[str, Any]:
    """An HTTP listener of the load balancer whose default answer is 404 (rules forward)."""
    return {
        "Type": "AWS::ElasticLoadBalancingV2::Listener",
        "Properties": {
            "LoadBalancerArn": {"Ref": "LoadBalancer"},
            "Protocol": "HTTP",
            "Port": port,
            "DefaultActions": [_not_found()],
        },
    }


def _not_found() -> dict[str, Any]:
    """A listener's default answer: 404 (its rules forward)."""
    return {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "404"}}
