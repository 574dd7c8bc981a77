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

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from patterns.catalog import PATTERN_NAMES
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, compare, run
from patterns.sim.narrate import keep_units, narrate
from patterns.sim.scenario import setting_bounds


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
    # A diagnosis or prediction: its choices are listed in an order drawn per attempt, so the
    # right answer's place does not carry over from a neighbour or a previous variant.
    shuffle: bool = False


def setting_field(name: str, label: Any, default: Any, setting: str, **kw: Any) -> LabField:
    """A number field that fills the engine setting ``setting`` (``settings.alb.x``): its range is
    the one the engine publishes (``setting_bounds``), as on the playground's form, so the page's
    min/max and the engine's refusals agree and an engine error lands beside this field."""
    bounds = setting_bounds(setting.removeprefix("settings."))
    if bounds is None:
        raise ValueError(f"{setting} is not a number setting of the engine")
    lo, hi, _whole = bounds
    return LabField(name, label, default, lo, hi, setting=setting, **kw)


def choice_order(lab_slug: str, spec: LabField, attempt_seed: int) -> list[tuple[str, Any]]:
    """``spec.choices`` in the order this attempt shows them (the same on every request)."""
    choices = list(spec.choices)
    if spec.shuffle:
        random.Random(f"{lab_slug}:{spec.name}:{attempt_seed}").shuffle(choices)
    return choices


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

    @property
    def headline(self) -> str:
        """What the page says above the outcomes: the passed message, or for a failed Check how
        many goals broke. The outcome list below names each side with its figures, so the page
        says each of them once (``message`` repeats them for a reader without the list)."""
        broken = sum(1 for o in self.outcomes if not o.passed)
        if self.passed or not broken:
            return self.message
        return _fmt(
            _("Not yet: %(broken)s of %(total)s goals not met."),
            broken=broken,
            total=len(self.outcomes),
        )


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
        # Japanese sentences end in 。 and run on without a space; English ones need one.
        sides = ("" if _lang() == "ja" else " ").join(
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
    # One prediction a variant: a wrong one spends the attempt (a second guess would be a coin
    # toss among what is left), so the learner draws a new variant. Labs that are worked out
    # rather than guessed (choose-pattern) keep predict_first without it.
    one_try: bool = False
    # A lab about behaviour AWS fixes (nothing here is a setting): labelled a what-if on its page.
    what_if: bool = False
    # A lab graded on its "In AWS" configuration: how the learner's values reach the services
    # (the generator's Wire as the panel's parameters); the panel then shows the learner's choice.
    inaws_wire: Callable[[Mapping[str, Any]], dict[str, str]] | None = None

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


# --------------------------------------------------------------------------- evidence


def _lang() -> str:
    return "ja" if (get_language() or "en").startswith("ja") else "en"


def first_event(
    result: Mapping[str, Any], cause: str, task: str | None = None, after: float = -1.0
) -> dict[str, Any] | None:
    """The first engine event of ``cause`` (about ``task``) after ``after`` seconds."""
    for event in result["events"]:
        mine = task is None or event.get("task") == task
        if event.get("cause") == cause and event["t"] > after and mine:
            return dict(event)
    return None


def evidence(events: Sequence[Mapping[str, Any] | None]) -> tuple[tuple[float, str], ...]:
    """The key events behind a verdict, in time order, as the engine narrates them (each number
    kept on one line with its unit, as the player's event lines are)."""
    found = sorted((e for e in events if e is not None), key=lambda e: float(e["t"]))
    lang = _lang()
    return tuple(
        (round(float(e["t"]), 1), keep_units(narrate(e, lang, with_time=False))) for e in found
    )


def _tasks(service: str, count: int = 3) -> tuple[str, ...]:
    return tuple(f"{service}-{n}" for n in range(1, count + 1))


# --------------------------------------------------------------------------- 1. ELB dead task


# Two sides: a task that stops answering (blackholed) must stop getting requests within the goal,
# and another task that pauses now and then (stop-the-world GC: it answers nothing for pause_s,
# its health checks time out) must never be marked unhealthy by any load balancer node. A pause
# fails every check sent during it while the timeout is shorter than the pause, so the threshold
# must exceed the checks one pause can hold (about pause_s / interval); the dead task is out after
# about threshold x interval + timeout. The goal leaves a few seconds over the tightest fit.
def _elb_draw(rng: random.Random) -> dict[str, Any]:
    dead, paused = rng.sample(_tasks("inventory"), 2)
    fault_at = rng.randrange(50, 91, 5)
    pause_s = rng.randrange(8, 20)
    first = rng.randrange(10, 35)
    pauses = [first, first + rng.randrange(60, 80), first + rng.randrange(140, 160)]
    tightest = 5 * (math.ceil(pause_s / 5) + 1)
    return {
        "fault_at": fault_at,
        "dead_task": dead,
        "paused_task": paused,
        "pause_s": pause_s,
        "pauses": pauses,
        "goal_s": tightest + rng.choice((4, 5, 6, 7, 8)),
    }


def _elb_build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    actions: list[dict[str, Any]] = [
        {"at_s": params["fault_at"], "do": "blackhole_task", "task": params["dead_task"]}
    ]
    for at in params["pauses"]:
        actions += [
            {
                "at_s": at,
                "do": "slow_task",
                "task": params["paused_task"],
                "delay_ms": params["pause_s"] * 1000,
                "health_check": True,
            },
            {"at_s": at + params["pause_s"], "do": "recover_task", "task": params["paused_task"]},
        ]
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
        "actions": sorted(actions, key=lambda a: a["at_s"]),
    }


def _elb_judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    fault_at = float(params["fault_at"])
    dead, paused = params["dead_task"], params["paused_task"]
    last = last_attempt_to(result, dead)
    end = float(result["t"])
    window = (last - fault_at) if last is not None and last > fault_at else 0.0
    still = last is not None and last >= end - 1
    marked = first_event(result, "unhealthy_threshold_reached", paused)
    dead_marked = first_event(result, "unhealthy_threshold_reached", dead, fault_at)
    fields = {
        "dead": dead,
        "paused": paused,
        "last": _s(last if last is not None else fault_at),
        "window": _s(window),
        "goal": params["goal_s"],
        "pause": params["pause_s"],
        "n": len(params["pauses"]),
    }
    fast = window <= params["goal_s"] and not still
    if still:
        detect = _(
            "the dead task %(dead)s still got requests at the end of the run, %(window)s s after "
            "it stopped answering; the goal is at most %(goal)s s."
        )
    else:
        detect = _(
            "the dead task %(dead)s got its last request at %(last)s s, %(window)s s after it "
            "stopped answering; the goal is at most %(goal)s s."
        )
    if marked is None:
        keep = _(
            "no load balancer node marked %(paused)s unhealthy during its %(n)s pauses of "
            "%(pause)s s."
        )
    else:
        keep = _(
            "a load balancer node marked %(paused)s unhealthy at %(at)s s during a %(pause)s s "
            "pause and stopped sending it requests; the goal is that no node marks it unhealthy."
        )
        fields["at"] = _s(float(marked["t"]))
    outcomes = (
        Outcome("detect", _("Dead task out fast"), fast, _fmt(detect, **fields)),
        Outcome("keep", _("Pausing task kept"), marked is None, _fmt(keep, **fields)),
    )
    measures = (
        (_("Stopped answering at"), f"{_s(fault_at)} s"),
        (_("Last request it got"), f"{_s(last)} s" if last is not None else "—"),
        (_("Dead-task window"), f"{_s(window)} s"),
        (_("Health checks failed"), str(result["summary"]["alb"]["health_checks_failed"])),
        (_("Failed requests"), str(failed_requests(result))),
    )
    if marked is not None:
        moment: float | None = float(marked["t"])
    else:
        moment = last
    pause_at = first_event(result, "action_applied", paused)
    events = evidence(
        [
            first_event(result, "action_applied", dead, fault_at - 1),
            marked or pause_at,
            dead_marked,
            first_event(result, "ecs_replaced_unhealthy", dead),
        ]
    )
    passed = _fmt(
        _(
            "Passed: %(dead)s got its last request %(window)s s after it stopped answering (goal "
            "at most %(goal)s s), and no node marked %(paused)s unhealthy during its pauses."
        ),
        **fields,
    )
    return judged(outcomes, measures, passed, moment, events)


def _elb_validate(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if values["timeout_s"] >= values["interval_s"]:
        return [("timeout_s", _("The timeout must be shorter than the interval."))]
    return []


ELB_DEAD_TASK = Lab(
    slug="elb-dead-task",
    order=1,
    pattern="elb",
    fields=(
        setting_field(
            "interval_s",
            gettext_lazy("Health check interval (s)"),
            30,
            "settings.alb.health_check_interval_s",
        ),
        setting_field(
            "timeout_s",
            gettext_lazy("Health check timeout (s)"),
            5,
            "settings.alb.health_check_timeout_s",
        ),
        setting_field(
            "unhealthy_threshold",
            gettext_lazy("Unhealthy threshold"),
            2,
            "settings.alb.unhealthy_threshold",
        ),
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


# Two sides: few failed requests during a rolling deployment, and few Route 53 queries. A short
# TTL lets callers learn the new IPs sooner but makes the VPC resolvers ask Route 53 again and
# again (about ten queries per TTL in this run's topology); the budget is what a TTL of ttl_min
# seconds costs over the run, so a TTL much below ttl_min breaks it. Client retries on another IP
# soften the stale window; caching forever never learns.
DNS_QUERIES_PER_TTL = 10


def _dns_draw(rng: random.Random) -> dict[str, Any]:
    deploy_at = rng.randrange(40, 81, 5)
    duration = deploy_at + 360
    ttl_min = rng.choice((6, 8, 10, 12, 15, 18, 20, 25))
    return {
        "deploy_at": deploy_at,
        "ttl_min": ttl_min,
        "max_queries": math.ceil(DNS_QUERIES_PER_TTL * duration / ttl_min / 10) * 10,
        # a longer TTL leaves callers on stale IPs longer, even with retries: more room
        "max_failed": 40 + 3 * ttl_min + rng.choice((10, 20, 30)),
    }


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
    failed = failed_requests(result)
    queries = int(result["summary"]["dns"]["route53_queries"])
    fields = {
        "failed": failed,
        "max_failed": params["max_failed"],
        "queries": queries,
        "max_queries": params["max_queries"],
    }
    outcomes = (
        Outcome(
            "failures",
            _("Few failed requests"),
            failed <= params["max_failed"],
            _fmt(
                _(
                    "callers saw %(failed)s failed requests during the deployment; the goal is at "
                    "most %(max_failed)s."
                ),
                **fields,
            ),
        ),
        Outcome(
            "queries",
            _("Within the DNS query budget"),
            queries <= params["max_queries"],
            _fmt(
                _(
                    "the VPC resolvers sent %(queries)s queries to Route 53; the budget is "
                    "%(max_queries)s."
                ),
                **fields,
            ),
        ),
    )
    measures = (
        (_("Deployment started at"), f"{deploy_at} s"),
        (_("Last second with a failed request"), f"{last} s" if last is not None else "—"),
        (_("Failed requests"), str(failed)),
        (_("Client retries"), str(result["summary"]["retries"])),
        (_("Route 53 queries"), str(queries)),
    )
    first_stale = first_event(result, "connect_timeout", after=deploy_at)
    events = evidence(
        [
            first_event(result, "deployment_started"),
            first_event(result, "cloud_map_deregistered"),
            first_event(result, "dns_propagated", after=deploy_at),
            first_stale,
            first_event(result, "deployment_finished"),
        ]
    )
    moment = float(first_stale["t"]) if first_stale is not None else float(deploy_at)
    passed = _fmt(
        _(
            "Passed: callers saw %(failed)s failed requests (at most %(max_failed)s) and the "
            "resolvers sent %(queries)s queries to Route 53 (budget %(max_queries)s)."
        ),
        **fields,
    )
    return judged(outcomes, measures, passed, moment, events)


STALE_DNS = Lab(
    slug="stale-dns",
    order=2,
    pattern="service-discovery",
    fields=(
        setting_field(
            "dns_ttl_s", gettext_lazy("Record TTL (s)"), 300, "settings.cloud_map.dns_ttl_s"
        ),
        setting_field("retries", gettext_lazy("Client retries"), 0, "settings.client.retries"),
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
#
# Two sides: few failed requests, and no long waits (the 99th percentile of answer times). A
# timeout above the slow task's delay lets every request to it succeed 20 to 40 s late; one at or
# just above the slowest healthy answer fails fast, so the proxies eject the task soonest.
# Measured failures grow with the timeout (about 60 at 2 s, 70 at 3 s, 76 at 4 s, 87 at
# 5 s, 122 at 6 s), so the goal allows the tightest whole second above the healthy answers and a
# little more.
SC_LATENCIES_MS = (800, 1000, 1200, 1400, 1800, 2200, 2600, 3000)


def _sc_draw(rng: random.Random) -> dict[str, Any]:
    latency_ms = rng.choice(SC_LATENCIES_MS)
    normal_s = latency_ms * 1.5 / 1000
    tightest = math.floor(normal_s) + 1
    return {
        "slow_task": rng.choice(_tasks("inventory")),
        "fail_at": rng.randrange(40, 81, 5),
        "latency_ms": latency_ms,
        "normal_s": f"{normal_s:g}",
        "delay_s": rng.choice((20, 25, 30, 40)),
        "max_failed": 40 + 10 * tightest + rng.choice((20, 22, 24)),
        "max_p99_s": rng.choice((8, 10, 12)),
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
                "task": params["slow_task"],
                "delay_ms": params["delay_s"] * 1000,
            }
        ],
    }


def _sc_judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    failed = failed_requests(result)
    outlier = result["summary"].get("outlier", {})
    p99_s = float(result["summary"]["p99_ms"]) / 1000
    timeout = float(values["per_request_timeout_s"])
    fields = {
        "failed": failed,
        "max_failed": params["max_failed"],
        "timeout": _s(timeout),
        "normal": params["normal_s"],
        "p99": _s(p99_s),
        "max_p99": params["max_p99_s"],
    }
    few = _("callers saw %(failed)s failed requests; the goal is at most %(max_failed)s.")
    if failed > params["max_failed"] and timeout < float(params["normal_s"]):
        few += " " + _(
            "A %(timeout)s s timeout also cuts off the healthy tasks, whose answers take up to "
            "%(normal)s s."
        )
    outcomes = (
        Outcome(
            "failures",
            _("Few failed requests"),
            failed <= params["max_failed"],
            _fmt(few, **fields),
        ),
        Outcome(
            "wait",
            _("No long waits"),
            p99_s <= params["max_p99_s"],
            _fmt(
                _(
                    "99 %% of requests got their answer within %(p99)s s; the goal is at most "
                    "%(max_p99)s s."
                ),
                **fields,
            ),
        ),
    )
    measures = (
        (_("Failed requests callers saw"), str(failed)),
        (_("99th percentile answer time"), f"{_s(p99_s)} s"),
        (_("Ejections"), str(outlier.get("enforced", 0))),
    )
    ejected = first_event(result, "outlier_ejected", params["slow_task"])
    events = evidence(
        [
            first_event(result, "action_applied", params["slow_task"]),
            first_event(result, "per_request_timeout", after=params["fail_at"]),
            ejected,
        ]
    )
    moment = float(ejected["t"]) if ejected is not None else float(params["fail_at"])
    passed = _fmt(
        _(
            "Passed: %(failed)s failed requests (goal at most %(max_failed)s) and 99 %% of "
            "answers within %(p99)s s (goal %(max_p99)s s) with a %(timeout)s s per-request "
            "timeout."
        ),
        **fields,
    )
    return judged(outcomes, measures, passed, moment, events)


SC_OUTLIER = Lab(
    slug="service-connect-outlier",
    order=3,
    pattern="service-connect",
    fields=(
        setting_field(
            "per_request_timeout_s",
            gettext_lazy("Per-request timeout (perRequestTimeoutSeconds, s)"),
            15,
            "settings.service_connect.per_request_timeout_s",
        ),
    ),
    draw=_sc_draw,
    build=_sc_build,
    judge=_sc_judge,
)


# --------------------------------------------------------------------------- 4. App Mesh canary


# Two sides: the canary must run long enough to judge (at least min_canary requests over at least
# min_s seconds: an alarm needs data points) and the rollback must cap the failures callers see.
# About CANARY_RPS requests a second reach the inventory virtual service, so a weight of w % sends
# the canary about w / 100 x CANARY_RPS a second; 100 % fails the cap, 1 % never gathers enough.
CANARY_RPS = 10
CANARY_DURATION_S = 240


def _canary_draw(rng: random.Random) -> dict[str, Any]:
    fail_percent = rng.choice((20, 30, 40, 50, 60))
    min_canary = rng.choice((30, 40, 50, 60))
    # Room for an honest canary: the expected failures of exactly min_canary requests, tripled
    # (the routing and the failures are random per request).
    max_failed = math.ceil(min_canary * fail_percent / 100 * 3)
    return {
        "fail_percent": fail_percent,
        "min_canary": min_canary,
        "min_s": rng.choice((30, 45, 60, 75, 90)),
        "max_failed": max_failed,
    }


def _rollback_at(values: Mapping[str, Any]) -> float | None:
    """When the learner rolls back; at or after the run's end is never."""
    at = values.get("rollback_at_s")
    return None if at is None or at >= CANARY_DURATION_S else float(at)


def _canary_build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    scenario = copy.deepcopy(BUILTIN_SCENARIOS["canary-90-10"])
    scenario["name"] = "lab-canary"
    scenario["duration_s"] = CANARY_DURATION_S
    weight = int(values["canary_weight"])
    targets = [{"virtual_node": "inventory", "weight": 100 - weight}]
    if weight:
        targets.append({"virtual_node": "inventory-v2", "weight": weight})
    scenario["settings"]["app_mesh"]["routes"]["inventory"] = targets
    for action in scenario["actions"]:
        action["probability"] = params["fail_percent"] / 100
    rollback = _rollback_at(values)
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
    rollback = _rollback_at(values)
    ran = float(rollback) if rollback is not None else float(result["t"])
    weight = int(values["canary_weight"])
    ran_s = ran if weight else 0.0
    fields = {
        "canary": canary,
        "min_canary": params["min_canary"],
        "ran": _s(ran_s),
        "min_s": params["min_s"],
        "failed": failed,
        "max_failed": params["max_failed"],
    }
    enough = canary >= params["min_canary"] and ran_s >= params["min_s"]
    if rollback is None:
        cap_ok = False
        cap = _(
            "you never rolled back: inventory-v2 kept its share to the end and callers saw "
            "%(failed)s failed requests; the cap is %(max_failed)s."
        )
    else:
        cap_ok = failed <= params["max_failed"]
        cap = _(
            "callers saw %(failed)s failed requests before the rollback; the cap is at most "
            "%(max_failed)s."
        )
    outcomes = (
        Outcome(
            "data",
            _("Enough data to judge"),
            enough,
            _fmt(
                _(
                    "inventory-v2 got %(canary)s requests over %(ran)s s; judging it needs at "
                    "least %(min_canary)s requests over at least %(min_s)s s."
                ),
                **fields,
            ),
        ),
        Outcome("cap", _("Failures capped"), cap_ok, _fmt(cap, **fields)),
    )
    measures = (
        (_("Requests to inventory-v2"), str(canary)),
        (_("Failed requests"), str(failed)),
        (_("Last second inventory-v2 got traffic"), f"{last} s" if last is not None else "—"),
    )
    rolled = first_event(result, "setting_changed")
    events = evidence([first_event(result, "request_failed"), rolled])
    moment = float(rollback) if rollback is not None else (float(last) if last is not None else 0.0)
    passed = _fmt(
        _(
            "Passed: the canary got %(canary)s requests over %(ran)s s (at least %(min_canary)s "
            "over %(min_s)s s) and the rollback kept failed requests to %(failed)s (at most "
            "%(max_failed)s)."
        ),
        **fields,
    )
    return judged(outcomes, measures, passed, moment, events)


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


# The team's setup is drawn per attempt, one knob at a time, and each knob moves the answer (the
# engine's runs, seeds 0-99: no pattern is the right "most" or "fewest" in more than about half of
# the variants; tests/labs/test_checks.py holds the spread):
# - the callers' own HTTP client retries (ELB and Service Discovery): none, and Service Discovery's
#   callers keep failing until their DNS answers expire, so it fails the most; 3, and they heal
#   themselves on the surviving tasks;
# - App Mesh's route retry policy (maxRetries): 0, and every request its Envoy sends into the dead
#   AZ fails (no outlier detection configured); the default 2, and most are retried elsewhere;
# - Service Connect's perRequestTimeoutSeconds: the default 15 s leaves room for Envoy's 5 s
#   connect timeout and a retry, so nobody notices; a team that set 2 or 3 s "to fail fast" cuts
#   every request to an unreachable task off before the retry, and Service Connect fails too;
# - the Cloud Map TTL and the ALB health-check interval say how long the stale answers last.
# A wrong prediction spends the attempt and shows nothing of the run, so the answer is never
# printed before a pass; a new variant draws another setup.
AZ_CLIENT_RETRIES = (0, 3)
AZ_MESH_RETRIES = (0, 2)
AZ_SC_TIMEOUTS_S = (15, 2, 3)
AZ_DNS_TTLS_S = (5, 10, 30, 60)
AZ_ALB_INTERVALS_S = (5, 10)


def _az_draw(rng: random.Random) -> dict[str, Any]:
    return {
        "az": rng.choice(AZS),
        "outage_at": rng.randrange(40, 81, 5),
        "retries": rng.choices(AZ_CLIENT_RETRIES, weights=(1, 2))[0],
        "dns_ttl_s": rng.choice(AZ_DNS_TTLS_S),
        "alb_interval_s": rng.choice(AZ_ALB_INTERVALS_S),
        "mesh_retries": rng.choice(AZ_MESH_RETRIES),
        "sc_timeout_s": rng.choice(AZ_SC_TIMEOUTS_S),
    }


def _az_build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    alb: dict[str, Any] = {"health_check_interval_s": params["alb_interval_s"]}
    if params["alb_interval_s"] <= 5:
        alb["health_check_timeout_s"] = 2
    return {
        "name": "lab-az-outage",
        "duration_s": 240,
        "settings": {
            "client": {"retries": params["retries"]},
            "cloud_map": {"dns_ttl_s": params["dns_ttl_s"]},
            "alb": alb,
            "app_mesh": {"retry_policy": {"num_retries": params["mesh_retries"]}},
            "service_connect": {"per_request_timeout_s": params["sc_timeout_s"]},
        },
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
    most_n, fewest_n = max(failed.values()), min(failed.values())
    # Ties count for every pattern tied, so a prediction is judged on what the engine measured.
    right_most = failed.get(values["predict_most"]) == most_n
    right_fewest = failed.get(values["predict_fewest"]) == fewest_n
    mine = {
        "most": PATTERN_NAMES.get(values["predict_most"], "?"),
        "fewest": PATTERN_NAMES.get(values["predict_fewest"], "?"),
        "az": params["az"],
    }
    held = _("your prediction, %(name)s, held.")
    missed = _("your prediction, %(name)s, did not hold.")
    outcomes = (
        Outcome(
            "most",
            _("Most failed requests"),
            right_most,
            _fmt(held if right_most else missed, name=mine["most"]),
        ),
        Outcome(
            "fewest",
            _("Fewest failed requests"),
            right_fewest,
            _fmt(held if right_fewest else missed, name=mine["fewest"]),
        ),
    )
    if not (right_most and right_fewest):  # no figures, no run: they would print the answer
        return judged(outcomes, (), "")
    measures = tuple((PATTERN_NAMES[p], str(failed[p])) for p in PATTERNS)
    message = _fmt(
        _(
            "Passed: both predictions hold. When %(az)s failed, %(most)s failed the most requests "
            "(%(most_n)s) and %(fewest)s the fewest (%(fewest_n)s)."
        ),
        most_n=most_n,
        fewest_n=fewest_n,
        **mine,
    )
    return judged(outcomes, measures, message, float(params["outage_at"]))


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
            shuffle=True,
        ),
        LabField(
            "predict_fewest",
            gettext_lazy("Which pattern fails the fewest?"),
            "",
            choices=PATTERN_CHOICES,
            integer=False,
            required=False,
            shuffle=True,
        ),
    ),
    draw=_az_draw,
    build=_az_build,
    judge=_az_judge,
    validate=_az_validate,
    predict_first=True,
    one_try=True,
    what_if=True,
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
SLOW_SCALE_AT = 60
SLOW_HC_INTERVAL_S = 10
YES_NO = (("no", gettext_lazy("No")), ("yes", gettext_lazy("Yes")))


def _scale_draw(rng: random.Random) -> dict[str, Any]:
    app_start_s = rng.choice((40, 50, 60, 70, 80))
    return {
        "app_start_s": app_start_s,
        "replace_within_s": app_start_s + rng.choice((30, 40)),
        "max_failed": rng.choice((0, 2)),
        "hc_interval_s": SLOW_HC_INTERVAL_S,
        "broken_task": rng.choice(("inventory-4", "inventory-5", "inventory-6")),
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
            {"at_s": SLOW_SCALE_AT, "do": "refuse_task", "task": params["broken_task"]},
        ],
    }


def stopped_at(result: Mapping[str, Any], task: str) -> float | None:
    for moment in result["summary"]["key_moments"]:
        if moment["kind"] == "task_stopped" and moment["task"] == task:
            return float(moment["t"])
    return None


def _scale_judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    broken = params["broken_task"]
    failed = failed_requests(result)
    starters = [t for t in replaced_tasks(result) if t != broken]
    broken_at = stopped_at(result, broken)
    serving = serving_tasks(result, "inventory")
    after = broken_at - SLOW_SCALE_AT if broken_at is not None else None
    fields = {
        "failed": failed,
        "max_failed": params["max_failed"],
        "broken": broken,
        "within": params["replace_within_s"],
        "after": _s(after) if after is not None else "—",
        "task": starters[0] if starters else "—",
        "count": len(starters),
        "n": len(serving),
    }
    if starters:
        kept = _(
            "ECS replaced %(task)s while its app was still starting (%(count)s tasks in all); "
            "its health check failed its retries before the app could answer."
        )
    else:
        kept = _("ECS replaced no task whose app was still starting.")
    if broken_at is None:
        gone = _(
            "by the end of the run ECS had not replaced the broken task %(broken)s; the goal is "
            "within %(within)s s of the scale-out. A start or grace period that long also hides "
            "a task that never starts."
        )
    else:
        gone = _(
            "ECS replaced the broken task %(broken)s %(after)s s after the scale-out; the goal is "
            "within %(within)s s."
        )
    quick = after is not None and after <= params["replace_within_s"]
    outcomes = (
        Outcome("starters", _("Starting tasks kept"), not starters, _fmt(kept, **fields)),
        Outcome(
            "failures",
            _("Few failed requests"),
            failed <= params["max_failed"],
            _fmt(
                _(
                    "callers saw %(failed)s failed requests; the goal is at most %(max_failed)s. "
                    "Service Connect sends requests to a task as soon as it is RUNNING."
                ),
                **fields,
            ),
        ),
        Outcome("broken", _("Broken task replaced soon"), quick, _fmt(gone, **fields)),
        Outcome(
            "serving",
            _("All 6 tasks serving"),
            len(serving) >= 6,
            _fmt(_("%(n)s inventory tasks were serving at the end; the goal is 6."), **fields),
        ),
    )
    measures = (
        (_("Failed requests"), str(failed)),
        (_("Starting tasks ECS replaced"), ", ".join(starters) or "—"),
        (
            _("Broken task replaced at"),
            f"{_s(broken_at)} s" if broken_at is not None else "—",
        ),
        (_("inventory tasks serving at the end"), str(len(serving))),
    )
    first_replaced = first_event(result, "task_stopped", starters[0]) if starters else None
    events = evidence(
        [
            first_event(result, "container_health_failed"),
            first_replaced,
            first_event(result, "task_stopped", broken),
        ]
    )
    if first_replaced is not None:
        moment: float | None = float(first_replaced["t"])
    else:
        moment = broken_at
    passed = _fmt(
        _(
            "Passed: no starting task was replaced, callers saw %(failed)s failed requests (at "
            "most %(max_failed)s), ECS replaced the broken task %(after)s s after the scale-out "
            "(goal %(within)s s) and all 6 inventory tasks serve."
        ),
        **fields,
    )
    return judged(outcomes, measures, passed, moment, events)


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
        setting_field(
            "start_period_s",
            gettext_lazy("Container health check startPeriod (s)"),
            0,
            "settings.ecs.container_health_start_period_s",
        ),
        setting_field(
            "grace_period_s",
            gettext_lazy("healthCheckGracePeriodSeconds (s)"),
            0,
            "settings.ecs.health_check_grace_period_s",
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
