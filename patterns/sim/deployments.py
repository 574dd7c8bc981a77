"""ECS deployment strategies beside rolling: blue/green, linear and canary (aws-facts-2026 §2).

``deploy {service, strategy}`` with ``strategy`` ``blue_green``, ``linear`` or ``canary`` runs the
lifecycle ECS runs for ``deploymentConfiguration.strategy`` BLUE_GREEN / LINEAR / CANARY:

    SCALE_UP                 the green revision starts a full set of tasks beside blue (no traffic)
    TEST_TRAFFIC_SHIFT       once every green task is healthy: test traffic (a traffic entry with
                             ``"test": true``, i.e. the x-amzn-ecs-blue-green-test header) goes to
                             green; production stays on blue
    PRODUCTION_TRAFFIC_SHIFT STAGE_S later: production moves to green in one step (blue_green),
                             in steps of ``step_percent`` every STAGE_S + ``step_bake_time_min``
                             (linear), or ``canary_percent`` then the rest after STAGE_S +
                             ``canary_bake_time_min`` (canary)
    BAKE_TIME                STAGE_S after the step that reaches 100 %: blue and green both run for
                             ``bake_time_min``
    CLEAN_UP                 blue's tasks are stopped (ELB: their targets drain for the
                             deregistration delay); green is the service's revision now

Who moves the traffic is the pattern (hooks on :class:`~patterns.sim.pattern_base.Pattern`): the ALB
rewrites its listener rule's weights between the two target groups at once; Service Connect's client
proxies receive the new weights ``service_connect.endpoint_lag_s`` later, with no client redeploy.
Service Discovery and App Mesh refuse these strategies (:func:`refusal`).

An ``alarm`` {``error_rate_percent`` P, ``for_s`` N} is evaluated once a second on green's attempts
from TEST_TRAFFIC_SHIFT to the end of BAKE_TIME: when more than P % of green's attempts in the last
N seconds failed (the error rate over that window, as a CloudWatch metric-math alarm over a period
computes it; a window without green traffic is missing data and does not breach), the deployment
rolls back: production and test traffic back to blue, green scaled in. A ``rollback {service}`` action does the same by hand
(StopServiceDeployment with ROLLBACK). A new deploy of any strategy over one in progress rolls that
one back first; one over an unfinished rolling deployment takes the last finished revision as blue.

STAGE_S is a model value: without lifecycle hooks AWS documents no time between stages (it waits
~90 s after each weight change only for VPC Lattice, fact 2.20). UNCONFIRMED, listed in the
scenario's assumptions whenever a deploy uses one of these strategies.
"""

from __future__ import annotations

import math
import random
from collections import deque
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .engine import PRIO_CONTROL

if TYPE_CHECKING:
    from .topology import Service, Task, World

STRATEGIES: tuple[str, ...] = ("rolling", "blue_green", "linear", "canary")
#: The API name of each strategy (deploymentConfiguration.strategy).
API_NAMES = {
    "rolling": "ROLLING",
    "blue_green": "BLUE_GREEN",
    "linear": "LINEAR",
    "canary": "CANARY",
}
#: Seconds ECS spends in a traffic-shift stage before it moves on when no hook holds it (model).
STAGE_S = 10.0
#: Alarm ticks run before ECS's own steps at the same instant: the alarm judges the past second.
ALARM_PRIO = PRIO_CONTROL - 1
#: Deploy parameters and the strategies that take them.
PARAMETERS: dict[str, tuple[str, ...]] = {
    "bake_time_min": ("blue_green", "linear", "canary"),
    "step_percent": ("linear",),
    "step_bake_time_min": ("linear",),
    "canary_percent": ("canary",),
    "canary_bake_time_min": ("canary",),
    "alarm": ("blue_green", "linear", "canary"),
}
DEPLOY_KEYS: tuple[str, ...] = ("service", "strategy", *PARAMETERS)

SCALE_UP = "SCALE_UP"
TEST_TRAFFIC_SHIFT = "TEST_TRAFFIC_SHIFT"
PRODUCTION_TRAFFIC_SHIFT = "PRODUCTION_TRAFFIC_SHIFT"
BAKE_TIME = "BAKE_TIME"
CLEAN_UP = "CLEAN_UP"

REFUSALS: dict[str, str] = {
    "service-discovery": (
        "not supported with Service Discovery: ECS shifts traffic for blue/green, linear and canary"
        " deployments only through Elastic Load Balancing, Service Connect or VPC Lattice; Cloud"
        " Map DNS records get no managed traffic shift"
    ),  # aws-facts-2026 2.12, 2.13
    "app-mesh": (
        "not supported with App Mesh: ECS's blue/green, linear and canary deployments are not"
        " integrated with App Mesh, which shifted traffic with weighted routes of its own, and App"
        " Mesh is retired since 2026-09-30"
    ),
}

ASSUMPTIONS: tuple[dict[str, str], ...] = (
    {
        "setting": "actions.deploy.strategy",
        "assumption": (
            f"without lifecycle hooks ECS spends {STAGE_S:g} s in each traffic-shift stage before"
            " the next one (test traffic then production; after the step reaching 100 %, before"
            " BAKE_TIME); AWS documents no such time (UNCONFIRMED, model)"
        ),
        "source": "model",
    },
    {
        "setting": "actions.deploy.traffic_shift",
        "assumption": (
            "the ALB applies new listener rule weights at once and Service Connect proxies receive"
            " them service_connect.endpoint_lag_s later; each request picks blue or green by"
            " weight, and under ELB test traffic reaches green through the test listener rule"
            " (UNCONFIRMED, model)"
        ),
        "source": "model",
    },
    {
        "setting": "actions.deploy.bake_time_min",
        "assumption": (
            "linear and canary deployments without bake_time_min bake 0 minutes after the last"
            " step; AWS documents bakeTimeInMinutes as required only for BLUE_GREEN (UNCONFIRMED)"
        ),
        "source": "model",
    },
    {
        "setting": "actions.deploy.alarm",
        "assumption": (
            "the deployment alarm is the error rate of green's attempts over the last for_s"
            " seconds, evaluated every second (a CloudWatch alarm on a metric-math error rate with"
            " one period of for_s; real periods are 10 s, 30 s or multiples of 60 s); a window"
            " without green traffic is missing data and does not breach, CloudWatch's default"
            " (model, UNCONFIRMED)"
        ),
        "source": "model",
    },
)


# --------------------------------------------------------------------------- validation


def _tenths(value: float, path: str, lo: float, hi: float) -> float:
    from .scenario import ScenarioError, check_number

    number = check_number(value, path, lo, hi)
    if abs(number * 10 - round(number * 10)) > 1e-9:
        raise ScenarioError(path, f"must be a multiple of 0.1, got {value}")
    return round(number, 1)


def _minutes(value: Any, path: str) -> int:
    from .scenario import check_number

    return int(check_number(value, path, 0, 1440, integer=True))


def normalize_deploy(data: Mapping[str, Any], path: str, out: dict[str, Any]) -> None:
    """Check a deploy action's strategy and parameters and fill their defaults into ``out``.

    A rolling deploy stays ``{at_s, do, service}`` as before; the other strategies list every
    parameter with its value.
    """
    from .scenario import ScenarioError, _choice, _keys, _mapping, check_number

    strategy = _choice(data.get("strategy", "rolling"), f"{path}.strategy", STRATEGIES)
    for key, strategies in PARAMETERS.items():
        if key in data and strategy not in strategies:
            raise ScenarioError(
                f"{path}.{key}",
                f"only with strategy {' or '.join(strategies)}, not {strategy}",
            )
    if strategy == "rolling":
        return
    out["strategy"] = strategy
    if strategy == "blue_green" and "bake_time_min" not in data:
        raise ScenarioError(
            f"{path}.bake_time_min",
            "is required with strategy blue_green (bakeTimeInMinutes, 0-1440 minutes)",
        )
    out["bake_time_min"] = _minutes(data.get("bake_time_min", 0), f"{path}.bake_time_min")
    if strategy == "linear":
        out["step_percent"] = _tenths(
            data.get("step_percent", 10.0), f"{path}.step_percent", 3, 100
        )
        out["step_bake_time_min"] = _minutes(
            data.get("step_bake_time_min", 6), f"{path}.step_bake_time_min"
        )
    if strategy == "canary":
        out["canary_percent"] = _tenths(
            data.get("canary_percent", 5.0), f"{path}.canary_percent", 0.1, 100
        )
        out["canary_bake_time_min"] = _minutes(
            data.get("canary_bake_time_min", 10), f"{path}.canary_bake_time_min"
        )
    if "alarm" in data and data["alarm"] is not None:
        where = f"{path}.alarm"
        alarm = _mapping(data["alarm"], where)
        _keys(alarm, where, ("error_rate_percent", "for_s"), ("error_rate_percent", "for_s"))
        out["alarm"] = {
            "error_rate_percent": check_number(
                alarm["error_rate_percent"], f"{where}.error_rate_percent", 0, 100
            ),
            "for_s": int(check_number(alarm["for_s"], f"{where}.for_s", 1, 3600, integer=True)),
        }
    else:
        out["alarm"] = None


def refusal(pattern: str, action: Mapping[str, Any]) -> str | None:
    """Why ``pattern`` cannot run this (normalized) action, or None when it can."""
    if action.get("do") == "deploy" and action.get("strategy", "rolling") != "rolling":
        return REFUSALS.get(pattern)
    return None


def steps(spec: Mapping[str, Any]) -> list[float]:
    """Green's production share after each PRODUCTION_TRAFFIC_SHIFT step, in percent.

    linear 10 % -> 10, 20, ..., 100; linear 30 % -> 30, 60, 90, 100; canary 5 % -> 5, 100.
    """
    strategy = spec["strategy"]
    if strategy == "linear":
        step = spec["step_percent"]
        count = math.ceil(100.0 / step - 1e-9)
        return [min(100.0, round(k * step, 1)) for k in range(1, count + 1)]
    if strategy == "canary" and spec["canary_percent"] < 100.0:
        return [spec["canary_percent"], 100.0]
    return [100.0]


def step_wait_s(spec: Mapping[str, Any]) -> float:
    """Seconds between two production steps: the stage, then the step's bake."""
    if spec["strategy"] == "linear":
        return STAGE_S + 60.0 * float(spec["step_bake_time_min"])
    if spec["strategy"] == "canary":
        return STAGE_S + 60.0 * float(spec["canary_bake_time_min"])
    return STAGE_S


# --------------------------------------------------------------------------- the state machine


class StrategyDeployment:
    """One blue/green-family deployment of one service, from SCALE_UP to CLEAN_UP or rollback."""

    __slots__ = (
        "service",
        "spec",
        "blue",
        "green",
        "stage",
        "green_percent",
        "test_to_green",
        "steps",
        "step",
        "token",
        "green_tasks",
        "window",
        "checked_to",
        "ending",
    )

    def __init__(self, service: Service, spec: Mapping[str, Any], blue: int, green: int) -> None:
        self.service = service
        self.spec = dict(spec)
        self.blue = blue
        self.green = green
        self.stage = SCALE_UP
        self.green_percent = 0.0
        self.test_to_green = False
        self.steps = steps(spec)
        self.step = 0
        self.token = 0  # bumped when the deployment ends, so its scheduled stages do nothing
        self.green_tasks: list[Task] = []
        # The alarm's window: (attempts, errors) of green for each of the last ``for_s`` seconds.
        self.window: deque[tuple[int, int]] = deque()
        self.checked_to = 0  # the alarm has looked at every whole second before this one
        self.ending = False  # rolled back or superseded: green's tasks are being stopped


class Deployments:
    """The world's strategy deployments: at most one per service, plus revision numbering."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.active: dict[str, StrategyDeployment] = {}
        self._highest: dict[str, int] = {}
        # Blue or green for each request draws from its own stream of the run's seed, so the
        # split does not move when other parts of the model draw more or fewer numbers.
        self.rng = random.Random(f"kumoben-deploy:{world.scenario.seed}")

    # ------------------------------------------------------------------ queries (hot-path cheap)

    def is_green(self, task: Task) -> bool:
        """Whether the task belongs to the green revision of a deployment in progress."""
        if not self.active:
            return False
        bg = self.active.get(task.service.name)
        return bg is not None and task.version == bg.green

    def to_green(self, test: bool, green_percent: float, test_to_green: bool) -> bool:
        """Whether one request goes to green under the current weights: test traffic follows the
        test rule; production goes to green with ``green_percent`` % (a draw only in between)."""
        if test:
            return test_to_green
        if green_percent <= 0.0:
            return False
        if green_percent >= 100.0:
            return True
        return self.rng.random() * 100.0 < green_percent

    def peek_revision(self, service: Service) -> int:
        """The number the next revision will get: one above any the service ever had."""
        return max(service.version, self._highest.get(service.name, 0)) + 1

    def next_revision(self, service: Service) -> int:
        number = self.peek_revision(service)
        self._highest[service.name] = number
        return number

    # ------------------------------------------------------------------ lifecycle

    def start(self, service: Service, spec: Mapping[str, Any]) -> None:
        world = self.world
        name = service.name
        if name in self.active:
            self.supersede(service)
        blue = service.version
        if world.deploying.get(name):  # an unfinished rolling deployment: this one supersedes it
            # Blue is the last finished revision; the superseded one's extra tasks stop first.
            blue = service.stable_version
            world.deploying[name] = False
            world.event(
                "deployment",
                "deployment_superseded",
                service=name,
                version=service.version,
                by=self.peek_revision(service),
            )
        green = self.next_revision(service)
        bg = StrategyDeployment(service, spec, blue, green)
        self.active[name] = bg
        service.version = green
        world.event(
            "deployment",
            "strategy_deployment_started",
            service=name,
            version=green,
            blue=blue,
            strategy=API_NAMES[spec["strategy"]],
            stage=SCALE_UP,
        )
        world.reconcile(service, "green_scale_up")

    def reconcile(self, service: Service, why: str) -> None:
        """Keep blue and green each at the desired count; move on once green is all healthy."""
        from .topology import balanced_victim

        world = self.world
        bg = self.active[service.name]
        desired = service.desired
        active = service.active_tasks()
        green = [t for t in active if t.version == bg.green]
        blue = [t for t in active if t.version != bg.green]
        keep = []
        if not bg.ending:
            keep.append((green, bg.green))
        if bg.stage != CLEAN_UP:
            keep.append((blue, bg.blue))
        for tasks, version in keep:
            while len(tasks) > desired:
                # A superseded revision's tasks first, then those not yet healthy.
                stale = [t for t in tasks if t.version != version] or tasks
                waiting = [t for t in stale if not t.healthy] or stale
                victim = balanced_victim(waiting, service.active_tasks(), newest=True)
                tasks.remove(victim)
                stale_cause = victim.version != version
                world.stop_task(victim, "deployment_superseded" if stale_cause else "scale_in")
            while len(tasks) < desired:
                cause = "green_scale_up" if version == bg.green and bg.stage == SCALE_UP else why
                task = world.launch(service, cause, version=version)
                tasks.append(task)
                if version == bg.green:
                    bg.green_tasks.append(task)
        if bg.stage == SCALE_UP and not bg.ending and all(t.healthy for t in green):
            bg.stage = TEST_TRAFFIC_SHIFT
            world.engine.after(0.0, PRIO_CONTROL, self._test_shift, (bg, bg.token))

    def _live(self, arg: tuple[StrategyDeployment, int]) -> StrategyDeployment | None:
        bg, token = arg
        if token != bg.token or self.active.get(bg.service.name) is not bg:
            return None
        return bg

    def _test_shift(self, arg: tuple[StrategyDeployment, int], _tag: int) -> None:
        bg = self._live(arg)
        if bg is None:
            return
        world = self.world
        bg.test_to_green = True
        bg.checked_to = int(world.engine.now)
        world.event(
            "deployment",
            "test_traffic_shifted",
            service=bg.service.name,
            version=bg.green,
            stage=TEST_TRAFFIC_SHIFT,
            test_percent=100.0,
            green_percent=0.0,
        )
        self._weights(bg)
        if bg.spec.get("alarm"):
            world.engine.at(bg.checked_to + 1.0, ALARM_PRIO, self._alarm_tick, (bg, bg.token))
        world.engine.after(STAGE_S, PRIO_CONTROL, self._production_step, (bg, bg.token))

    def _production_step(self, arg: tuple[StrategyDeployment, int], _tag: int) -> None:
        bg = self._live(arg)
        if bg is None:
            return
        world = self.world
        bg.stage = PRODUCTION_TRAFFIC_SHIFT
        bg.green_percent = bg.steps[bg.step]
        bg.step += 1
        world.event(
            "deployment",
            "production_traffic_shifted",
            service=bg.service.name,
            version=bg.green,
            stage=PRODUCTION_TRAFFIC_SHIFT,
            green_percent=bg.green_percent,
            blue_percent=round(100.0 - bg.green_percent, 1),
            step=bg.step,
            steps=len(bg.steps),
        )
        self._weights(bg)
        if bg.step < len(bg.steps):
            wait = step_wait_s(bg.spec)
            world.engine.after(wait, PRIO_CONTROL, self._production_step, (bg, bg.token))
        else:
            world.engine.after(STAGE_S, PRIO_CONTROL, self._bake, (bg, bg.token))

    def _bake(self, arg: tuple[StrategyDeployment, int], _tag: int) -> None:
        bg = self._live(arg)
        if bg is None:
            return
        world = self.world
        bg.stage = BAKE_TIME
        bake_s = 60.0 * bg.spec["bake_time_min"]
        world.event(
            "deployment",
            "bake_time_started",
            service=bg.service.name,
            version=bg.green,
            stage=BAKE_TIME,
            bake_time_min=bg.spec["bake_time_min"],
            until=round(world.engine.now + bake_s, 6),
        )
        world.engine.after(bake_s, PRIO_CONTROL, self._clean_up, (bg, bg.token))

    def _clean_up(self, arg: tuple[StrategyDeployment, int], _tag: int) -> None:
        bg = self._live(arg)
        if bg is None:
            return
        world = self.world
        service = bg.service
        name = service.name
        bg.stage = CLEAN_UP
        bg.token += 1
        world.event(
            "deployment", "blue_green_clean_up", service=name, version=bg.green, stage=CLEAN_UP
        )
        world._pattern().on_deployment_promoted(name)
        service.version = bg.green
        service.stable_version = bg.green
        for task in [t for t in service.active_tasks() if t.version != bg.green]:
            world.stop_task(task, "blue_scaled_in")
        del self.active[name]
        world.event(
            "deployment",
            "deployment_finished",
            service=name,
            version=bg.green,
            strategy=API_NAMES[bg.spec["strategy"]],
        )
        world.reconcile(service)

    # ------------------------------------------------------------------ rollback and supersede

    def rollback(self, service: Service, by: str, **why: Any) -> None:
        """Production and test traffic back to blue, green scaled in (alarm or rollback action)."""
        world = self.world
        bg = self.active.get(service.name)
        if bg is None:
            world.event("deployment", "rollback_ignored", service=service.name)
            return
        world.event(
            "deployment",
            "deployment_rolled_back",
            service=service.name,
            version=bg.green,
            to=bg.blue,
            stage=bg.stage,
            green_percent=bg.green_percent,
            by=by,
            **why,
        )
        self._end(bg, "green_scaled_in")

    def supersede(self, service: Service) -> None:
        """A new deployment (of any strategy) replaces this one: back to blue first, as a rollback."""
        bg = self.active[service.name]
        self.world.event(
            "deployment",
            "deployment_superseded",
            service=service.name,
            version=bg.green,
            by=self.peek_revision(service),
            stage=bg.stage,
        )
        self._end(bg, "deployment_superseded", settle=False)

    def _end(self, bg: StrategyDeployment, cause: str, settle: bool = True) -> None:
        """Back to blue: the pattern drops the green route, green's tasks stop."""
        world = self.world
        service = bg.service
        bg.token += 1
        bg.ending = True
        bg.test_to_green = False
        bg.green_percent = 0.0
        service.version = bg.blue
        world._pattern().on_deployment_rolled_back(service.name)
        for task in [t for t in service.active_tasks() if t.version == bg.green]:
            world.stop_task(task, cause)
        del self.active[service.name]
        if not settle:
            return
        # Blue may still hold an older revision's tasks (a rolling deployment it superseded):
        # the rolling reconcile brings them to blue's revision.
        if any(t.version != bg.blue for t in service.active_tasks()):
            world.deploying[service.name] = True
        world.reconcile(service)

    # ------------------------------------------------------------------ traffic and alarm

    def _weights(self, bg: StrategyDeployment) -> None:
        self.world._pattern().on_deployment_weights(
            bg.service.name, bg.green_percent, bg.test_to_green
        )

    def _alarm_tick(self, arg: tuple[StrategyDeployment, int], _tag: int) -> None:
        bg = self._live(arg)
        if bg is None or bg.stage == CLEAN_UP:
            return
        world = self.world
        alarm = bg.spec["alarm"]
        sec = bg.checked_to
        bg.checked_to = sec + 1
        attempts = 0
        errors = 0
        for task in bg.green_tasks:
            bucket = task.buckets.get(sec)
            if bucket is not None:
                attempts += bucket[0]
                errors += sum(bucket[2].values())
        window = bg.window
        window.append((attempts, errors))
        if len(window) > alarm["for_s"]:
            window.popleft()
        attempts = sum(a for a, _ in window)
        errors = sum(e for _, e in window)
        rate = 100.0 * errors / attempts if attempts else 0.0
        if attempts and rate > alarm["error_rate_percent"]:
            world.event(
                "deployment",
                "deployment_alarm",
                service=bg.service.name,
                version=bg.green,
                stage=bg.stage,
                green_percent=bg.green_percent,
                error_rate_percent=round(rate, 3),
                threshold_percent=alarm["error_rate_percent"],
                for_s=alarm["for_s"],
                second=sec,
            )
            self.rollback(
                bg.service,
                "alarm",
                error_rate_percent=round(rate, 3),
                threshold_percent=alarm["error_rate_percent"],
                for_s=alarm["for_s"],
            )
            return
        world.engine.at(bg.checked_to + 1.0, ALARM_PRIO, self._alarm_tick, (bg, bg.token))
