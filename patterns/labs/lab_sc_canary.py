"""Lab: a Service Connect canary deployment whose alarm must roll back a bad green, and only that.

One run deploys ``inventory`` twice with the learner's CANARY settings (``canaryPercent``,
``canaryBakeTimeInMinutes``, a CloudWatch error-rate alarm with ``rollback``, and how much test
traffic the team's ``smoke`` client sends with the ``x-amzn-ecs-blue-green-test`` header). One
release is good, one is bad; the draw decides which comes first, how bad the bad one is and when
it starts failing (from its first request, or only some seconds into the canary, as a leak does).
Every revision also answers ``noise_percent`` of requests with a 504 (a slow downstream), so an
alarm at or below that rate rolls back a good release.

The Check pulls three ways: the bad release must be rolled back with at most ``max_user_failures``
failed production requests; the good release must not be rolled back; and its canary step must
have run at least ``min_canary_s`` with ``min_canary_requests`` production requests to green.
A 100 % canary gives no data, a long one lets a late failure through to many users, an alarm
too low or over too few requests rolls back the good release.

Timing (STAGE_S = 10 s, the sample task definition's container check every 30 s): green is healthy
40 s after the deploy, test traffic moves at +40, the canary step at +50, all production at
+60 + 60 x bake. A bad green that fails "20 s into the canary" starts at +70.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patterns.labs.checks import Lab, LabField, Outcome, Verdict, _fmt, _s, judged, register

SERVICE = "inventory"
SMOKE = "smoke"
FIRST_DEPLOY_AT = 20
GREEN_READY_S = 40  # deploy -> TEST_TRAFFIC_SHIFT: task start 10 s + first container check 30 s
CANARY_AFTER_S = GREEN_READY_S + 10  # test stage (STAGE_S) before the canary step
PRODUCTION_RPS = 10
BAD_STATUS = 500
NOISE_STATUS = 504
FOR_S_CHOICES = tuple((str(s), f"{s}") for s in (10, 30, 60, 120, 300))


def _draw(rng: random.Random) -> dict[str, Any]:
    order = rng.choice(("good-bad", "bad-good"))
    return {
        "order": order,
        "bad_release": 1 if order == "bad-good" else 2,
        "good_release": 2 if order == "bad-good" else 1,
        "bad_percent": rng.choice((30, 50, 80)),
        # seconds into the canary step the bad green starts failing; negative: from the start
        "bad_after_s": rng.choice((-10, 20, 40)),
        "noise_percent": 1,  # every revision answers 1 % with a 504
        "max_user_failures": rng.choice((8, 10, 12)),
        "min_canary_s": rng.choice((60, 120)),
        "min_canary_requests": rng.choice((30, 40, 50)),
    }


def _deploy_s(values: Mapping[str, Any]) -> int:
    """How long one release takes from deploy to CLEAN_UP with these settings (bake 0)."""
    canary_step = 10 + 60 * int(values["canary_bake_time_min"])
    return CANARY_AFTER_S + canary_step + 10


def deploy_times(values: Mapping[str, Any]) -> tuple[int, int]:
    first = FIRST_DEPLOY_AT
    return first, first + _deploy_s(values) + 40


def green_tasks(release: int, count: int = 3) -> list[str]:
    """Green's task ids: ``count`` blue tasks, then ``count`` per release (nothing else starts
    tasks in these runs)."""
    return [f"{SERVICE}-{n}" for n in range(1 + count * release, 1 + count * (release + 1))]


def _alarm(values: Mapping[str, Any]) -> dict[str, Any] | None:
    if values.get("alarm_error_rate_percent") is None:
        return None
    return {
        "error_rate_percent": values["alarm_error_rate_percent"],
        "for_s": int(values["alarm_for_s"]),
    }


def _build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    noise = params["noise_percent"] / 100
    times = deploy_times(values)
    actions: list[dict[str, Any]] = [
        {"at_s": 0, "do": "fail_task", "task": task, "status": NOISE_STATUS, "probability": noise}
        for task in green_tasks(0)
    ]
    for release, at in enumerate(times, start=1):
        actions.append(
            {
                "at_s": at,
                "do": "deploy",
                "service": SERVICE,
                "strategy": "canary",
                "canary_percent": values["canary_percent"],
                "canary_bake_time_min": values["canary_bake_time_min"],
                "bake_time_min": 0,
                "alarm": _alarm(values),
            }
        )
        bad = release == params["bad_release"]
        fail_at = at + CANARY_AFTER_S + params["bad_after_s"] if bad else at + 1
        actions += [
            {
                "at_s": fail_at,
                "do": "fail_task",
                "task": task,
                "status": BAD_STATUS if bad else NOISE_STATUS,
                "probability": params["bad_percent"] / 100 if bad else noise,
            }
            for task in green_tasks(release)
        ]
    traffic: list[dict[str, Any]] = [
        {"from": "contract", "to": SERVICE, "rps": PRODUCTION_RPS},
    ]
    if values["test_rps"]:
        traffic.append({"from": SMOKE, "to": SERVICE, "rps": values["test_rps"], "test": True})
    return {
        "name": "lab-sc-canary",
        "duration_s": times[1] + _deploy_s(values) + 30,
        "services": [
            {"name": "contract", "tasks": 2},
            {"name": SMOKE, "tasks": 1},
            {"name": SERVICE, "tasks": 3},
        ],
        "traffic": traffic,
        "actions": sorted(actions, key=lambda a: a["at_s"]),
    }


# --------------------------------------------------------------------------- measurements


def release_events(result: Mapping[str, Any], release: int) -> list[dict[str, Any]]:
    return [
        e
        for e in result["events"]
        if e["kind"] == "deployment" and e.get("service") == SERVICE and e.get("version") == release
    ]


def _first(events: list[dict[str, Any]], cause: str, **match: Any) -> dict[str, Any] | None:
    return next(
        (e for e in events if e["cause"] == cause and all(e.get(k) == v for k, v in match.items())),
        None,
    )


def canary_window(result: Mapping[str, Any], release: int) -> tuple[float, float] | None:
    """(start, end) of the release's canary step: its first production shift below 100 % until
    the next shift or the rollback; None when it never had one."""
    events = release_events(result, release)
    shifts = [e for e in events if e["cause"] == "production_traffic_shifted"]
    if not shifts or shifts[0]["green_percent"] >= 100.0:
        return None
    ends = [e["t"] for e in events if e["t"] > shifts[0]["t"]]
    return float(shifts[0]["t"]), float(ends[0] if ends else result["t"])


def production_to_green(result: Mapping[str, Any], release: int, start: float, end: float) -> int:
    """Production attempts at the release's green tasks in [start, end): the green tasks' attempts
    less the smoke client's test requests (all test traffic goes to green in a deployment)."""
    tasks = set(green_tasks(release))
    green = sum(
        row["attempts"]
        for row in result["timeline"]
        if row["task"] in tasks and start <= row["t"] < end
    )
    test = sum(
        row["requests"]
        for row in result["client_timeline"]
        if row["service"] == SMOKE and start <= row["t"] < end
    )
    return int(green - test)


def user_failures(result: Mapping[str, Any]) -> int:
    """Failed production requests that the bad release's status caused (the 504 noise is apart)."""
    for edge in result["summary"]["edges"]:
        if edge["from"] == "contract" and edge["to"] == SERVICE:
            return int(edge["errors"].get(f"http_{BAD_STATUS}", 0))
    return 0


# --------------------------------------------------------------------------- the judge


def _judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    bad, good = params["bad_release"], params["good_release"]
    bad_events, good_events = release_events(result, bad), release_events(result, good)
    bad_back = _first(bad_events, "deployment_rolled_back", by="alarm")
    good_back = _first(good_events, "deployment_rolled_back")
    bad_full = _first(bad_events, "production_traffic_shifted", green_percent=100.0)
    failures = user_failures(result)
    window = canary_window(result, good)
    canary_s = (window[1] - window[0]) if window else 0.0
    canary_n = production_to_green(result, good, *window) if window else 0
    measures = (
        (_("Bad release rolled back at"), f"{_s(bad_back['t'])} s" if bad_back else "—"),
        (_("Failed production requests from the bad release"), str(failures)),
        (_("Good release rolled back at"), f"{_s(good_back['t'])} s" if good_back else "—"),
        (_("Good release's canary step"), f"{_s(canary_s)} s"),
        (_("Production requests to the good canary"), str(canary_n)),
    )
    fields = {
        "bad": bad,
        "good": good,
        "failures": failures,
        "budget": params["max_user_failures"],
        "canary_s": _s(canary_s),
        "canary_n": canary_n,
        "min_s": params["min_canary_s"],
        "min_n": params["min_canary_requests"],
        "noise": params["noise_percent"],
        "for_s": values["alarm_for_s"],
    }
    if bad_back is not None:
        caught = _fmt(
            _("the alarm rolled release %(bad)s back at %(t)s s."), t=_s(bad_back["t"]), **fields
        )
    else:
        caught = _fmt(
            _("no alarm rolled release %(bad)s back; it took all production traffic."), **fields
        )
    if good_back is None:
        kept = _fmt(_("release %(good)s was not rolled back."), **fields)
    else:
        rate = good_back.get("error_rate_percent")
        kept = _fmt(
            _(
                "the alarm rolled release %(good)s back at %(t)s s (error rate %(rate)s %% over "
                "its last %(for_s)s s), though it only had its usual %(noise)s %% of 504s."
            ),
            t=_s(good_back["t"]),
            rate=_s(rate) if rate is not None else "—",
            **fields,
        )
    data_ok = canary_s >= params["min_canary_s"] and canary_n >= params["min_canary_requests"]
    outcomes = (
        Outcome("bad-rolled-back", _("Bad release rolled back"), bad_back is not None, caught),
        Outcome(
            "users-spared",
            _("Users spared"),
            failures <= params["max_user_failures"],
            _fmt(
                _(
                    "callers saw %(failures)s failed production requests from it; the budget is %(budget)s."
                ),
                **fields,
            ),
        ),
        Outcome("good-kept", _("Good release kept"), good_back is None, kept),
        Outcome(
            "canary-data",
            _("Canary had data"),
            data_ok,
            _fmt(
                _(
                    "release %(good)s's canary step ran %(canary_s)s s with %(canary_n)s production "
                    "requests; it needs at least %(min_s)s s and %(min_n)s."
                ),
                **fields,
            ),
        ),
    )
    # The moment that decided it: the first broken side's, else the bad release's rollback.
    moments = {
        "good-kept": good_back["t"] if good_back else None,
        "bad-rolled-back": bad_full["t"] if bad_full else None,
        "users-spared": bad_back["t"] if bad_back else (bad_full["t"] if bad_full else None),
        "canary-data": window[1] if window else None,
    }
    broken = [o.key for o in outcomes if not o.passed]
    moment = moments[broken[0]] if broken else (bad_back["t"] if bad_back else None)
    events = tuple(
        (float(e["t"]), _event_line(e))
        for e in sorted(bad_events + good_events, key=lambda e: e["t"])
        if e["cause"] in ("deployment_alarm", "deployment_rolled_back", "deployment_finished")
    )
    passed = _fmt(
        _(
            "Passed: the alarm rolled back the bad release %(bad)s at %(t)s s with %(failures)s "
            "failed production requests (budget %(budget)s), left the good release %(good)s "
            "alone, and its canary ran %(canary_s)s s with %(canary_n)s production requests (at "
            "least %(min_s)s s and %(min_n)s)."
        ),
        t=_s(bad_back["t"]) if bad_back else "—",
        **fields,
    )
    return judged(outcomes, measures, passed, moment, events)


def _event_line(event: Mapping[str, Any]) -> str:
    """One deployment event of the run as a sentence (the key events under the verdict)."""
    fields = {"version": event["version"], "stage": event.get("stage", "")}
    if event["cause"] == "deployment_alarm":
        return _fmt(
            _(
                "Alarm on release %(version)s in %(stage)s: error rate %(rate)s %% over %(for_s)s s."
            ),
            rate=_s(event["error_rate_percent"]),
            for_s=event["for_s"],
            **fields,
        )
    if event["cause"] == "deployment_rolled_back":
        return _fmt(_("Release %(version)s rolled back to blue in %(stage)s."), **fields)
    return _fmt(_("Release %(version)s finished: it serves all traffic."), **fields)


def _validate(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    percent = values["canary_percent"]
    if abs(percent * 10 - round(percent * 10)) > 1e-9:
        return [("canary_percent", _("canaryPercent is a multiple of 0.1."))]
    return []


# canaryPercent as ECS takes it (0.1-100 % of production on green during the canary bake);
# lab 10 asks for the same setting.
CANARY_PERCENT = LabField(
    "canary_percent",
    gettext_lazy("canaryPercent (0.1-100)"),
    5.0,
    0.1,
    100,
    integer=False,
)

SC_CANARY = Lab(
    slug="sc-canary",
    order=7,
    pattern="service-connect",
    fields=(
        CANARY_PERCENT,
        LabField(
            "canary_bake_time_min",
            gettext_lazy("canaryBakeTimeInMinutes (0-3 in this lab)"),
            3,
            0,
            3,
        ),
        LabField(
            "alarm_error_rate_percent",
            gettext_lazy("Alarm: error rate above (%; empty = no alarm)"),
            None,
            0,
            100,
            integer=False,
            required=False,
        ),
        LabField(
            "alarm_for_s",
            gettext_lazy("Alarm period (s)"),
            "60",
            choices=FOR_S_CHOICES,
            integer=False,
        ),
        LabField(
            "test_rps",
            gettext_lazy("Test requests/s from smoke (x-amzn-ecs-blue-green-test)"),
            0,
            0,
            5,
        ),
    ),
    draw=_draw,
    build=_build,
    judge=_judge,
    validate=_validate,
)

register(SC_CANARY)
