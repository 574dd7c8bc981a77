"""Scenario schema: parse, validate with clear errors, fill every default, built-in scenarios.

A scenario is JSON::

    {
      "name": "kill-task",                 # optional label
      "pattern": "elb",                    # elb | app-mesh | service-discovery | service-connect
      "seed": 1,                           # the run's only source of randomness
      "duration_s": 300,                   # virtual seconds, 0 < d <= 86,400
      "arrivals": "poisson",               # poisson (default) | uniform
      "services": [{"name": "inventory", "tasks": 3, "azs": [...], "app_start_s": 0}],
      "traffic": [{"from": "contract", "to": "inventory", "rps": 10}],
      "settings": {"alb": {"deregistration_delay_s": 30}},
      "actions": [{"at_s": 60, "do": "kill_task", "task": "inventory-2"}]
    }

Without ``services`` the sample system is used: ``user``, ``contract``, ``inventory`` and ``billing``,
three tasks each over the AZs ``ap-northeast-1a/1c/1d``, with traffic user→contract,
contract→inventory and contract→billing at 10 requests/s each. Task ids are ``<service>-<n>`` with n
from 1; tasks started later (replacements, scale-out, deployments) continue the numbering.

Settings (``settings.<component>.<key>``; the normalized scenario lists every one with its value):

app
  latency_ms (20)              mean app response time; each answer takes 50-150 % of it. Model choice.
ecs
  stop_timeout_s (30)          SIGKILL this long after SIGTERM [ECS-TD].
  minimum_healthy_percent (100), maximum_percent (200)   rolling deployment bounds [ECS-SVC].
  task_start_s (10)            PENDING -> RUNNING time of a new task. Assumption.
  deregister_after_stop_s (5)  lag between a task dying and ECS deregistering it. Assumption
                               (UNCONFIRMED in AWS docs).
  lost_task_timeout_s (60)     how long ECS waits before replacing tasks cut off by an AZ outage.
                               Assumption.
  health_check_grace_period_s (0)   ELB/container health ignored this long after RUNNING [ECS-SVC];
                               a task still unhealthy when it ends is replaced then.
  container_health_check (true)     the sample task definition has a container health check.
                               Assumption about the sample system. It decides when a deployment
                               counts a new task healthy: its health status HEALTHY (first passing
                               check), plus its target behind an ALB; without it, the target alone
                               (ELB) or 40 s after RUNNING (the others) [ECS-SVC].
  container_health_interval_s (30), container_health_timeout_s (5), container_health_retries (3)
                               [ECS-TD]. Only refuse/fail/slow with "health_check": true fail it:
                               it runs inside the task, so a network black hole does not. Checks
                               start one interval after RUNNING, before the app answers.
  container_health_start_period_s (0 = off, 0-300)   the task definition's healthCheck.startPeriod:
                               failures this long after RUNNING do not count; a pass ends it [ECS-TD].
  depends_on_healthy (false)   a small container with dependsOn {app, condition HEALTHY}: a new
                               task stays PENDING (registered nowhere, held) until its app
                               container's first passing check; start and grace periods count
                               from when its containers start. Needs container_health_check
                               [ECS-TD, CR-2334; UNCONFIRMED details in the assumptions].
alb
  health_check_interval_s (30, 5-300), health_check_timeout_s (5, 2-120, below the interval),
  healthy_threshold (5, 2-10), unhealthy_threshold (2, 2-10)   [ALB-HC]
  deregistration_delay_s (300, 0-3600) [ALB-TG]
  algorithm (round_robin | least_outstanding_requests | weighted_random) [ALB-TG, ATW]
  slow_start_s (0 = off, or 30-900; not with least_outstanding_requests) [ALB-TG]
  idle_timeout_s (60, 1-4000) [ALB-LB]. Fixed by AWS, not settings: target connect timeout 10 s
  [ALB-TS], load balancer DNS TTL 60 s [ALB-TGH].
cloud_map
  dns_ttl_s (300)              record TTL; no API default, 300 s is the ECS tutorial's value.
                               Assumption [CM-API, ECS-SDTUT].
  routing_policy (MULTIVALUE | WEIGHTED) [CM-API]; record_type (A | SRV) [CM-API]
  health_propagation_s (30)    custom health status takes effect this much later [CM-API].
  record_propagation_s (60)    Route 53 record changes reach the servers this much later; the
                               documented bound "within ~60 s" taken as the value. Assumption.
client (the application's own HTTP client: ELB and Service Discovery patterns)
  dns_cache (ttl | jvm_30s | forever) [JVM]: the caller's own cache, in front of the VPC
  resolver's cache (one per AZ, UNCONFIRMED), which honours the TTL and hands out what is left of
  it; caches start with seeded ages, so they expire at different times. A TTL caller keeps a changed
  record at most propagation + TTL after the change; jvm_30s up to 30 s more.
  retries (0) [ECS-SD: no component retries for you]
  timeout_s (0 = none) and connect_timeout_s (10): client library choices. Assumptions.
  ip_choice (random | first): which resolved IP the client uses. Assumption.
envoy (data plane of App Mesh and Service Connect)
  lb_policy (round_robin | least_request | random) [ENV-CL]; panic_threshold_percent (50) [ENV-PANIC]
  connect_timeout_s (5)        Envoy's cluster default; not in aws-semantics.md. Assumption.
  outlier_detection {consecutive_5xx 5, failure_window_s 30, interval_s 10,
                     base_ejection_time_s 30, max_ejection_time_s 300, max_ejection_percent 10}
                               Service Connect's proxy: 5 or more failures to one task within
                               30 s eject it for 30 s, longer on repeats, at most 300 s [SC-DG,
                               aws-facts-2026 3.9]. failure_window_s 0 = Envoy's consecutive-5xx
                               rule instead. Growth (30 s x ejections in a row), the 10 s sweep and
                               10 % cap are Envoy's defaults, assumed [ENV-OD].
  retry_policy {num_retries 2, retry_on [connect-failure, refused-stream, retriable-status-codes],
                retriable_status_codes [503], avoid_previous_hosts true}   Service Connect's
                               retries: 2, a retry avoids hosts the request already tried [SC-DG,
                               aws-facts-2026 3.10]; which failures count is UNCONFIRMED [CR-1963].
app_mesh
  discovery (cloud_map | dns) [AM-VN]; eds_lag_s (5) control-plane push lag, assumption
  (UNCONFIRMED); dns_refresh_s (5) [ENV-DNS]; route_timeout_s (15), idle_timeout_s (300) [AM-RT]
  retry_policy: the default route retry policy, 2 retries on 503, connect-failure, refused-stream,
                reset [AM-DEF]
  outlier_detection (null = off) or {max_server_errors, interval_s, base_ejection_duration_s,
                max_ejection_percent}, all four required [AM-API-OD]
  routes {virtual service: [{virtual_node, weight}]}   weighted targets; virtual nodes are ECS
                services. A virtual service without a route goes to the service of that name.
service_connect
  per_request_timeout_s (15) [CM-TO, CR-1958; assumption]; idle_timeout_s (300) [SC-API-TO];
  drain_s (20) [SC-AGENT]; endpoint_lag_s (5) endpoint removal push lag, assumption (UNCONFIRMED).
trace
  request_sample_every (100): every Nth request gets hop-by-hop events. Metrics count all requests.

Settable in AWS? Each setting declares it in :data:`IN_AWS`: ``settable`` names the API field
(``TargetGroup attribute deregistration_delay.timeout_seconds``,
``ServiceConnectService.timeout.perRequestTimeoutSeconds``, ``DnsRecord.TTL``, ...); ``fixed`` says
what AWS runs instead (Service Connect's retry policy, outlier detection and load balancing are
``envoy.*`` here: fixed; of Service Connect only the timeouts, client aliases, test-traffic rules
and TLS are settable); ``client`` is the calling application's own code; ``model`` is the sample
system. App Mesh's route retry policy and outlier detection were settable (``app_mesh.*``) until
App Mesh's end of support on 2026-09-30. A fixed value stays a setting, but changing it (in
``settings`` or by a ``set`` action) is a *what-if*, not possible in real ECS: the normalized
scenario lists each as ``what_if: [{setting, value, default, fixed_by_aws, at_s?}]``.

Actions (``at_s`` >= 0, ``do``, then the target and parameters):
kill_task / stop_task / refuse_task / blackhole_task / recover_task {task};
slow_task {task, delay_ms, health_check=false}; fail_task {task, status=500, probability=1.0,
health_check=false}; az_outage / az_recover {az}; scale {service, count} (scale-in stops tasks in
the AZ with the most, ties the newest); deploy {service} (old tasks stop in the AZ with the most,
ties the oldest; over an unfinished deployment it supersedes that one: the newest revision wins);
deploy {service, strategy: blue_green | linear | canary, bake_time_min, step_percent,
step_bake_time_min, canary_percent, canary_bake_time_min, alarm} (see ``deployments.py``; refused
under Service Discovery and App Mesh); rollback {service};
set {setting: "alb.deregistration_delay_s", value}; add_service {service: {name, tasks, azs,
app_start_s}, traffic: [{from, to, rps}]} creates a service (and its traffic) during the run; later
actions may name it only from then on. Service Connect clients started before it cannot reach it
until replaced.
A traffic entry with ``"test": true`` carries the blue/green test header.

``set`` changes a setting from its time on: ALB, client timeout/retry and ECS values act at once;
``cloud_map.*`` applies to records and answers written afterwards; ``client.dns_cache`` to caches
created afterwards; ``envoy.*``, ``app_mesh.*`` (except ``routes``, which the control plane pushes at
once) and ``service_connect.*`` to proxies created afterwards, as Service Connect applies its
configuration at task start.

Rules across settings: ``alb.health_check_timeout_s`` < ``alb.health_check_interval_s``;
``alb.slow_start_s`` is 0 or 30-900 and not with ``least_outstanding_requests``;
``app_mesh.outlier_detection`` needs ``app_mesh.discovery`` cloud_map;
``envoy.outlier_detection.max_ejection_time_s`` >= ``base_ejection_time_s``;
``ecs.container_health_timeout_s`` < ``ecs.container_health_interval_s``;
``ecs.depends_on_healthy`` needs ``ecs.container_health_check``. ``set`` actions are
checked against these rules in time order when the scenario loads.

Limits: no negative time, at most 1,000 tasks, at most 10,000 requests/s, at most 24 h.
Unknown keys are rejected. Errors are :class:`ScenarioError` with a JSON path and a reason.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .deployments import ASSUMPTIONS as DEPLOY_ASSUMPTIONS
from .deployments import DEPLOY_KEYS, normalize_deploy, refusal
from .errors import FieldError

PATTERNS: tuple[str, ...] = ("elb", "app-mesh", "service-discovery", "service-connect")
AZS: tuple[str, ...] = ("ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d")
MAX_TASKS = 1000
MAX_RPS = 10_000.0
MAX_DURATION_S = 86_400.0
MAX_APP_START_S = 3600.0
MAX_SEED = 2**63 - 1
ARRIVALS = ("poisson", "uniform")

_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
_TASK_RE = re.compile(r"^([a-z][a-z0-9-]*)-([1-9][0-9]{0,5})$")


class ScenarioError(FieldError):
    """A scenario is invalid; ``path`` (also ``field``) is a JSON path, ``reason`` says why."""

    @property
    def path(self) -> str:
        return self.field


# --------------------------------------------------------------------------- value checks


def check_number(value: Any, path: str, lo: float, hi: float, integer: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(path, f"must be a number, got {type(value).__name__}")
    if integer and not (isinstance(value, int) or float(value).is_integer()):
        raise ScenarioError(path, f"must be a whole number, got {value}")
    if value != value or value < lo or value > hi:  # value != value catches NaN
        raise ScenarioError(path, f"must be between {lo:g} and {hi:g}, got {value}")
    return float(value)


def _choice(value: Any, path: str, choices: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in choices:
        raise ScenarioError(path, f"must be one of {', '.join(choices)}; got {value!r}")
    return value


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioError(path, f"must be an object, got {type(value).__name__}")
    return value


def _sequence(value: Any, path: str) -> list[Any]:
    if not isinstance(value, list):
        raise ScenarioError(path, f"must be a list, got {type(value).__name__}")
    return value


def _keys(
    data: Mapping[str, Any], path: str, allowed: tuple[str, ...], required: tuple[str, ...]
) -> None:
    for key in data:
        if key not in allowed:
            where = f"{path}.{key}" if path else str(key)
            raise ScenarioError(where, f"unknown key; allowed: {', '.join(allowed)}")
    for key in required:
        if key not in data:
            where = f"{path}.{key}" if path else key
            raise ScenarioError(where, "is required")


def _bool(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ScenarioError(path, f"must be true or false, got {value!r}")
    return value


# --------------------------------------------------------------------------- settings schema


#: Who sets a value in real AWS (``InAws.kind``): an AWS API field the user sets; a value AWS
#: runs for you and offers no field for; the calling application's own code or runtime (its HTTP
#: client, DNS cache); the simulation's model of the sample system, not part of AWS at all.
SETTABLE, FIXED, CLIENT, MODEL = "settable", "fixed", "client", "model"
AWS_KINDS: tuple[str, ...] = (SETTABLE, FIXED, CLIENT, MODEL)

APP_MESH_RETIRED = "App Mesh reached end of support on 2026-09-30: no longer settable in real AWS"


@dataclass(frozen=True)
class InAws:
    """Whether real AWS lets a user set a setting: ``kind`` is one of :data:`AWS_KINDS`; ``api``
    names the API field (settable; a note may follow "; ") or says what decides the value
    instead (fixed, client, model); ``patterns`` limits the entry to those patterns (empty:
    every pattern that reads the setting)."""

    kind: str
    api: str
    patterns: tuple[str, ...] = ()


#: (lo, hi, whole number) of a number the engine accepts.
Bounds = tuple[float, float, bool]


@dataclass(frozen=True)
class Setting:
    """One setting: its default, how to check a value, where the default comes from, and (from
    :data:`IN_AWS`) whether real AWS lets a user set it."""

    default: Any
    check: Callable[[Any, str], Any]
    source: str
    assumption: str = ""
    aws: tuple[InAws, ...] = ()
    #: A number's accepted range: ``{"": (lo, hi, whole)}``; an object's numbers by key.
    bounds: Mapping[str, Bounds] = field(default_factory=dict)

    def in_aws(self, pattern: str) -> InAws | None:
        """The entry that applies under ``pattern`` (None: the pattern does not read it)."""
        for entry in self.aws:
            if not entry.patterns or pattern in entry.patterns:
                return entry
        return None


def _num_setting(
    default: float, lo: float, hi: float, source: str, assumption: str = "", integer: bool = False
) -> Setting:
    def check(value: Any, path: str) -> Any:
        number = check_number(value, path, lo, hi, integer)
        return int(number) if integer else number

    value = int(default) if integer else float(default)
    return Setting(value, check, source, assumption, bounds={"": (lo, hi, integer)})


def _choice_setting(
    default: str, choices: tuple[str, ...], source: str, assumption: str = ""
) -> Setting:
    return Setting(default, lambda v, p: _choice(v, p, choices), source, assumption)


def _bool_setting(default: bool, source: str, assumption: str = "") -> Setting:
    return Setting(default, _bool, source, assumption)


ENVOY_OUTLIER_BOUNDS: dict[str, Bounds] = {
    "consecutive_5xx": (1, 1000, True),
    "failure_window_s": (0, 3600, False),
    "interval_s": (0.1, 3600, False),
    "base_ejection_time_s": (0.1, 3600, False),
    "max_ejection_time_s": (0.1, 86400, False),
    "max_ejection_percent": (0, 100, False),
}
APP_MESH_OUTLIER_BOUNDS: dict[str, Bounds] = {
    "max_server_errors": (1, 1000, True),
    "interval_s": (0.1, 3600, False),
    "base_ejection_duration_s": (0.1, 3600, False),
    "max_ejection_percent": (0, 100, False),
}
RETRY_BOUNDS: dict[str, Bounds] = {"num_retries": (0, 10, True)}


def _check_outlier_envoy(value: Any, path: str) -> Any:
    data = _mapping(value, path)
    fields = ENVOY_OUTLIER_BOUNDS
    _keys(data, path, tuple(fields), ())
    out: dict[str, Any] = dict(ENVOY_OUTLIER_DEFAULTS)
    for key, (lo, hi, integer) in fields.items():
        if key in data:
            number = check_number(data[key], f"{path}.{key}", lo, hi, integer)
            out[key] = int(number) if integer else number
    return out


def _check_outlier_app_mesh(value: Any, path: str) -> Any:
    if value is None:
        return None
    data = _mapping(value, path)
    fields = APP_MESH_OUTLIER_BOUNDS
    _keys(data, path, tuple(fields), tuple(fields))  # App Mesh has no defaults: all required
    out: dict[str, Any] = {}
    for key, (lo, hi, integer) in fields.items():
        number = check_number(data[key], f"{path}.{key}", lo, hi, integer)
        out[key] = int(number) if integer else number
    return out


RETRY_ON = (
    "5xx",
    "gateway-error",
    "reset",
    "connect-failure",
    "refused-stream",
    "retriable-status-codes",
)


def _check_retry(default: Mapping[str, Any]) -> Callable[[Any, str], Any]:
    def check(value: Any, path: str) -> Any:
        data = _mapping(value, path)
        _keys(data, path, tuple(default), ())
        out: dict[str, Any] = copy.deepcopy(dict(default))
        if "avoid_previous_hosts" in data:
            out["avoid_previous_hosts"] = _bool(
                data["avoid_previous_hosts"], f"{path}.avoid_previous_hosts"
            )
        if "num_retries" in data:
            lo, hi, _whole = RETRY_BOUNDS["num_retries"]
            out["num_retries"] = int(
                check_number(data["num_retries"], f"{path}.num_retries", lo, hi, True)
            )
        if "retry_on" in data:
            items = _sequence(data["retry_on"], f"{path}.retry_on")
            out["retry_on"] = [
                _choice(v, f"{path}.retry_on[{i}]", RETRY_ON) for i, v in enumerate(items)
            ]
        if "retriable_status_codes" in data:
            codes = _sequence(data["retriable_status_codes"], f"{path}.retriable_status_codes")
            out["retriable_status_codes"] = [
                int(check_number(v, f"{path}.retriable_status_codes[{i}]", 100, 599, True))
                for i, v in enumerate(codes)
            ]
        return out

    return check


def _check_routes(value: Any, path: str) -> Any:
    data = _mapping(value, path)
    out: dict[str, list[dict[str, Any]]] = {}
    for name, targets in data.items():
        where = f"{path}.{name}"
        if not isinstance(name, str) or not _NAME_RE.match(name):
            raise ScenarioError(where, "virtual service names are lower-case service names")
        items = _sequence(targets, where)
        if not items:
            raise ScenarioError(where, "a route needs at least one weighted target")
        route: list[dict[str, Any]] = []
        total = 0
        for i, item in enumerate(items):
            spot = f"{where}[{i}]"
            target = _mapping(item, spot)
            _keys(target, spot, ("virtual_node", "weight"), ("virtual_node", "weight"))
            node = target["virtual_node"]
            if not isinstance(node, str) or not _NAME_RE.match(node):
                raise ScenarioError(f"{spot}.virtual_node", "must name an ECS service")
            weight = int(check_number(target["weight"], f"{spot}.weight", 0, 100, True))
            route.append({"virtual_node": node, "weight": weight})
            total += weight
        if total <= 0:
            raise ScenarioError(where, "the weights must not all be zero")
        out[name] = route
    return out


ENVOY_OUTLIER_DEFAULTS: dict[str, Any] = {
    "consecutive_5xx": 5,
    "failure_window_s": 30.0,
    "interval_s": 10.0,
    "base_ejection_time_s": 30.0,
    "max_ejection_time_s": 300.0,
    "max_ejection_percent": 10.0,
}
SERVICE_CONNECT_RETRY_DEFAULT: dict[str, Any] = {
    "num_retries": 2,
    "retry_on": ["connect-failure", "refused-stream", "retriable-status-codes"],
    "retriable_status_codes": [503],
    "avoid_previous_hosts": True,
}
APP_MESH_RETRY_DEFAULT: dict[str, Any] = {
    "num_retries": 2,
    "retry_on": ["connect-failure", "refused-stream", "reset", "retriable-status-codes"],
    "retriable_status_codes": [503],
}

_UNCONFIRMED = "not documented by AWS (UNCONFIRMED); a plausible value is modelled"

SETTINGS: dict[str, dict[str, Setting]] = {
    "app": {
        "latency_ms": _num_setting(
            20,
            0.1,
            60_000,
            "model",
            "the sample application answers in 20 ms on average (50-150 %)",
        ),
    },
    "ecs": {
        "stop_timeout_s": _num_setting(30, 0, 120, "ECS-TD"),
        "minimum_healthy_percent": _num_setting(100, 0, 100, "ECS-SVC", integer=True),
        "maximum_percent": _num_setting(200, 100, 200, "ECS-SVC", integer=True),
        "task_start_s": _num_setting(
            10, 0, 600, "model", "a new task takes 10 s from PENDING to RUNNING (image pull, ENI)"
        ),
        "deregister_after_stop_s": _num_setting(
            5, 0, 300, "ECS-TL", f"ECS deregisters a dead task 5 s after it stops; {_UNCONFIRMED}"
        ),
        "lost_task_timeout_s": _num_setting(
            60,
            0,
            3600,
            "ECS-SCHED",
            f"ECS replaces tasks cut off by an AZ outage after 60 s; {_UNCONFIRMED}",
        ),
        "health_check_grace_period_s": _num_setting(0, 0, 7200, "ECS-SVC"),
        "container_health_check": _bool_setting(
            True, "ECS-TD", "the sample task definitions define a container health check"
        ),
        "container_health_interval_s": _num_setting(30, 5, 300, "ECS-TD"),
        "container_health_timeout_s": _num_setting(5, 2, 60, "ECS-TD"),
        "container_health_retries": _num_setting(3, 1, 10, "ECS-TD", integer=True),
        "container_health_start_period_s": _num_setting(0, 0, 300, "ECS-TD"),
        "depends_on_healthy": _bool_setting(False, "ECS-TD, CR-2334"),
    },
    "alb": {
        "health_check_interval_s": _num_setting(30, 5, 300, "ALB-HC"),
        "health_check_timeout_s": _num_setting(5, 2, 120, "ALB-HC"),
        "healthy_threshold": _num_setting(5, 2, 10, "ALB-HC", integer=True),
        "unhealthy_threshold": _num_setting(2, 2, 10, "ALB-HC", integer=True),
        "deregistration_delay_s": _num_setting(300, 0, 3600, "ALB-TG"),
        "algorithm": _choice_setting(
            "round_robin",
            ("round_robin", "least_outstanding_requests", "weighted_random"),
            "ALB-TG",
        ),
        "slow_start_s": _num_setting(0, 0, 900, "ALB-TG"),
        "idle_timeout_s": _num_setting(60, 1, 4000, "ALB-LB"),
    },
    "cloud_map": {
        "dns_ttl_s": _num_setting(
            300,
            0,
            86_400,
            "CM-API, ECS-SDTUT",
            "the record TTL has no API default; the ECS tutorial's 300 s",
        ),
        "routing_policy": _choice_setting("MULTIVALUE", ("MULTIVALUE", "WEIGHTED"), "CM-API"),
        "record_type": _choice_setting("A", ("A", "SRV"), "CM-API"),
        "health_propagation_s": _num_setting(30, 0, 300, "CM-API"),
        "record_propagation_s": _num_setting(
            60,
            0,
            60,
            "R53-ELB",
            "Route 53 changes propagate 'within ~60 s'; the bound is used as the value",
        ),
    },
    "client": {
        "dns_cache": _choice_setting("ttl", ("ttl", "jvm_30s", "forever"), "JVM"),
        "retries": _num_setting(0, 0, 10, "ECS-SD", integer=True),
        "timeout_s": _num_setting(
            0, 0, 3600, "model", "the client library has no response timeout by default (0 = none)"
        ),
        "connect_timeout_s": _num_setting(
            10, 0.1, 300, "model", "the client library gives up connecting after 10 s"
        ),
        "ip_choice": _choice_setting(
            "random", ("random", "first"), "model", "the client uses a random IP of the DNS answer"
        ),
    },
    "envoy": {
        "lb_policy": _choice_setting(
            "round_robin", ("round_robin", "least_request", "random"), "ENV-CL"
        ),
        "panic_threshold_percent": _num_setting(50, 0, 100, "ENV-PANIC"),
        "connect_timeout_s": _num_setting(
            5,
            0.1,
            300,
            "Envoy cluster.proto",
            "Envoy's 5 s cluster connect_timeout default is used",
        ),
        "outlier_detection": Setting(
            dict(ENVOY_OUTLIER_DEFAULTS),
            _check_outlier_envoy,
            "SC-DG, ENV-OD",
            "5 or more failures to a task within 30 s eject it for 30-300 s (documented); how the"
            " time grows (30 s x ejections in a row, at most 300 s), the 10 s sweep that returns"
            " hosts and the 10 % ejection cap are Envoy defaults (UNCONFIRMED for Service Connect)",
            bounds=ENVOY_OUTLIER_BOUNDS,
        ),
        "retry_policy": Setting(
            copy.deepcopy(SERVICE_CONNECT_RETRY_DEFAULT),
            _check_retry(SERVICE_CONNECT_RETRY_DEFAULT),
            "SC-DG, CR-1963",
            "2 retries that avoid the hosts already tried (documented); that 503 and connection"
            " failures are what is retried is UNCONFIRMED (users' reports)",
            bounds=RETRY_BOUNDS,
        ),
    },
    "app_mesh": {
        "discovery": _choice_setting("cloud_map", ("cloud_map", "dns"), "AM-VN"),
        "eds_lag_s": _num_setting(
            5,
            0,
            300,
            "AMR-151",
            f"the control plane pushes endpoint changes 5 s later; {_UNCONFIRMED}",
        ),
        "dns_refresh_s": _num_setting(5, 0.5, 300, "ENV-DNS"),
        "route_timeout_s": _num_setting(15, 0, 3600, "AM-RT"),
        "idle_timeout_s": _num_setting(300, 0, 86_400, "AM-RT"),
        "retry_policy": Setting(
            copy.deepcopy(APP_MESH_RETRY_DEFAULT),
            _check_retry(APP_MESH_RETRY_DEFAULT),
            "AM-DEF",
            bounds=RETRY_BOUNDS,
        ),
        "outlier_detection": Setting(
            None, _check_outlier_app_mesh, "AM-API-OD", bounds=APP_MESH_OUTLIER_BOUNDS
        ),
        "routes": Setting({}, _check_routes, "AM-RT"),
    },
    "service_connect": {
        "per_request_timeout_s": _num_setting(
            15,
            0,
            3600,
            "CM-TO, CR-1958",
            "the 15 s per-request timeout comes from secondary sources",
        ),
        "idle_timeout_s": _num_setting(300, 0, 86_400, "SC-API-TO"),
        "drain_s": _num_setting(20, 0, 300, "SC-AGENT"),
        "endpoint_lag_s": _num_setting(
            5,
            0,
            300,
            "SC-AGENT",
            f"endpoint changes reach client proxies 5 s later; {_UNCONFIRMED}",
        ),
    },
    "trace": {
        "request_sample_every": _num_setting(100, 1, 1_000_000, "model", integer=True),
    },
}

# --------------------------------------------------------------------------- settable in AWS?

_TD_HC = "TaskDefinition containerDefinitions[].healthCheck"
_CM_DNS = "Cloud Map Service DnsConfig"
_SC = "service-connect"
_SC_FIXED = "no Service Connect API field sets it"  # ServiceConnectService in the ECS API
_AM_ROUTE = "App Mesh Route spec.httpRoute"


def _in_aws(kind: str, api: str, *patterns: str) -> InAws:
    return InAws(kind, api, tuple(patterns))


#: Whether real AWS lets a user set each setting (``component.key``); a setting missing here fails
#: tests/sim/test_settable.py. Several entries for one setting differ by pattern.
IN_AWS: dict[str, tuple[InAws, ...]] = {
    "app.latency_ms": (_in_aws(MODEL, "the sample application's response time; your code's"),),
    "ecs.stop_timeout_s": (_in_aws(SETTABLE, "TaskDefinition containerDefinitions[].stopTimeout"),),
    "ecs.minimum_healthy_percent": (
        _in_aws(SETTABLE, "Service deploymentConfiguration.minimumHealthyPercent"),
    ),
    "ecs.maximum_percent": (_in_aws(SETTABLE, "Service deploymentConfiguration.maximumPercent"),),
    "ecs.task_start_s": (
        _in_aws(MODEL, "depends on the image and the capacity; no API field sets it"),
    ),
    "ecs.deregister_after_stop_s": (
        _in_aws(FIXED, "ECS deregisters a stopped task on its own schedule; no API field"),
    ),
    "ecs.lost_task_timeout_s": (
        _in_aws(FIXED, "ECS decides when to replace tasks of an unreachable AZ; no API field"),
    ),
    "ecs.health_check_grace_period_s": (
        _in_aws(SETTABLE, "Service healthCheckGracePeriodSeconds"),
    ),
    "ecs.container_health_check": (_in_aws(SETTABLE, f"{_TD_HC}; defined or not"),),
    "ecs.container_health_interval_s": (_in_aws(SETTABLE, f"{_TD_HC}.interval"),),
    "ecs.container_health_timeout_s": (_in_aws(SETTABLE, f"{_TD_HC}.timeout"),),
    "ecs.container_health_retries": (_in_aws(SETTABLE, f"{_TD_HC}.retries"),),
    "ecs.container_health_start_period_s": (_in_aws(SETTABLE, f"{_TD_HC}.startPeriod"),),
    "ecs.depends_on_healthy": (
        _in_aws(
            SETTABLE,
            "TaskDefinition containerDefinitions[].dependsOn; on a small extra container,"
            " [{containerName: app, condition: HEALTHY}] (the workaround of"
            " containers-roadmap#2334)",
        ),
    ),
    "alb.health_check_interval_s": (_in_aws(SETTABLE, "TargetGroup HealthCheckIntervalSeconds"),),
    "alb.health_check_timeout_s": (_in_aws(SETTABLE, "TargetGroup HealthCheckTimeoutSeconds"),),
    "alb.healthy_threshold": (_in_aws(SETTABLE, "TargetGroup HealthyThresholdCount"),),
    "alb.unhealthy_threshold": (_in_aws(SETTABLE, "TargetGroup UnhealthyThresholdCount"),),
    "alb.deregistration_delay_s": (
        _in_aws(SETTABLE, "TargetGroup attribute deregistration_delay.timeout_seconds"),
    ),
    "alb.algorithm": (_in_aws(SETTABLE, "TargetGroup attribute load_balancing.algorithm.type"),),
    "alb.slow_start_s": (_in_aws(SETTABLE, "TargetGroup attribute slow_start.duration_seconds"),),
    "alb.idle_timeout_s": (
        _in_aws(SETTABLE, "LoadBalancer attribute idle_timeout.timeout_seconds"),
    ),
    "cloud_map.dns_ttl_s": (_in_aws(SETTABLE, f"{_CM_DNS}.DnsRecords[].TTL"),),
    "cloud_map.routing_policy": (_in_aws(SETTABLE, f"{_CM_DNS}.RoutingPolicy"),),
    "cloud_map.record_type": (_in_aws(SETTABLE, f"{_CM_DNS}.DnsRecords[].Type"),),
    "cloud_map.health_propagation_s": (
        _in_aws(
            FIXED,
            "Cloud Map applies a custom health status about 30 s after the update;"
            " HealthCheckCustomConfig.FailureThreshold is deprecated and always 1",
        ),
    ),
    "cloud_map.record_propagation_s": (
        _in_aws(FIXED, "Route 53 propagates record changes within about 60 s; no API field"),
    ),
    "client.dns_cache": (
        _in_aws(CLIENT, "your runtime's DNS cache (the JVM's networkaddress.cache.ttl, ...)"),
    ),
    "client.retries": (_in_aws(CLIENT, "your HTTP client's retries; no AWS component retries"),),
    "client.timeout_s": (_in_aws(CLIENT, "your HTTP client's response timeout"),),
    "client.connect_timeout_s": (_in_aws(CLIENT, "your HTTP client's connect timeout"),),
    "client.ip_choice": (_in_aws(CLIENT, "which IP of a DNS answer your client connects to"),),
    "envoy.lb_policy": (
        _in_aws(FIXED, f"the proxy balances round robin; {_SC_FIXED}", _SC),
        _in_aws(
            FIXED,
            "Envoy balanced round robin; App Mesh's API had no field for it"
            " (aws-app-mesh-roadmap#70)",
            "app-mesh",
        ),
    ),
    "envoy.panic_threshold_percent": (
        _in_aws(FIXED, "Envoy's default; neither Service Connect nor App Mesh exposes it"),
    ),
    "envoy.connect_timeout_s": (
        _in_aws(FIXED, "Envoy's cluster default; neither Service Connect nor App Mesh exposes it"),
    ),
    # App Mesh reads app_mesh.outlier_detection and app_mesh.retry_policy instead (settable there).
    "envoy.outlier_detection": (
        _in_aws(
            FIXED,
            f"outlier detection is always on with AWS's thresholds; {_SC_FIXED}",
            _SC,
        ),
    ),
    "envoy.retry_policy": (
        _in_aws(
            FIXED,
            f"the proxy retries twice, avoiding the host that just failed; {_SC_FIXED}",
            _SC,
        ),
    ),
    "app_mesh.discovery": (
        _in_aws(SETTABLE, f"App Mesh VirtualNode spec.serviceDiscovery; {APP_MESH_RETIRED}"),
    ),
    "app_mesh.eds_lag_s": (
        _in_aws(FIXED, "the App Mesh control plane pushes endpoints on its own schedule"),
    ),
    "app_mesh.dns_refresh_s": (
        _in_aws(FIXED, "Envoy's DNS refresh rate; App Mesh had no field for it"),
    ),
    "app_mesh.route_timeout_s": (
        _in_aws(SETTABLE, f"{_AM_ROUTE}.timeout.perRequest; {APP_MESH_RETIRED}"),
    ),
    "app_mesh.idle_timeout_s": (
        _in_aws(SETTABLE, f"{_AM_ROUTE}.timeout.idle; {APP_MESH_RETIRED}"),
    ),
    "app_mesh.retry_policy": (_in_aws(SETTABLE, f"{_AM_ROUTE}.retryPolicy; {APP_MESH_RETIRED}"),),
    "app_mesh.outlier_detection": (
        _in_aws(
            SETTABLE,
            f"App Mesh VirtualNode spec.listeners[].outlierDetection; {APP_MESH_RETIRED}",
        ),
    ),
    "app_mesh.routes": (
        _in_aws(SETTABLE, f"{_AM_ROUTE}.action.weightedTargets; {APP_MESH_RETIRED}"),
    ),
    "service_connect.per_request_timeout_s": (
        _in_aws(SETTABLE, "ServiceConnectService.timeout.perRequestTimeoutSeconds"),
    ),
    "service_connect.idle_timeout_s": (
        _in_aws(SETTABLE, "ServiceConnectService.timeout.idleTimeoutSeconds"),
    ),
    "service_connect.drain_s": (
        _in_aws(
            FIXED,
            "the agent drains for 20 s (LISTENER_DRAIN_WAIT_TIME_S); Service Connect has no"
            " setting for it",
        ),
    ),
    "service_connect.endpoint_lag_s": (
        _in_aws(FIXED, "ECS pushes endpoint changes to the proxies on its own schedule"),
    ),
    "trace.request_sample_every": (
        _in_aws(MODEL, "how many requests the simulation traces hop by hop; not part of AWS"),
    ),
}
for _path, _entries in IN_AWS.items():
    _component, _, _key = _path.partition(".")
    if _key in SETTINGS.get(_component, {}):
        SETTINGS[_component][_key] = replace(SETTINGS[_component][_key], aws=_entries)


#: Which setting components each pattern reads (the others are listed but unused).
PATTERN_COMPONENTS: dict[str, tuple[str, ...]] = {
    "elb": ("app", "ecs", "alb", "client", "trace"),
    "app-mesh": ("app", "ecs", "envoy", "app_mesh", "cloud_map", "trace"),
    "service-discovery": ("app", "ecs", "cloud_map", "client", "trace"),
    "service-connect": ("app", "ecs", "envoy", "service_connect", "trace"),
}

_CLOUD_MAP_HEALTH: dict[str, str] = {
    "setting": "ecs.container_health_check",
    "assumption": (
        "ECS sets the Cloud Map custom health UNHEALTHY when the container check fails its retries"
        " and HEALTHY when a check passes again, during the grace period too"
    ),
    "source": "ECS-SD, CM-API",
}

#: How names resolve for the patterns whose callers use DNS themselves (ELB, Service Discovery).
_DNS_ASSUMPTIONS: tuple[dict[str, str], ...] = (
    {
        "setting": "dns.resolver_cache",
        "assumption": (
            "the VPC resolver (AmazonProvidedDNS) caches an answer for its TTL and hands out what"
            " is left of it, so a caller honouring the TTL keeps a changed record at most one TTL"
            " after the change reaches Route 53 (propagation + TTL, not 2 x TTL); jvm_30s adds its"
            " 30 s. One resolver cache per AZ, returning records in the order it got them"
            " (UNCONFIRMED)"
        ),
        "source": "R53-ELB, CM-API, JVM",
    },
    {
        "setting": "dns.cache_phase",
        "assumption": (
            "the run starts with a system already up: each resolver cache holds an answer fetched"
            " at a seeded moment within the TTL before 0 s, each caller task running at 0 s one"
            " fetched within its own hold time; a task started later first resolves at its first"
            " request, so caches expire at different times"
        ),
        "source": "model",
    },
)

#: Model-level assumptions that are not a single setting's default.
MODEL_ASSUMPTIONS: dict[str, tuple[dict[str, str], ...]] = {
    "elb": (
        {
            "setting": "alb.retries",
            "assumption": "the ALB never retries a failed request internally (UNCONFIRMED)",
            "source": "ALB-TS",
        },
        {
            "setting": "ecs.replace_on_unhealthy",
            "assumption": "ECS replaces a target once every up ALB node reports it unhealthy",
            "source": "ECS-LB",
        },
        *_DNS_ASSUMPTIONS,
    ),
    "service-connect": (
        {
            "setting": "service_connect.outlier_detection",
            "assumption": "local-origin errors (timeouts, resets, refused) count as 5xx (Envoy non-split mode)",
            "source": "ENV-OD",
        },
    ),
    "app-mesh": (
        {
            "setting": "app_mesh.outlier_detection",
            "assumption": "local-origin errors (timeouts, resets, refused) count as server errors",
            "source": "ENV-OD",
        },
        _CLOUD_MAP_HEALTH,
        {
            "setting": "app_mesh.dns_refresh_s",
            "assumption": (
                "with DNS discovery Envoy's 5 s re-queries go to the VPC resolver's cache for its"
                " AZ, which applies the TTL (AMR-151) and returns records in the order it got them"
                " (UNCONFIRMED); its entries start with seeded ages"
            ),
            "source": "AMR-151, ENV-DNS",
        },
    ),
    "service-discovery": (_CLOUD_MAP_HEALTH, *_DNS_ASSUMPTIONS),
}
_COMMON_ASSUMPTIONS: tuple[dict[str, str], ...] = (
    {
        "setting": "actions.add_service",
        "assumption": (
            "a Service Connect client task knows the endpoints that existed when it started"
            " running (ECS-SC); under App Mesh the control plane pushes the"
            " new virtual node and service to every client Envoy without a redeploy (model)"
        ),
        "source": "ECS-SC",
    },
    {
        "setting": "actions.kill_task",
        "assumption": "a stopped task's IP no longer answers: connections to it time out",
        "source": "model",
    },
    {
        "setting": "actions.blackhole_task",
        "assumption": "a black-holed task drops packets, so connections to it time out",
        "source": "model",
    },
    {
        "setting": "actions.deploy",
        "assumption": (
            "a deploy over an unfinished one supersedes it: its tasks not yet healthy stop at once,"
            " its healthy ones within the rolling bounds, before the last finished revision's"
        ),
        "source": "model",
    },
    {
        "setting": "ecs.health_check_grace_period_s",
        "assumption": (
            "a task reported unhealthy (load balancer or container check) during its grace period"
            " is looked at again when the grace ends, and replaced then if it is still unhealthy"
        ),
        "source": "ECS-SVC",
    },
    {
        "setting": "ecs.container_health_check",
        "assumption": (
            "a rolling deployment, and a blue/green, linear or canary deployment's SCALE_UP, count a"
            " new task healthy only when everything ECS waits for holds: with a container health"
            " check, the task's health status HEALTHY (UNKNOWN until its first check passes,"
            " UNHEALTHY after the retries fail); behind a load balancer, also its target healthy;"
            " ECS never sees when the app itself answers (ECS-SVC: for minimumHealthyPercent ECS"
            " waits for the task's health and, with a load balancer, the target group's)"
        ),
        "source": "ECS-SVC, ECS-TD",
    },
    {
        "setting": "ecs.no_health_check_wait",
        "assumption": (
            "with no container health check and no load balancer, ECS counts a new task healthy"
            " 40 s after it is RUNNING, whether its app answers or not (the ECS minimumHealthyPercent"
            " description; not in the project's reference notes). Its health status stays UNKNOWN"
        ),
        "source": "ECS-SVC",
    },
    {
        "setting": "ecs.container_health_interval_s",
        "assumption": (
            "a new container's first health check runs one interval after the task is RUNNING"
            " (Docker's HEALTHCHECK rule), whether or not the app answers yet; a check before the"
            " app answers is refused and fails"
        ),
        "source": "ECS-TD",
    },
    {
        "setting": "ecs.depends_on_healthy",
        "assumption": (
            "with a container that dependsOn the app container HEALTHY, the task stays PENDING"
            " until the app's first passing health check, so no target group, Cloud Map service or"
            " Service Connect endpoint lists it before then (the workaround AWS gave in"
            " containers-roadmap#2334; that the task stays PENDING is UNCONFIRMED in AWS docs)."
            " A held task whose check fails its retries first is replaced like a RUNNING one,"
            " after the grace period (UNCONFIRMED: users report such tasks stuck in PENDING,"
            " containers-roadmap#2379). A held task makes no calls of its own (model)"
        ),
        "source": "ECS-TD, CR-2334",
    },
    {
        "setting": "actions.scale",
        "assumption": (
            "scale-in and rolling deployments stop tasks to keep the AZs balanced: one in the AZ"
            " with the most of the service's tasks (ECS-UPD); among AZs tied for the most,"
            " scale-in stops the newest task and a deployment the oldest old one (model)"
        ),
        "source": "ECS-UPD",
    },
)


def setting_spec(path: str, where: str) -> Setting:
    """The spec of ``component.key``; ``where`` is the JSON path used in errors."""
    component, _, key = path.partition(".")
    if component not in SETTINGS or key not in SETTINGS[component]:
        raise ScenarioError(where, f"unknown setting {path!r}")
    return SETTINGS[component][key]


def setting_bounds(path: str) -> Bounds | None:
    """The range the engine accepts for the number at ``component.key[.part]``
    (``envoy.outlier_detection.interval_s`` -> (0.1, 3600, False)); None when it is no number."""
    component, _, rest = path.partition(".")
    key, _, part = rest.partition(".")
    setting = SETTINGS.get(component, {}).get(key)
    return None if setting is None else setting.bounds.get(part)


def default_settings() -> dict[str, dict[str, Any]]:
    return {
        c: {k: copy.deepcopy(s.default) for k, s in keys.items()} for c, keys in SETTINGS.items()
    }


def _normalize_settings(raw: Any) -> dict[str, dict[str, Any]]:
    settings = default_settings()
    data = _mapping(raw, "settings")
    for component, values in data.items():
        if component not in SETTINGS:
            raise ScenarioError(
                f"settings.{component}", f"unknown component; allowed: {', '.join(SETTINGS)}"
            )
        items = _mapping(values, f"settings.{component}")
        for key, value in items.items():
            path = f"settings.{component}.{key}"
            if key not in SETTINGS[component]:
                allowed = ", ".join(SETTINGS[component])
                raise ScenarioError(path, f"unknown setting; allowed: {allowed}")
            settings[component][key] = SETTINGS[component][key].check(value, path)
    check_setting_combination(settings, "settings")
    return settings


def check_setting_combination(settings: Mapping[str, Mapping[str, Any]], where: str) -> None:
    """Rules that involve two settings at once."""
    alb = settings["alb"]
    if alb["health_check_timeout_s"] >= alb["health_check_interval_s"]:
        raise ScenarioError(
            f"{where}.alb.health_check_timeout_s",
            "must be shorter than alb.health_check_interval_s",
        )
    slow = alb["slow_start_s"]
    if slow and slow < 30:
        raise ScenarioError(f"{where}.alb.slow_start_s", "must be 0 (off) or between 30 and 900")
    if slow and alb["algorithm"] == "least_outstanding_requests":
        raise ScenarioError(
            f"{where}.alb.slow_start_s",
            "slow start cannot be combined with least_outstanding_requests",
        )
    mesh = settings["app_mesh"]
    if mesh["outlier_detection"] is not None and mesh["discovery"] != "cloud_map":
        raise ScenarioError(
            f"{where}.app_mesh.outlier_detection",
            "needs app_mesh.discovery cloud_map (DNS gives Envoy one host)",
        )
    od = settings["envoy"]["outlier_detection"]
    if od["max_ejection_time_s"] < od["base_ejection_time_s"]:
        raise ScenarioError(
            f"{where}.envoy.outlier_detection.max_ejection_time_s",
            "must not be below base_ejection_time_s",
        )
    ecs = settings["ecs"]
    if ecs["container_health_timeout_s"] >= ecs["container_health_interval_s"]:
        raise ScenarioError(
            f"{where}.ecs.container_health_timeout_s",
            "must be shorter than ecs.container_health_interval_s",
        )
    if ecs["depends_on_healthy"] and not ecs["container_health_check"]:
        raise ScenarioError(
            f"{where}.ecs.depends_on_healthy",
            "needs ecs.container_health_check: condition HEALTHY waits for a container health check",
        )


# --------------------------------------------------------------------------- services and traffic


def sample_services() -> list[dict[str, Any]]:
    return [{"name": name, "tasks": 3} for name in ("user", "contract", "inventory", "billing")]


def sample_traffic(rps_each: float = 10.0) -> list[dict[str, Any]]:
    return [
        {"from": "user", "to": "contract", "rps": rps_each},
        {"from": "contract", "to": "inventory", "rps": rps_each},
        {"from": "contract", "to": "billing", "rps": rps_each},
    ]


def _normalize_services(raw: Any) -> list[dict[str, Any]]:
    items = _sequence(raw, "services")
    if not items:
        raise ScenarioError("services", "needs at least one service")
    out: list[dict[str, Any]] = []
    names: list[str] = []
    total = 0
    for i, item in enumerate(items):
        path = f"services[{i}]"
        spec = _normalize_service(item, path, names)
        total += spec["tasks"]
        if total > MAX_TASKS:
            raise ScenarioError(f"{path}.tasks", f"more than {MAX_TASKS} tasks in total")
        names.append(spec["name"])
        out.append(spec)
    return out


def _normalize_service(item: Any, path: str, names: list[str]) -> dict[str, Any]:
    """One service entry (top-level ``services[i]`` or an ``add_service`` action's ``service``)."""
    data = _mapping(item, path)
    _keys(data, path, ("name", "tasks", "azs", "app_start_s"), ("name", "tasks"))
    name = data["name"]
    if not isinstance(name, str) or not _NAME_RE.match(name):
        raise ScenarioError(
            f"{path}.name", "must be lower-case letters, digits and '-', starting with a letter"
        )
    if name in names:
        raise ScenarioError(f"{path}.name", f"duplicate service {name!r}")
    tasks = int(check_number(data["tasks"], f"{path}.tasks", 0, MAX_TASKS, True))
    azs = list(AZS)
    if "azs" in data:
        raw_azs = _sequence(data["azs"], f"{path}.azs")
        if not raw_azs:
            raise ScenarioError(f"{path}.azs", "needs at least one AZ")
        azs = []
        for j, az in enumerate(raw_azs):
            az = _choice(az, f"{path}.azs[{j}]", AZS)
            if az in azs:
                raise ScenarioError(f"{path}.azs[{j}]", f"duplicate AZ {az!r}")
            azs.append(az)
    start = check_number(data.get("app_start_s", 0), f"{path}.app_start_s", 0, MAX_APP_START_S)
    return {"name": name, "tasks": tasks, "azs": azs, "app_start_s": start}


def _normalize_traffic(raw: Any, names: list[str]) -> list[dict[str, Any]]:
    items = _sequence(raw, "traffic")
    out: list[dict[str, Any]] = []
    total = 0.0
    for i, item in enumerate(items):
        path = f"traffic[{i}]"
        entry = _normalize_traffic_item(item, path, names)
        total += entry["rps"]
        if total > MAX_RPS:
            raise ScenarioError(f"{path}.rps", f"more than {MAX_RPS:g} requests/s in total")
        out.append(entry)
    return out


def _normalize_traffic_item(item: Any, path: str, names: list[str]) -> dict[str, Any]:
    """One traffic entry (top-level ``traffic[i]`` or an ``add_service`` action's)."""
    data = _mapping(item, path)
    _keys(data, path, ("from", "to", "rps", "test"), ("from", "to", "rps"))
    for key in ("from", "to"):
        if data[key] not in names:
            raise ScenarioError(f"{path}.{key}", f"unknown service {data[key]!r}")
    if data["from"] == data["to"]:
        raise ScenarioError(f"{path}.to", "a service does not call itself in this model")
    rps = check_number(data["rps"], f"{path}.rps", 0, MAX_RPS)
    if rps <= 0:
        raise ScenarioError(f"{path}.rps", "must be above 0")
    entry: dict[str, Any] = {"from": data["from"], "to": data["to"], "rps": rps}
    # Blue/green test traffic (x-amzn-ecs-blue-green-test header); listed only when true.
    if _bool(data.get("test", False), f"{path}.test"):
        entry["test"] = True
    return entry


# --------------------------------------------------------------------------- actions

ACTION_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # do: (allowed parameter keys, required parameter keys)
    "kill_task": (("task",), ("task",)),
    "stop_task": (("task",), ("task",)),
    "slow_task": (("task", "delay_ms", "health_check"), ("task", "delay_ms")),
    "fail_task": (("task", "status", "probability", "health_check"), ("task",)),
    "refuse_task": (("task",), ("task",)),
    "blackhole_task": (("task",), ("task",)),
    "recover_task": (("task",), ("task",)),
    "az_outage": (("az",), ("az",)),
    "az_recover": (("az",), ("az",)),
    "scale": (("service", "count"), ("service", "count")),
    "deploy": (DEPLOY_KEYS, ("service",)),
    "rollback": (("service",), ("service",)),
    "set": (("setting", "value"), ("setting", "value")),
    "add_service": (("service", "traffic"), ("service",)),
}


def normalize_action(raw: Any, path: str, names: list[str], duration_s: float) -> dict[str, Any]:
    """Validate one action and fill its defaults; ``names`` are the scenario's services."""
    data = _mapping(raw, path)
    if "do" not in data:
        raise ScenarioError(f"{path}.do", "is required")
    do = _choice(data["do"], f"{path}.do", tuple(ACTION_FIELDS))
    allowed, required = ACTION_FIELDS[do]
    _keys(data, path, ("at_s", "do", *allowed), ("at_s", *required))
    at_s = check_number(data["at_s"], f"{path}.at_s", 0, MAX_DURATION_S)
    out: dict[str, Any] = {"at_s": at_s, "do": do}
    if "task" in allowed:
        task = data["task"]
        match = _TASK_RE.match(task) if isinstance(task, str) else None
        if match is None or match.group(1) not in names:
            raise ScenarioError(
                f"{path}.task", f"must be '<service>-<n>' of a known service, got {task!r}"
            )
        out["task"] = task
    if "az" in allowed:
        out["az"] = _choice(data["az"], f"{path}.az", AZS)
    if do == "add_service":
        added = _normalize_service(data["service"], f"{path}.service", names)
        known = [*names, added["name"]]
        items = _sequence(data.get("traffic", []), f"{path}.traffic")
        traffic = [
            _normalize_traffic_item(item, f"{path}.traffic[{i}]", known)
            for i, item in enumerate(items)
        ]
        rps = sum(entry["rps"] for entry in traffic)
        if rps > MAX_RPS:
            raise ScenarioError(f"{path}.traffic", f"more than {MAX_RPS:g} requests/s in total")
        out["service"] = added
        out["traffic"] = traffic
    elif "service" in allowed:
        if data["service"] not in names:
            raise ScenarioError(f"{path}.service", f"unknown service {data['service']!r}")
        out["service"] = data["service"]
    if do == "slow_task":
        out["delay_ms"] = check_number(data["delay_ms"], f"{path}.delay_ms", 0, 3_600_000)
    if do == "fail_task":
        out["status"] = int(check_number(data.get("status", 500), f"{path}.status", 400, 599, True))
        out["probability"] = check_number(data.get("probability", 1.0), f"{path}.probability", 0, 1)
    if do in ("slow_task", "fail_task"):
        out["health_check"] = _bool(data.get("health_check", False), f"{path}.health_check")
    if do == "deploy":
        normalize_deploy(data, path, out)
    if do == "scale":
        out["count"] = int(check_number(data["count"], f"{path}.count", 0, MAX_TASKS, True))
    if do == "set":
        setting = data["setting"]
        if not isinstance(setting, str):
            raise ScenarioError(f"{path}.setting", "must be a 'component.key' string")
        spec = setting_spec(setting, f"{path}.setting")
        out["setting"] = setting
        out["value"] = spec.check(data["value"], f"{path}.value")
    return out


# --------------------------------------------------------------------------- the scenario


@dataclass(frozen=True)
class Scenario:
    """A validated scenario with every default filled in."""

    name: str
    pattern: str
    seed: int
    duration_s: float
    arrivals: str
    services: tuple[dict[str, Any], ...]
    traffic: tuple[dict[str, Any], ...]
    settings: dict[str, dict[str, Any]]
    actions: tuple[dict[str, Any], ...]
    description: str = ""
    assumptions: tuple[dict[str, str], ...] = field(default=())
    what_if: tuple[dict[str, Any], ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """The normalized, JSON-ready scenario (input form plus ``assumptions`` and ``what_if``)."""
        return {
            "name": self.name,
            "description": self.description,
            "pattern": self.pattern,
            "seed": self.seed,
            "duration_s": self.duration_s,
            "arrivals": self.arrivals,
            "services": copy.deepcopy(list(self.services)),
            "traffic": copy.deepcopy(list(self.traffic)),
            "settings": copy.deepcopy(self.settings),
            "actions": copy.deepcopy(list(self.actions)),
            "assumptions": [dict(a) for a in self.assumptions],
            "what_if": copy.deepcopy(list(self.what_if)),
        }

    def with_overrides(
        self,
        pattern: str | None = None,
        seed: int | None = None,
        duration_s: float | None = None,
        actions: list[dict[str, Any]] | None = None,
    ) -> Scenario:
        """A copy with pattern/seed/duration/actions replaced and re-validated."""
        data = self.to_dict()
        data.pop("assumptions")
        data.pop("what_if")
        if pattern is not None:
            data["pattern"] = pattern
        if seed is not None:
            data["seed"] = seed
        if duration_s is not None:
            data["duration_s"] = duration_s
        if actions is not None:
            data["actions"] = actions
        return load_scenario(data)


def assumptions_for(pattern: str) -> tuple[dict[str, str], ...]:
    out: list[dict[str, str]] = []
    for component in PATTERN_COMPONENTS[pattern]:
        for key, spec in SETTINGS[component].items():
            if spec.assumption:
                out.append(
                    {
                        "setting": f"{component}.{key}",
                        "assumption": spec.assumption,
                        "source": spec.source,
                    }
                )
    out.extend(MODEL_ASSUMPTIONS[pattern])
    out.extend(_COMMON_ASSUMPTIONS)
    return tuple(out)


_TOP_KEYS = (
    "name",
    "description",
    "pattern",
    "seed",
    "duration_s",
    "arrivals",
    "services",
    "traffic",
    "settings",
    "actions",
)


def load_scenario(data: Mapping[str, Any] | str) -> Scenario:
    """Validate a raw scenario (or name a built-in one) and fill every default.

    Raises :class:`ScenarioError` naming the JSON path and the reason; nothing else escapes for a
    JSON-like input.
    """
    if isinstance(data, str):
        if data not in BUILTIN_SCENARIOS:
            raise ScenarioError(
                "scenario",
                f"unknown built-in scenario {data!r}; choose one of {', '.join(BUILTIN_SCENARIOS)}",
            )
        data = BUILTIN_SCENARIOS[data]
    raw = _mapping(data, "scenario")
    _keys(raw, "", _TOP_KEYS, ())
    name = raw.get("name", "custom")
    if not isinstance(name, str) or len(name) > 80:
        raise ScenarioError("name", "must be a string of at most 80 characters")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise ScenarioError("description", "must be a string")
    pattern = _choice(raw.get("pattern", "elb"), "pattern", PATTERNS)
    seed = int(check_number(raw.get("seed", 1), "seed", 0, MAX_SEED, True))
    duration_s = check_number(raw.get("duration_s", 300), "duration_s", 0, MAX_DURATION_S)
    if duration_s <= 0:
        raise ScenarioError("duration_s", "must be above 0")
    arrivals = _choice(raw.get("arrivals", "poisson"), "arrivals", ARRIVALS)
    if "services" in raw:
        services = _normalize_services(raw["services"])
        traffic_raw = raw.get("traffic", [])
    else:
        services = _normalize_services(sample_services())
        traffic_raw = raw.get("traffic", sample_traffic())
    names = [s["name"] for s in services]
    traffic = _normalize_traffic(traffic_raw, names)
    settings = _normalize_settings(raw.get("settings", {}))
    for vs, route in settings["app_mesh"]["routes"].items():
        where = f"settings.app_mesh.routes.{vs}"
        if vs not in names:
            raise ScenarioError(where, f"virtual service {vs!r} is not a service")
        for i, target in enumerate(route):
            if target["virtual_node"] not in names:
                raise ScenarioError(
                    f"{where}[{i}].virtual_node", f"unknown service {target['virtual_node']!r}"
                )
    actions_raw = _sequence(raw.get("actions", []), "actions")
    added = _added_names(actions_raw)
    actions = []
    seen_added: list[str] = []
    for i, a in enumerate(actions_raw):
        # Later actions may refer to services that add_service creates (checked in time order
        # below); an add_service must not repeat a name, so it does not see its own.
        refer = [*names, *added]
        if isinstance(a, Mapping) and a.get("do") == "add_service":
            own = _added_name(a)
            refer = [n for n in refer if n != own or (n in names)]
            if own is not None and own in seen_added:
                raise ScenarioError(f"actions[{i}].service.name", f"duplicate service {own!r}")
            if own is not None:
                seen_added.append(own)
        actions.append(normalize_action(a, f"actions[{i}]", refer, duration_s))
    check_actions_for_pattern(actions, pattern)
    # Stable sort: actions at the same time keep their written order.
    order = sorted(range(len(actions)), key=lambda i: actions[i]["at_s"])
    check_added_services(services, traffic, actions, order)
    _check_set_sequence(settings, actions, order)
    actions = [actions[i] for i in order]
    return Scenario(
        name=name,
        pattern=pattern,
        seed=seed,
        duration_s=duration_s,
        arrivals=arrivals,
        services=tuple(services),
        traffic=tuple(traffic),
        settings=settings,
        actions=tuple(actions),
        description=description,
        assumptions=assumptions_for(pattern)
        + (DEPLOY_ASSUMPTIONS if any("strategy" in a for a in actions) else ()),
        what_if=what_if_for(pattern, settings, actions),
    )


def what_if_for(
    pattern: str, settings: Mapping[str, Mapping[str, Any]], actions: list[dict[str, Any]]
) -> tuple[dict[str, Any], ...]:
    """Each value the scenario changes that AWS fixes under ``pattern`` (not possible in real
    ECS): ``{setting, value, default, fixed_by_aws}`` for the settings, then ``at_s`` added for
    each ``set`` action, in time order. Settings the pattern does not read are left out."""
    out: list[dict[str, Any]] = []

    def check(path: str, value: Any, at_s: float | None) -> None:
        component, _, key = path.partition(".")
        if component not in PATTERN_COMPONENTS[pattern]:
            return
        spec = SETTINGS[component][key]
        entry = spec.in_aws(pattern)
        if entry is None or entry.kind != FIXED or value == spec.default:
            return
        item = {
            "setting": path,
            "value": copy.deepcopy(value),
            "default": copy.deepcopy(spec.default),
            "fixed_by_aws": entry.api,
        }
        if at_s is not None:
            item["at_s"] = at_s
        out.append(item)

    for component, values in settings.items():
        for key, value in values.items():
            check(f"{component}.{key}", value, None)
    for action in actions:
        if action["do"] == "set":
            check(action["setting"], action["value"], action["at_s"])
    return tuple(out)


def _added_name(action: Mapping[str, Any]) -> str | None:
    service = action.get("service")
    name = service.get("name") if isinstance(service, Mapping) else None
    return name if isinstance(name, str) else None


def _added_names(actions: list[Any]) -> list[str]:
    """Names of services the ``add_service`` actions create (raw input, before validation)."""
    out = []
    for action in actions:
        if isinstance(action, Mapping) and action.get("do") == "add_service":
            name = _added_name(action)
            if name is not None:
                out.append(name)
    return out


def _references(action: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(JSON path suffix, service name) for every service an action refers to."""
    if "task" in action:
        match = _TASK_RE.match(action["task"])
        return [(".task", match.group(1))] if match else []
    if action["do"] == "add_service":
        own = action["service"]["name"]
        return [
            (f".traffic[{i}].{key}", entry[key])
            for i, entry in enumerate(action["traffic"])
            for key in ("from", "to")
            if entry[key] != own
        ]
    if isinstance(action.get("service"), str):
        return [(".service", action["service"])]
    return []


def check_added_services(
    services: list[dict[str, Any]],
    traffic: list[dict[str, Any]],
    actions: list[dict[str, Any]],
    order: list[int],
) -> None:
    """In time order, an action may only refer to a service that exists by then, and the
    services and traffic added keep the scenario within its task and request-rate limits."""
    existing = {s["name"] for s in services}
    added_at: dict[str, int] = {}
    for action in actions:
        if action["do"] == "add_service":
            added_at.setdefault(action["service"]["name"], -1)
    tasks = sum(s["tasks"] for s in services)
    rps = sum(t["rps"] for t in traffic)
    for i in order:
        action = actions[i]
        path = f"actions[{i}]"
        for suffix, name in _references(action):
            if name not in existing and name in added_at:
                raise ScenarioError(
                    f"{path}{suffix}",
                    f"service {name!r} does not exist yet at {action['at_s']:g} s"
                    " (an add_service action creates it later)",
                )
        if action["do"] == "add_service":
            existing.add(action["service"]["name"])
            tasks += action["service"]["tasks"]
            if tasks > MAX_TASKS:
                raise ScenarioError(
                    f"{path}.service.tasks", f"more than {MAX_TASKS} tasks in total"
                )
            rps += sum(t["rps"] for t in action["traffic"])
            if rps > MAX_RPS:
                raise ScenarioError(f"{path}.traffic", f"more than {MAX_RPS:g} requests/s in total")


def check_actions_for_pattern(actions: list[dict[str, Any]], pattern: str, path: str = "") -> None:
    """Refuse actions the pattern cannot run (a deployment strategy it has no traffic shift for)."""
    for i, action in enumerate(actions):
        reason = refusal(pattern, action)
        if reason is not None:
            raise ScenarioError(f"{path or f'actions[{i}]'}.strategy", reason)


def _check_set_sequence(
    settings: dict[str, dict[str, Any]], actions: list[dict[str, Any]], order: list[int]
) -> None:
    """``set`` actions applied in time order must keep the settings consistent."""
    current = copy.deepcopy(settings)
    for i in order:
        action = actions[i]
        if action["do"] != "set":
            continue
        component, _, key = action["setting"].partition(".")
        current[component][key] = action["value"]
        try:
            check_setting_combination(current, "settings")
        except ScenarioError as error:
            raise ScenarioError(f"actions[{i}].value", f"{error.path}: {error.reason}") from None


def load_scenario_json(text: str) -> Scenario:
    """Parse JSON text and validate it (invalid JSON is a ScenarioError at path ``scenario``)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            "scenario", f"invalid JSON: {error.msg} at line {error.lineno}"
        ) from None
    return load_scenario(_mapping(data, "scenario"))


# --------------------------------------------------------------------------- built-in scenarios

BUILTIN_SCENARIOS: dict[str, dict[str, Any]] = {
    "steady": {
        "name": "steady",
        "description": "The sample system under steady load; nothing fails.",
        "duration_s": 120,
    },
    "kill-task": {
        "name": "kill-task",
        "description": "inventory-2 is killed at 60 s; ECS replaces it.",
        "duration_s": 240,
        "actions": [{"at_s": 60, "do": "kill_task", "task": "inventory-2"}],
    },
    "slow-task": {
        "name": "slow-task",
        "description": "inventory-2 answers 20 s late from 60 s on; its /health still answers.",
        "duration_s": 240,
        "actions": [{"at_s": 60, "do": "slow_task", "task": "inventory-2", "delay_ms": 20000}],
    },
    "errors-5xx": {
        "name": "errors-5xx",
        "description": "inventory-2 answers 503 to every business request from 60 s; /health passes.",
        "duration_s": 240,
        "actions": [
            {
                "at_s": 60,
                "do": "fail_task",
                "task": "inventory-2",
                "status": 503,
                "probability": 1.0,
            }
        ],
    },
    "scale-out": {
        "name": "scale-out",
        "description": "inventory scales from 3 to 6 tasks at 60 s; the app takes 15 s to start.",
        "duration_s": 240,
        "services": [
            {"name": "user", "tasks": 3},
            {"name": "contract", "tasks": 3},
            {"name": "inventory", "tasks": 3, "app_start_s": 15},
            {"name": "billing", "tasks": 3},
        ],
        "traffic": sample_traffic(),
        "actions": [{"at_s": 60, "do": "scale", "service": "inventory", "count": 6}],
    },
    "rolling-deploy": {
        "name": "rolling-deploy",
        "description": "inventory is redeployed at 60 s (minimum 100 %, maximum 200 %).",
        "duration_s": 300,
        "settings": {"alb": {"deregistration_delay_s": 30}},
        "actions": [{"at_s": 60, "do": "deploy", "service": "inventory"}],
    },
    "az-outage": {
        "name": "az-outage",
        "description": "ap-northeast-1c fails at 60 s and recovers at 240 s.",
        "duration_s": 300,
        "actions": [
            {"at_s": 60, "do": "az_outage", "az": "ap-northeast-1c"},
            {"at_s": 240, "do": "az_recover", "az": "ap-northeast-1c"},
        ],
    },
    "canary-90-10": {
        "name": "canary-90-10",
        "pattern": "app-mesh",
        "description": "App Mesh sends 10 % of inventory traffic to inventory-v2, which fails half its requests.",
        "duration_s": 180,
        "services": [
            {"name": "user", "tasks": 3},
            {"name": "contract", "tasks": 3},
            {"name": "inventory", "tasks": 3},
            {"name": "inventory-v2", "tasks": 3},
            {"name": "billing", "tasks": 3},
        ],
        "traffic": sample_traffic(),
        "settings": {
            "app_mesh": {
                "routes": {
                    "inventory": [
                        {"virtual_node": "inventory", "weight": 90},
                        {"virtual_node": "inventory-v2", "weight": 10},
                    ]
                }
            }
        },
        "actions": [
            {
                "at_s": 0,
                "do": "fail_task",
                "task": f"inventory-v2-{n}",
                "status": 500,
                "probability": 0.5,
            }
            for n in (1, 2, 3)
        ],
    },
    "stale-dns": {
        "name": "stale-dns",
        "pattern": "service-discovery",
        "description": "inventory is redeployed at 60 s; clients keep cached IPs of stopped tasks (TTL 300 s).",
        "duration_s": 600,
        "actions": [{"at_s": 60, "do": "deploy", "service": "inventory"}],
    },
}
