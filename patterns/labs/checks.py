"""Guided labs: each lab is a goal, the settings a learner may change, and a check against the engine.

A lab draws a few numbers per learner (when the task fails, the goal, the budget) from the learner's
seed, so two learners get different targets and cannot copy each other's answers. The learner's
values and those numbers build a scenario; :func:`check` runs it through :mod:`patterns.sim` and
turns what the engine measured into a :class:`Verdict` that names the measured value and the goal.

Everything here is plain Python over the engine's result dicts; the only Django import is
``gettext`` for the verdict sentences (their Japanese lives in the translation catalogue).
"""

from __future__ import annotations

import copy
import importlib
import math
import pkgutil
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patterns.catalog import PATTERN_NAMES
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, compare, run


@dataclass(frozen=True)
class LabField:
    """One input of a lab's form: a number in [lo, hi] or one of ``choices``."""

    name: str
    label: Any  # a lazy translation
    default: Any
    lo: float = 0
    hi: float = 0
    integer: bool = True
    choices: tuple[tuple[str, Any], ...] = ()
    help: Any = ""
    required: bool = True
    setting: str = ""  # the scenario path it fills, so an engine error lands beside this field


@dataclass(frozen=True)
class Outcome:
    """One side of a lab's trade-off, judged on what the engine measured.

    ``label`` names the side ("Dead task found fast"), ``detail`` says what the engine measured
    against the goal, so a failed Check names the side the learner's settings broke.
    """

    key: str
    label: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Verdict:
    """A Check's result: passed only when every outcome passed.

    ``moment`` is the second of the run that decided it (the player and the playground link open
    there); ``events`` are the key events behind it, ``(t, sentence)``, from the engine's run.
    """

    passed: bool
    message: str
    measures: tuple[tuple[str, str], ...] = ()
    outcomes: tuple[Outcome, ...] = ()
    moment: float | None = None
    events: tuple[tuple[float, str], ...] = ()


def judged(
    outcomes: Sequence[Outcome],
    measures: Sequence[tuple[str, str]],
    passed_message: str,
    moment: float | None = None,
    events: Sequence[tuple[float, str]] = (),
) -> Verdict:
    """The verdict of several outcomes that pull against each other: all must pass.

    A failed Check's message names each broken side with its figures; a passed one says
    ``passed_message``. No message says which settings would pass.
    """
    broken = [o for o in outcomes if not o.passed]
    if broken:
        sides = " ".join(
            _fmt(_("%(side)s: %(detail)s"), side=o.label, detail=o.detail) for o in broken
        )
        message = _fmt(_("Not yet. %(sides)s"), sides=sides)
    else:
        message = passed_message
    return Verdict(not broken, message, tuple(measures), tuple(outcomes), moment, tuple(events))


@dataclass(frozen=True)
class Lab:
    slug: str
    order: int
    fields: tuple[LabField, ...]
    draw: Callable[[random.Random], dict[str, Any]]
    build: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, Any]]
    judge: Callable[[Any, Mapping[str, Any], Mapping[str, Any]], Verdict]
    pattern: str  # the pattern the player shows: one of PATTERNS, "all", or "field" (from values)
    # Rules across fields, checked before the engine runs: (field, message) for each broken one.
    validate: Callable[[Mapping[str, Any]], list[tuple[str, str]]] = lambda values: []
    # A lab that asks for a prediction shows no run (nor its numbers) until a Check passed.
    predict_first: bool = False
    # A lab about behaviour AWS fixes (nothing here is a setting): labelled a what-if on its page.
    what_if: bool = False

    def defaults(self) -> dict[str, Any]:
        return {f.name: f.default for f in self.fields}

    def pattern_for(self, values: Mapping[str, Any]) -> str:
        return str(values["pattern"]) if self.pattern == "field" else self.pattern


def draw_params(lab: Lab, attempt_seed: int) -> dict[str, Any]:
    """The variant an attempt gets in this lab; the same seed always draws the same numbers.

    Each attempt has its own seed (stored with the attempt in the progress record; a learner's
    first attempt uses the learner's seed, "New variant" draws another), so which task fails,
    when, how and the goals change between attempts and between learners.
    ``random.Random`` seeded with a string is stable across processes (it hashes with SHA-512, not
    ``hash()``), so ``draw_params(lab, 7)`` is the same in every worker and after a restart.
    """
    rng = random.Random(f"{lab.slug}:{attempt_seed}")
    params = lab.draw(rng)
    params["seed"] = rng.randint(1, 999)
    return params


def run_lab(lab: Lab, values: Mapping[str, Any], params: Mapping[str, Any]) -> Any:
    """Run the learner's scenario: one result dict, or ``{pattern: result}`` for all four."""
    scenario = lab.build(values, params)
    pattern = lab.pattern_for(values)
    if pattern == "all":
        return compare(scenario, seed=params["seed"])
    return run(scenario, pattern=pattern, seed=params["seed"])


def check(lab: Lab, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    return lab.judge(run_lab(lab, values, params), values, params)


# --------------------------------------------------------------------------- measurements


def failed_requests(result: Mapping[str, Any]) -> int:
    return int(sum(result["summary"]["errors"].values()))


def last_attempt_to(result: Mapping[str, Any], task: str) -> float | None:
    """When the last request (attempt) reached ``task``, from the engine's key moments."""
    for moment in result["summary"]["key_moments"]:
        if moment["kind"] == "last_request_to_task" and moment["task"] == task:
            return float(moment["t"])
    return None


def last_error_second(result: Mapping[str, Any]) -> int | None:
    """The last second (bucket start) in which any caller saw a failed request."""
    seconds = [row["t"] for row in result["client_timeline"] if row["errors"]]
    return max(seconds) if seconds else None


def service_attempts(result: Mapping[str, Any], service: str) -> int:
    return int(sum(row["attempts"] for row in result["timeline"] if row["service"] == service))


def last_service_second(result: Mapping[str, Any], service: str) -> int | None:
    seconds = [
        row["t"] for row in result["timeline"] if row["service"] == service and row["attempts"]
    ]
    return max(seconds) if seconds else None


def serving_tasks(result: Mapping[str, Any], service: str, window_s: float = 20) -> list[str]:
    """Tasks of ``service`` that answered a request successfully in the run's last ``window_s``."""
    since = result["t"] - window_s
    return sorted(
        {
            row["task"]
            for row in result["timeline"]
            if row["service"] == service and row["t"] >= since and row["ok"]
        }
    )


def replaced_tasks(result: Mapping[str, Any]) -> list[str]:
    return [m["task"] for m in result["summary"]["key_moments"] if m["kind"] == "task_stopped"]


def _s(value: float) -> str:
    """Seconds for a sentence: 117.9 -> "117.9", 45.0 -> "45"."""
    return f"{round(value, 1):g}"


def _fmt(template: str, **values: Any) -> str:
    return template % values


# --------------------------------------------------------------------------- 1. ELB dead task


def _elb_draw(rng: random.Random) -> dict[str, Any]:
    return {"fault_at": rng.randrange(40, 81, 5), "goal_s": rng.choice((20, 25, 30))}


def _elb_build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": "lab-elb-dead-task",
        "duration_s": params["fault_at"] + 150,
        "settings": {
            "alb": {
                "health_check_interval_s": values["interval_s"],
                "health_check_timeout_s": values["timeout_s"],
                "unhealthy_threshold": values["unhealthy_threshold"],
            }
        },
        "actions": [{"at_s": params["fault_at"], "do": "blackhole_task", "task": "inventory-2"}],
    }


def _elb_judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    fault_at = float(params["fault_at"])
    last = last_attempt_to(result, "inventory-2")
    window = (last - fault_at) if last is not None else 0.0
    measures = (
        (_("Stopped answering at"), f"{_s(fault_at)} s"),
        (_("Last request it got"), f"{_s(last)} s" if last is not None else "—"),
        (_("Dead-task window"), f"{_s(window)} s"),
        (_("Failed requests"), str(failed_requests(result))),
    )
    if window <= params["goal_s"]:
        message = _fmt(
            _(
                "Passed: the dead task got its last request at %(last)s s, %(window)s s after it "
                "stopped answering; the goal was at most %(goal)s s."
            ),
            last=_s(last if last is not None else fault_at),
            window=_s(window),
            goal=params["goal_s"],
        )
        return Verdict(True, message, measures)
    message = _fmt(
        _(
            "Not yet: the dead task still got requests until %(last)s s, %(window)s s after it "
            "stopped answering; the goal is %(goal)s s."
        ),
        last=_s(last if last is not None else fault_at),
        window=_s(window),
        goal=params["goal_s"],
    )
    return Verdict(False, message, measures)


def _elb_validate(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if values["timeout_s"] >= values["interval_s"]:
        return [("timeout_s", _("The timeout must be shorter than the interval."))]
    return []


ELB_DEAD_TASK = Lab(
    slug="elb-dead-task",
    order=1,
    pattern="elb",
    fields=(
        LabField("interval_s", gettext_lazy("Health check interval (s)"), 30, 5, 300),
        LabField(
            "timeout_s",
            gettext_lazy("Health check timeout (s)"),
            5,
            2,
            120,
            setting="settings.alb.health_check_timeout_s",
        ),
        LabField("unhealthy_threshold", gettext_lazy("Unhealthy threshold"), 2, 2, 10),
    ),
    draw=_elb_draw,
    build=_elb_build,
    judge=_elb_judge,
    validate=_elb_validate,
)


# --------------------------------------------------------------------------- 2. stale DNS


DNS_CACHES = (
    ("ttl", gettext_lazy("Respect the record TTL")),
    ("jvm_30s", gettext_lazy("JVM default: 30 s, whatever the TTL")),
    ("forever", gettext_lazy("Cache forever")),
)


def _dns_draw(rng: random.Random) -> dict[str, Any]:
    return {"deploy_at": rng.randrange(40, 81, 10), "goal_s": rng.choice((70, 80, 90))}


def _dns_build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": "lab-stale-dns",
        "duration_s": params["deploy_at"] + 360,
        "settings": {
            "cloud_map": {"dns_ttl_s": values["dns_ttl_s"]},
            "client": {"retries": values["retries"], "dns_cache": values["dns_cache"]},
        },
        "actions": [{"at_s": params["deploy_at"], "do": "deploy", "service": "inventory"}],
    }


def _dns_judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    deploy_at = params["deploy_at"]
    last = last_error_second(result)
    window = (last + 1 - deploy_at) if last is not None else 0
    measures = (
        (_("Deployment started at"), f"{deploy_at} s"),
        (_("Last second with a failed request"), f"{last} s" if last is not None else "—"),
        (_("Failed requests"), str(failed_requests(result))),
        (_("Client retries"), str(result["summary"]["retries"])),
    )
    if last is None:
        return Verdict(
            True,
            _("Passed: no caller saw a failed request during the deployment."),
            measures,
        )
    if window <= params["goal_s"]:
        message = _fmt(
            _(
                "Passed: callers stopped failing at %(last)s s, %(window)s s after the deployment "
                "started; the goal was at most %(goal)s s."
            ),
            last=last + 1,
            window=window,
            goal=params["goal_s"],
        )
        return Verdict(True, message, measures)
    message = _fmt(
        _(
            "Not yet: callers still used stale IPs and failed until %(last)s s, %(window)s s after "
            "the deployment started; the goal is %(goal)s s."
        ),
        last=last + 1,
        window=window,
        goal=params["goal_s"],
    )
    return Verdict(False, message, measures)


STALE_DNS = Lab(
    slug="stale-dns",
    order=2,
    pattern="service-discovery",
    fields=(
        LabField("dns_ttl_s", gettext_lazy("Record TTL (s)"), 300, 0, 86400),
        LabField("retries", gettext_lazy("Client retries"), 0, 0, 5),
        LabField(
            "dns_cache", gettext_lazy("Client DNS cache"), "ttl", choices=DNS_CACHES, integer=False
        ),
    ),
    draw=_dns_draw,
    build=_dns_build,
    judge=_dns_judge,
)


# --------------------------------------------------------------------------- 3. Service Connect


# Real Service Connect knobs only (content review A1): retries and outlier detection are fixed by
# AWS, so the learner sets the per-request timeout (ServiceConnectService.timeout
# .perRequestTimeoutSeconds, whole seconds). A slow task holds each request for the whole timeout;
# a shorter one fails those requests sooner, so the fixed outlier detection (5 failures within
# 30 s; the engine assumes timeouts count, as in Envoy) ejects the task sooner. Too short, and it
# also cuts off the healthy tasks' normal answers, which take up to 1.5 x the mean latency.
SC_SLOW_DELAY_MS = 30_000


def _sc_draw(rng: random.Random) -> dict[str, Any]:
    latency_ms = rng.choice((1000, 1200, 1400))
    return {
        "fail_at": rng.randrange(40, 81, 10),
        "latency_ms": latency_ms,
        "normal_s": f"{latency_ms * 1.5 / 1000:g}",
        "max_failed": rng.choice((80, 100, 120)),
    }


def _sc_build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": "lab-sc-timeout",
        "duration_s": params["fail_at"] + 180,
        "settings": {
            "app": {"latency_ms": params["latency_ms"]},
            "service_connect": {"per_request_timeout_s": values["per_request_timeout_s"]},
        },
        "actions": [
            {
                "at_s": params["fail_at"],
                "do": "slow_task",
                "task": "inventory-2",
                "delay_ms": SC_SLOW_DELAY_MS,
            }
        ],
    }


def _sc_judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    failed = failed_requests(result)
    outlier = result["summary"].get("outlier", {})
    measures = (
        (_("Failed requests callers saw"), str(failed)),
        (_("Ejections"), str(outlier.get("enforced", 0))),
    )
    fields = {
        "failed": failed,
        "max_failed": params["max_failed"],
        "timeout": _s(values["per_request_timeout_s"]),
        "normal": params["normal_s"],
    }
    if failed > params["max_failed"] and values["per_request_timeout_s"] < float(
        params["normal_s"]
    ):
        message = _(
            "Not yet: callers saw %(failed)s failed requests; the goal is at most %(max_failed)s. "
            "A %(timeout)s s timeout also cuts off the healthy tasks, whose answers take up to "
            "%(normal)s s."
        )
        return Verdict(False, _fmt(message, **fields), measures)
    if failed > params["max_failed"]:
        message = _(
            "Not yet: callers saw %(failed)s failed requests; the goal is at most %(max_failed)s."
        )
        return Verdict(False, _fmt(message, **fields), measures)
    message = _(
        "Passed: %(failed)s failed requests (goal at most %(max_failed)s) with a %(timeout)s s "
        "per-request timeout."
    )
    return Verdict(True, _fmt(message, **fields), measures)


SC_OUTLIER = Lab(
    slug="service-connect-outlier",
    order=3,
    pattern="service-connect",
    fields=(
        LabField(
            "per_request_timeout_s",
            gettext_lazy("Per-request timeout (perRequestTimeoutSeconds, s)"),
            15,
            1,
            120,
            setting="settings.service_connect.per_request_timeout_s",
        ),
    ),
    draw=_sc_draw,
    build=_sc_build,
    judge=_sc_judge,
)


# --------------------------------------------------------------------------- 4. App Mesh canary


def _canary_draw(rng: random.Random) -> dict[str, Any]:
    fail_percent = rng.choice((40, 50, 60))
    min_canary = rng.choice((40, 50, 60))
    # Room for an honest canary: the expected failures of exactly min_canary requests, doubled.
    max_failed = math.ceil(min_canary * fail_percent / 100 * 2)
    return {"fail_percent": fail_percent, "min_canary": min_canary, "max_failed": max_failed}


def _canary_build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    scenario = copy.deepcopy(BUILTIN_SCENARIOS["canary-90-10"])
    scenario["name"] = "lab-canary"
    scenario["duration_s"] = 240
    weight = int(values["canary_weight"])
    targets = [{"virtual_node": "inventory", "weight": 100 - weight}]
    if weight:
        targets.append({"virtual_node": "inventory-v2", "weight": weight})
    scenario["settings"]["app_mesh"]["routes"]["inventory"] = targets
    for action in scenario["actions"]:
        action["probability"] = params["fail_percent"] / 100
    rollback = values.get("rollback_at_s")
    if rollback is not None:
        scenario["actions"].append(
            {
                "at_s": rollback,
                "do": "set",
                "setting": "app_mesh.routes",
                "value": {"inventory": [{"virtual_node": "inventory", "weight": 100}]},
            }
        )
    return scenario


def _canary_judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    canary = service_attempts(result, "inventory-v2")
    failed = failed_requests(result)
    last = last_service_second(result, "inventory-v2")
    measures = (
        (_("Requests to inventory-v2"), str(canary)),
        (_("Failed requests"), str(failed)),
        (_("Last second inventory-v2 got traffic"), f"{last} s" if last is not None else "—"),
    )
    fields = {
        "canary": canary,
        "min_canary": params["min_canary"],
        "failed": failed,
        "max_failed": params["max_failed"],
    }
    if canary < params["min_canary"]:
        message = _(
            "Not yet: the canary got only %(canary)s requests; it needs at least %(min_canary)s "
            "before you can judge it."
        )
        return Verdict(False, _fmt(message, **fields), measures)
    if values.get("rollback_at_s") is None:
        message = _(
            "Not yet: inventory-v2 fails and you never rolled back, so it kept %(canary)s "
            "requests and callers saw %(failed)s failures. Set a rollback time."
        )
        return Verdict(False, _fmt(message, **fields), measures)
    if failed > params["max_failed"]:
        message = _(
            "Not yet: callers saw %(failed)s failed requests before the rollback; the goal is at "
            "most %(max_failed)s. Roll back sooner or send the canary less traffic."
        )
        return Verdict(False, _fmt(message, **fields), measures)
    message = _(
        "Passed: the canary got %(canary)s requests (at least %(min_canary)s) and the rollback "
        "kept failed requests to %(failed)s (at most %(max_failed)s)."
    )
    return Verdict(True, _fmt(message, **fields), measures)


MESH_CANARY = Lab(
    slug="app-mesh-canary",
    order=4,
    pattern="app-mesh",
    fields=(
        LabField("canary_weight", gettext_lazy("Weight of inventory-v2 (0-100)"), 10, 0, 100),
        LabField(
            "rollback_at_s",
            gettext_lazy("Roll back at (s; empty = never)"),
            None,
            0,
            240,
            integer=False,
            required=False,
        ),
    ),
    draw=_canary_draw,
    build=_canary_build,
    judge=_canary_judge,
)


# --------------------------------------------------------------------------- 5. AZ outage


AZS = ("ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d")
PATTERN_CHOICES = tuple((p, PATTERN_NAMES[p]) for p in PATTERNS)


def _az_draw(rng: random.Random) -> dict[str, Any]:
    return {"az": rng.choice(AZS), "outage_at": rng.randrange(40, 81, 5)}


def _az_build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": "lab-az-outage",
        "duration_s": 240,
        "actions": [{"at_s": params["outage_at"], "do": "az_outage", "az": params["az"]}],
    }


def _az_validate(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (name, _("Choose a pattern: the prediction comes first."))
        for name in ("predict_most", "predict_fewest")
        if not values.get(name)
    ]


def _az_judge(results: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    failed = {pattern: failed_requests(results[pattern]) for pattern in PATTERNS}
    ranked = sorted(PATTERNS, key=lambda p: (failed[p], PATTERNS.index(p)))
    fewest, most = ranked[0], ranked[-1]
    measures = tuple((PATTERN_NAMES[p], str(failed[p])) for p in PATTERNS)
    fields = {
        "most": PATTERN_NAMES[most],
        "most_n": failed[most],
        "fewest": PATTERN_NAMES[fewest],
        "fewest_n": failed[fewest],
        "az": params["az"],
    }
    right_most = values["predict_most"] == most
    right_fewest = values["predict_fewest"] == fewest
    if right_most and right_fewest:
        message = _(
            "Passed: both predictions hold. When %(az)s failed, %(most)s failed the most requests "
            "(%(most_n)s) and %(fewest)s the fewest (%(fewest_n)s)."
        )
        return Verdict(True, _fmt(message, **fields), measures)
    message = _(
        "Not this time: the engine measured %(most)s failing the most requests (%(most_n)s) and "
        "%(fewest)s the fewest (%(fewest_n)s) when %(az)s failed. Read the hints, then predict "
        "again."
    )
    return Verdict(False, _fmt(message, **fields), measures)


AZ_OUTAGE = Lab(
    slug="az-outage",
    order=5,
    pattern="all",
    fields=(
        LabField(
            "predict_most",
            gettext_lazy("Which pattern fails the most requests?"),
            "",
            choices=PATTERN_CHOICES,
            integer=False,
            required=False,
        ),
        LabField(
            "predict_fewest",
            gettext_lazy("Which pattern fails the fewest?"),
            "",
            choices=PATTERN_CHOICES,
            integer=False,
            required=False,
        ),
    ),
    draw=_az_draw,
    build=_az_build,
    judge=_az_judge,
    validate=_az_validate,
    predict_first=True,
)


# --------------------------------------------------------------------------- 6. slow starters


# Real settings only (content review A2): Service Connect sends requests to a task as soon as it
# is RUNNING and has no app-health gating, so the learner sets what ECS really offers: the
# container health check's startPeriod, a hold container that dependsOn the app HEALTHY (the task
# stays PENDING, unregistered, until the app's first passing check) and the service's
# healthCheckGracePeriodSeconds. The team's check runs every 10 s, 3 retries. One new task is
# broken (its app never answers) and must still be replaced soon, so an endless startPeriod or
# grace period fails too. Worked example, app start A = 50 s: containers start at 70 s and are
# checked at 80, 90, ...; the app answers from 120 s. startPeriod 30 s counts failures from
# 100 s, so a starter fails at most 100 and 110 (2 < 3 retries) and passes at 120; the broken
# task fails 100, 110, 120 and is replaced at 120 s, 60 s after the scale-out.
SLOW_BROKEN_TASK = "inventory-5"
SLOW_SCALE_AT = 60
SLOW_HC_INTERVAL_S = 10
YES_NO = (("no", gettext_lazy("No")), ("yes", gettext_lazy("Yes")))


def _scale_draw(rng: random.Random) -> dict[str, Any]:
    app_start_s = rng.choice((40, 50, 60))
    return {
        "app_start_s": app_start_s,
        "replace_within_s": app_start_s + rng.choice((40, 50)),
        "max_failed": rng.choice((0, 2)),
        "hc_interval_s": SLOW_HC_INTERVAL_S,
        "broken_task": SLOW_BROKEN_TASK,
    }


def _scale_build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": "lab-slow-starters",
        "duration_s": SLOW_SCALE_AT + params["replace_within_s"] + params["app_start_s"] + 40,
        "services": [
            {"name": "user", "tasks": 3},
            {"name": "contract", "tasks": 3},
            {"name": "inventory", "tasks": 3, "app_start_s": params["app_start_s"]},
            {"name": "billing", "tasks": 3},
        ],
        "traffic": [
            {"from": "user", "to": "contract", "rps": 10},
            {"from": "contract", "to": "inventory", "rps": 10},
            {"from": "contract", "to": "billing", "rps": 10},
        ],
        "settings": {
            "ecs": {
                "container_health_interval_s": SLOW_HC_INTERVAL_S,
                "container_health_start_period_s": values["start_period_s"],
                "depends_on_healthy": values["depends_on_healthy"] == "yes",
                "health_check_grace_period_s": values["grace_period_s"],
            },
        },
        "actions": [
            {"at_s": SLOW_SCALE_AT, "do": "scale", "service": "inventory", "count": 6},
            {"at_s": SLOW_SCALE_AT, "do": "refuse_task", "task": SLOW_BROKEN_TASK},
        ],
    }


def stopped_at(result: Mapping[str, Any], task: str) -> float | None:
    for moment in result["summary"]["key_moments"]:
        if moment["kind"] == "task_stopped" and moment["task"] == task:
            return float(moment["t"])
    return None


def _scale_judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    failed = failed_requests(result)
    starters = [t for t in replaced_tasks(result) if t != SLOW_BROKEN_TASK]
    broken_at = stopped_at(result, SLOW_BROKEN_TASK)
    serving = serving_tasks(result, "inventory")
    measures = (
        (_("Failed requests"), str(failed)),
        (_("Starting tasks ECS replaced"), ", ".join(starters) or "—"),
        (
            _("Broken task replaced at"),
            f"{_s(broken_at)} s" if broken_at is not None else "—",
        ),
        (_("inventory tasks serving at the end"), str(len(serving))),
    )
    fields = {
        "failed": failed,
        "max_failed": params["max_failed"],
        "broken": SLOW_BROKEN_TASK,
        "within": params["replace_within_s"],
    }
    if starters:
        message = _(
            "Not yet: ECS replaced %(task)s while its app was still starting (%(count)s tasks in "
            "all); the goal is that no starting task is replaced. Its health check failed its "
            "retries before the app could answer."
        )
        return Verdict(False, _fmt(message, task=starters[0], count=len(starters)), measures)
    if failed > params["max_failed"]:
        message = _(
            "Not yet: callers saw %(failed)s failed requests; the goal is at most %(max_failed)s. "
            "Service Connect sent them to tasks that were RUNNING but could not answer yet."
        )
        return Verdict(False, _fmt(message, **fields), measures)
    if broken_at is None:
        message = _(
            "Not yet: by the end of the run ECS had not replaced the broken task %(broken)s; the "
            "goal is within %(within)s s of the scale-out. A start or grace period that long also "
            "hides a task that never starts."
        )
        return Verdict(False, _fmt(message, **fields), measures)
    if broken_at - SLOW_SCALE_AT > params["replace_within_s"]:
        message = _(
            "Not yet: ECS replaced the broken task %(broken)s only %(after)s s after the "
            "scale-out; the goal is within %(within)s s. A start or grace period that long also "
            "hides a task that never starts."
        )
        return Verdict(
            False, _fmt(message, after=_s(broken_at - SLOW_SCALE_AT), **fields), measures
        )
    if len(serving) < 6:
        message = _fmt(
            _("Not yet: only %(n)s inventory tasks were serving at the end; the goal is 6."),
            n=len(serving),
        )
        return Verdict(False, message, measures)
    message = _(
        "Passed: no starting task was replaced, callers saw %(failed)s failed requests (at most "
        "%(max_failed)s), ECS replaced the broken task %(after)s s after the scale-out (goal "
        "%(within)s s) and all 6 inventory tasks serve."
    )
    return Verdict(True, _fmt(message, after=_s(broken_at - SLOW_SCALE_AT), **fields), measures)


def _scale_validate(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if values.get("depends_on_healthy") not in ("yes", "no"):
        return [("depends_on_healthy", _("Choose yes or no."))]
    return []


SLOW_STARTERS = Lab(
    slug="slow-starters",
    order=6,
    pattern="service-connect",
    fields=(
        LabField(
            "depends_on_healthy",
            gettext_lazy("Hold container with dependsOn app HEALTHY"),
            "no",
            choices=YES_NO,
            integer=False,
            setting="settings.ecs.depends_on_healthy",
        ),
        LabField(
            "start_period_s",
            gettext_lazy("Container health check startPeriod (s)"),
            0,
            0,
            300,
            setting="settings.ecs.container_health_start_period_s",
        ),
        LabField(
            "grace_period_s",
            gettext_lazy("healthCheckGracePeriodSeconds (s)"),
            0,
            0,
            7200,
            setting="settings.ecs.health_check_grace_period_s",
        ),
    ),
    draw=_scale_draw,
    build=_scale_build,
    judge=_scale_judge,
    validate=_scale_validate,
)


# --------------------------------------------------------------------------- the registry

#: Every lab by slug, in order. Labs defined elsewhere register themselves: a module
#: ``patterns/labs/lab_<name>.py`` is imported below and calls :func:`register` for its labs.
LABS: dict[str, Lab] = {}


def register(lab: Lab) -> Lab:
    """Add a lab to :data:`LABS` (kept sorted by ``order``); slugs and orders must be unique."""
    if lab.slug in LABS or any(other.order == lab.order for other in LABS.values()):
        raise ValueError(f"lab {lab.slug!r} (order {lab.order}) is registered already")
    LABS[lab.slug] = lab
    ordered = sorted(LABS.values(), key=lambda item: item.order)
    LABS.clear()
    LABS.update((item.slug, item) for item in ordered)
    return lab


for _lab in (ELB_DEAD_TASK, STALE_DNS, SC_OUTLIER, MESH_CANARY, AZ_OUTAGE, SLOW_STARTERS):
    register(_lab)


def _discover() -> None:
    for module in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if module.name.startswith("lab_"):
            importlib.import_module(f"patterns.labs.{module.name}")


_discover()
