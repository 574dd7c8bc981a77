"""Lab: a rolling deployment stuck in a crash loop, because the new revision starts slowly.

The new ``inventory`` revision needs ``app_start_s`` after its containers start before its app
answers; the task definition's container health check runs every ``hc_interval_s`` with 3
retries. With no ``startPeriod`` the third failed check comes before the app is up, ECS replaces
the task, its replacement does the same: the event list shows ``ecs_replaced_unhealthy`` every few
tens of seconds and the deployment never finishes. One new task (``broken_task``) really is
broken: its app never answers, and ECS must still replace it soon after the deploy, so an
endless start or grace period fails too.

The settings are the ones of the slow-starters lab (``dependsOn`` HEALTHY, ``startPeriod``,
``healthCheckGracePeriodSeconds``); the scenario differs: a deployment rather than a scale-out,
a drawn check interval, the loop to read in the events. Worked example, app start 60 s, checks
every 10 s, deploy at 30 s: containers start at 40 s, checks at 50, 60, ..., the app answers from
100 s, so the check at 100 s passes. startPeriod 40 s counts only the checks at 80 and 90 s (2 < 3),
and the broken task fails 80, 90, 100 and is replaced at 100 s, 70 s after the deploy.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _

from patterns.labs.checks import (
    SLOW_STARTERS,
    Lab,
    Outcome,
    Verdict,
    _fmt,
    _s,
    failed_requests,
    judged,
    register,
)

SERVICE = "inventory"
DEPLOY_AT = 30
TASK_START_S = 10  # ecs.task_start_s: launch -> containers started (the engine's default)
RETRIES = 3
REPLACED = ("ecs_replaced_unhealthy", "grace_period_ended_unhealthy")
# (check interval, app start) pairs where three checks fail before the app is up: a loop.
STARTS = {10: (45, 60, 75), 15: (60, 75, 90), 20: (75, 90)}


def _draw(rng: random.Random) -> dict[str, Any]:
    interval = rng.choice(sorted(STARTS))
    app_start_s = rng.choice(STARTS[interval])
    first_pass = math.ceil(app_start_s / interval) * interval  # after the containers start
    return {
        "deploy_at": DEPLOY_AT,
        "hc_interval_s": interval,
        "app_start_s": app_start_s,
        "broken_task": f"{SERVICE}-{rng.choice((4, 5, 6))}",
        "replace_within_s": TASK_START_S + first_pass + interval * rng.choice((1, 2)),
        "max_failed": rng.choice((0, 2)),
    }


def _build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": "lab-crash-loop",
        "duration_s": DEPLOY_AT + params["replace_within_s"] + 200,
        "services": [
            {"name": "contract", "tasks": 2},
            {"name": SERVICE, "tasks": 3, "app_start_s": params["app_start_s"]},
        ],
        "traffic": [{"from": "contract", "to": SERVICE, "rps": 10}],
        "settings": {
            "ecs": {
                "container_health_interval_s": params["hc_interval_s"],
                "container_health_retries": RETRIES,
                "container_health_start_period_s": values["start_period_s"],
                "depends_on_healthy": values["depends_on_healthy"] == "yes",
                "health_check_grace_period_s": values["grace_period_s"],
            },
        },
        "actions": [
            {"at_s": DEPLOY_AT, "do": "deploy", "service": SERVICE},
            {"at_s": DEPLOY_AT, "do": "refuse_task", "task": params["broken_task"]},
        ],
    }


def replacements(result: Mapping[str, Any]) -> list[tuple[float, str]]:
    """(time, task) of every task ECS replaced for its health, in order."""
    return [(float(e["t"]), e["task"]) for e in result["events"] if e["cause"] in REPLACED]


def _event_t(result: Mapping[str, Any], cause: str) -> float | None:
    return next((float(e["t"]) for e in result["events"] if e["cause"] == cause), None)


def _judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    broken = params["broken_task"]
    replaced = replacements(result)
    starters = [(t, task) for t, task in replaced if task != broken]
    broken_at = next((t for t, task in replaced if task == broken), None)
    finished = _event_t(result, "deployment_finished")
    failed = failed_requests(result)
    first_error = min(
        (row["t"] for row in result["client_timeline"] if row["errors"]), default=None
    )
    measures = (
        (_("Starting tasks ECS replaced"), str(len(starters))),
        (_("Broken task replaced at"), f"{_s(broken_at)} s" if broken_at is not None else "—"),
        (_("Failed requests"), str(failed)),
        (_("Deployment finished at"), f"{_s(finished)} s" if finished is not None else "—"),
    )
    fields = {
        "broken": broken,
        "within": params["replace_within_s"],
        "failed": failed,
        "max_failed": params["max_failed"],
        "deploy_at": DEPLOY_AT,
        "count": len(starters),
    }
    if starters:
        loop = _fmt(
            _(
                "ECS replaced %(task)s at %(t)s s while its app was still starting, %(count)s "
                "starting tasks in all: a crash loop. Its health check used up its retries before "
                "the app could answer."
            ),
            task=starters[0][1],
            t=_s(starters[0][0]),
            **fields,
        )
    else:
        loop = _("ECS replaced no starting task.")
    if broken_at is None:
        late = _fmt(
            _("ECS never replaced %(broken)s; the goal is within %(within)s s of the deployment."),
            **fields,
        )
    else:
        late = _fmt(
            _(
                "ECS replaced %(broken)s %(after)s s after the deployment started at %(deploy_at)s "
                "s; the goal is within %(within)s s."
            ),
            after=_s(broken_at - DEPLOY_AT),
            **fields,
        )
    in_time = broken_at is not None and broken_at - DEPLOY_AT <= params["replace_within_s"]
    outcomes = (
        Outcome("no-crash-loop", _("Starting tasks kept"), not starters, loop),
        Outcome("broken-replaced", _("Broken task replaced in time"), in_time, late),
        Outcome(
            "callers-spared",
            _("Callers spared"),
            failed <= params["max_failed"],
            _fmt(
                _("callers saw %(failed)s failed requests; the goal is at most %(max_failed)s."),
                **fields,
            ),
        ),
    )
    moments = {
        "no-crash-loop": starters[0][0] if starters else None,
        "broken-replaced": broken_at if broken_at is not None else DEPLOY_AT + fields["within"],
        "callers-spared": first_error,
    }
    broken_sides = [o.key for o in outcomes if not o.passed]
    moment = moments[broken_sides[0]] if broken_sides else broken_at
    events = tuple(
        (t, _fmt(_("ECS replaced %(task)s: its health check failed."), task=task))
        for t, task in replaced[:6]
    )
    passed = _fmt(
        _(
            "Passed: no starting task was replaced, ECS replaced the broken task %(broken)s "
            "%(after)s s after the deployment started (goal %(within)s s), callers saw %(failed)s "
            "failed requests (at most %(max_failed)s) and the deployment finished at %(finished)s s."
        ),
        after=_s(broken_at - DEPLOY_AT) if broken_at is not None else "—",
        finished=_s(finished) if finished is not None else "—",
        **fields,
    )
    return judged(outcomes, measures, passed, moment, events)


CRASH_LOOP = Lab(
    slug="crash-loop",
    order=8,
    pattern="service-connect",
    fields=SLOW_STARTERS.fields,
    draw=_draw,
    build=_build,
    judge=_judge,
    validate=SLOW_STARTERS.validate,
)

register(CRASH_LOOP)
