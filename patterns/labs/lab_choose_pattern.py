"""Lab: choose the pattern for a set of requirements and configure its deployment.

The requirements are answers to the decision guide's questions (who calls, from where, what the
service speaks, how a version is released), drawn per learner, sometimes a rule of the team's (no
proxy container beside the app), plus numbers for the release. The guide's own rules
(:func:`patterns.guide.decide.decide`) are the source of truth for the pattern, so the lab and the
guide never disagree; the no-proxy rule rules Service Connect out (ECS adds its Envoy proxy to
every task) and the guide's best remaining option is the pick. Only answers whose pick Kumoben can
run are drawn (Service Connect or ELB; VPC Lattice is outside what the "In AWS" panel generates).

What the requirements decide beyond the pattern is graded on the generated configuration too:
callers on the internet need an ``internet-facing`` load balancer and callers inside AWS an
``internal`` one; the port mapping's ``appProtocol`` must declare what the service speaks (none
for plain TCP, ``grpc`` for gRPC, which gives an ALB target group ``ProtocolVersion: GRPC``);
with ELB, plain TCP needs a Network Load Balancer and HTTP or gRPC an Application Load Balancer.
Plain TCP is drawn with rolling updates only: ECS's test traffic for a canary is matched by an
HTTP header, and the engine models an ALB's shifts, not an NLB's (aws-facts-2026 2.21).

Some variants whose callers are ECS services of one namespace also have clients on the internet:
they call ``contract``, the system's public entry, which calls ``inventory`` (the front variants).
The real AWS design is an internet-facing ALB whose targets are ``contract``'s tasks, with
Service Connect between the services behind it: the learner adds the front door (``Wire``'s
``front_door``), an application load balancer, internet-facing. A front door where no outside
client calls ``contract`` fails; so does a front variant without one.

The Check grades the configuration the "In AWS" panel generates from the learner's choice
(:func:`patterns.inaws.generate.generate`: the ECS ``CreateService`` input and its
``deploymentConfiguration``) and what the engine measures when that deployment runs:

- rolling: at least ``min_serving`` of ``tasks`` tasks kept (ECS rounds minimumHealthyPercent up
  to whole tasks), at most ``max_running`` running at once (maximumPercent, rounded down), and the
  deployment finished within ``finish_within_s``. 100/100 never finishes; 50/200 drops capacity.
- canary: ``canaryPercent`` at most ``max_percent``; at least ``min_canary_requests`` requests to
  green in the canary step (a tiny or short canary has no data); ``bakeTimeInMinutes`` at least
  ``min_bake_min``; the whole deployment within ``budget_min`` minutes (long bakes overrun it).
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

from django.utils.html import format_html_join, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

import patterns.guide.texts as guide_texts
from patterns.catalog import PATTERN_NAMES
from patterns.guide.decide import OPTIONS, decide
from patterns.inaws.generate import Config, Wire, generate
from patterns.labs.checks import (
    PATTERN_CHOICES,
    Lab,
    LabField,
    Outcome,
    Verdict,
    _fmt,
    _s,
    judged,
    register,
)
from patterns.labs.lab_sc_canary import CANARY_PERCENT, canary_window, green_tasks
from patterns.sim import load_scenario

SERVICE = "inventory"
DEPLOY_AT = 30
RPS = 10
ROUND_S = 40  # a new task: 10 s to RUNNING, healthy at its first container check 30 s later
# Answers whose pick Kumoben runs: (callers, network). Releases are drawn apart.
SITUATIONS = (
    ("same-namespace", "same-vpc"),
    ("same-namespace", "cross-vpc"),
    ("other-namespace", "same-vpc"),
    ("outside-ecs", "same-vpc"),
    ("internet", "same-vpc"),
)
PROTOCOLS = ("http", "grpc", "tcp")
#: The port mapping's appProtocol a requirement accepts ("tcp": none declared).
ACCEPTED_APP_PROTOCOLS = {"http": ("http", "http2"), "grpc": ("grpc",), "tcp": ("tcp",)}
APP_PROTOCOLS = (
    ("http", "http"),
    ("http2", "http2"),
    ("grpc", "grpc"),
    ("tcp", gettext_lazy("none (plain TCP)")),
)
LOAD_BALANCERS = (
    ("application", gettext_lazy("application (ALB)")),
    ("network", gettext_lazy("network (NLB)")),
)
SCHEMES = (
    ("internal", gettext_lazy("internal")),
    ("internet-facing", gettext_lazy("internet-facing")),
)
FRONT = "contract"  # the service the engine runs as inventory's caller: the public entry
FRONT_DOORS = (
    ("none", gettext_lazy("none")),
    ("entry", gettext_lazy("a load balancer in front of contract")),
)
STRATEGIES = (
    ("rolling", gettext_lazy("Rolling update")),
    ("canary", gettext_lazy("Canary")),
    ("linear", gettext_lazy("Linear")),
    ("blue_green", gettext_lazy("Blue/green")),
)


def _draw(rng: random.Random) -> dict[str, Any]:
    callers, network = rng.choice(SITUATIONS)
    protocol = rng.choice(PROTOCOLS)
    # A team that allows no proxy beside its app: drawn where it changes the pick (same VPC: in
    # other VPCs the guide would pick VPC Lattice, which Kumoben does not generate).
    no_proxy = callers == "same-namespace" and network == "same-vpc" and rng.random() < 0.5
    release = "rolling" if protocol == "tcp" else rng.choice(("rolling", "canary"))
    tasks = rng.choice((4, 5, 6))
    params: dict[str, Any] = {
        "callers": callers,
        "network": network,
        "protocol": protocol,
        "no_proxy": no_proxy,
        "release": release,
        "tasks": tasks,
        "rps": RPS,
        "min_serving": tasks - rng.choice((0, 1)),
        "max_running": tasks + rng.choice((1, 2)),
        "max_percent": rng.choice((5, 10, 20)),
        "min_canary_requests": rng.choice((50, 80)),
        "min_bake_min": rng.choice((1, 2)),
    }
    params["budget_min"] = params["min_bake_min"] + rng.choice((6, 7))
    # ECS replaces at most (max_running - min_serving) tasks a round, and a round takes
    # ROUND_S (start, then the first passing container check): the fastest allowed deployment.
    per_round = params["max_running"] - params["min_serving"]
    fastest = ROUND_S * math.ceil(tasks / per_round)
    params["finish_within_s"] = fastest + rng.choice((20, 60))
    # Clients on the internet call contract, which calls inventory: drawn last, so the numbers
    # above stay what they were for every seed.
    params["front"] = (
        callers == "same-namespace" and not no_proxy and protocol != "tcp" and rng.random() < 0.5
    )
    params["requirements"] = requirements_html(params)
    return params


def answers(params: Mapping[str, Any]) -> dict[str, str]:
    return {
        "callers": params["callers"],
        "network": params["network"],
        "protocol": params["protocol"],
        "release": params["release"],
    }


def pick(params: Mapping[str, Any]) -> str:
    """The pattern the requirements call for: the guide's pick, or, when the team allows no proxy
    beside its app, the guide's best option that runs none (Service Connect adds one)."""
    advice = decide(answers(params))
    if not params["no_proxy"]:
        return advice.pick
    left = [v for v in advice.verdicts.values() if not v.out and v.option != "service-connect"]
    return min(left, key=lambda v: (-v.score, OPTIONS.index(v.option))).option


def requirements_html(params: Mapping[str, Any]) -> str:
    """The drawn requirements in the guide's own words (its questions and answers), then the
    release's numbers; in the language of the request."""
    lang = get_language() or "en"
    lines: list[tuple[str, str]] = [
        (guide_texts.text(lang, f"q-{q}", "label"), guide_texts.text(lang, f"q-{q}", a))
        for q, a in answers(params).items()
        # "Where are the callers?" has no answer for clients on the internet.
        if not (q == "network" and params["callers"] == "internet")
    ]
    if params.get("front"):
        lines.insert(
            1,
            (
                _fmt(_("Who calls %(front)s?"), front=FRONT),
                _fmt(
                    _(
                        "Browsers and apps coming from the internet: %(front)s is the system's "
                        "public entry, and it calls %(service)s."
                    ),
                    front=FRONT,
                    service=SERVICE,
                ),
            ),
        )
    if params["no_proxy"]:
        lines.insert(
            -1,
            (
                _("What runs in a task?"),
                _(
                    "Only the team's own containers: its security review allows no proxy "
                    "container beside the app."
                ),
            ),
        )
    if params["release"] == "rolling":
        numbers = _fmt(
            _(
                "%(tasks)s tasks; keep at least %(min_serving)s of them during a deployment, run "
                "at most %(max_running)s at once, and finish within %(finish)s s."
            ),
            tasks=params["tasks"],
            min_serving=params["min_serving"],
            max_running=params["max_running"],
            finish=params["finish_within_s"],
        )
    else:
        numbers = _fmt(
            _(
                "%(tasks)s tasks at %(rps)s requests/s; at most %(max_percent)s %% of requests "
                "on a new version first, with at least %(min_requests)s requests to it before it "
                "takes all traffic; keep blue at least %(bake)s min after the shift; the whole "
                "deployment within %(budget)s min."
            ),
            tasks=params["tasks"],
            rps=params["rps"],
            max_percent=params["max_percent"],
            min_requests=params["min_canary_requests"],
            bake=params["min_bake_min"],
            budget=params["budget_min"],
        )
    lines.append((_("The numbers"), numbers))
    return str(format_html_join(mark_safe("<br>"), "<strong>{}</strong> {}", lines))


def _build(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    deploy: dict[str, Any] = {"at_s": DEPLOY_AT, "do": "deploy", "service": SERVICE}
    strategy = values["strategy"]
    if strategy != "rolling":
        deploy.update(strategy=strategy, bake_time_min=values["bake_time_min"])
    if strategy == "canary":
        deploy.update(
            canary_percent=values["canary_percent"],
            canary_bake_time_min=values["canary_bake_time_min"],
        )
    minutes = values["canary_bake_time_min"] + values["bake_time_min"]
    return {
        "name": "lab-choose-pattern",
        "duration_s": DEPLOY_AT + 120 + 60 * (minutes if strategy == "canary" else 10),
        "services": [
            {"name": "contract", "tasks": 2},
            {"name": SERVICE, "tasks": params["tasks"]},
        ],
        "traffic": [{"from": "contract", "to": SERVICE, "rps": RPS}],
        "settings": {
            "ecs": {
                "minimum_healthy_percent": values["minimum_healthy_percent"],
                "maximum_percent": values["maximum_percent"],
            }
        },
        "actions": [deploy],
    }


def wire(values: Mapping[str, Any]) -> Wire:
    """How the learner's configuration is reached: appProtocol, ELB Type and Scheme, and a
    load balancer in front of ``contract`` (the front door)."""
    return Wire(
        app_protocol=values["app_protocol"],
        load_balancer=values["load_balancer"],
        scheme=values["scheme"],
        front_door=values.get("front_door") == "entry",
    )


def inaws_wire(values: Mapping[str, Any]) -> dict[str, str]:
    """The learner's wire as the "In AWS" panel's parameters."""
    chosen = wire(values)
    return {
        "app_protocol": chosen.app_protocol,
        "load_balancer": chosen.load_balancer,
        "scheme": chosen.scheme,
        "front_door": "1" if chosen.front_door else "0",
    }


def configuration(values: Mapping[str, Any], params: Mapping[str, Any]) -> Config:
    """The "In AWS" configuration generated for the learner's choice."""
    scenario = load_scenario({**_build(values, params), "pattern": values["pattern"]})
    return generate(scenario.to_dict(), wire(values))


def _call(config: Config, operation: str, about: str | None = None) -> dict[str, Any] | None:
    """The input of the first ECS or ELB call ``operation`` (about ``about``), if any; Cloud Map
    calls are left out (its CreateService is not ECS's)."""
    return next(
        (
            c.input
            for c in config.calls
            if c.service in ("ecs", "elbv2")
            and c.operation == operation
            and (about is None or c.about == about)
        ),
        None,
    )


def create_service(values: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
    """The ECS CreateService input the "In AWS" panel generates for the learner's choice."""
    service = _call(configuration(values, params), "CreateService", SERVICE)
    assert service is not None  # every pattern creates the service
    return service


def _finished_after(result: Mapping[str, Any]) -> float | None:
    t = next((e["t"] for e in result["events"] if e["cause"] == "deployment_finished"), None)
    return float(t) - DEPLOY_AT if t is not None else None


def _validate(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    if not values.get("pattern"):
        return [("pattern", _("Choose a pattern: the choice comes first."))]
    if values["pattern"] == "app-mesh":
        return [
            (
                "pattern",
                _(
                    "App Mesh reached its end of support on 2026-09-30: choose a pattern you can "
                    "still run."
                ),
            )
        ]
    percent = values["canary_percent"]
    if abs(percent * 10 - round(percent * 10)) > 1e-9:
        return [("canary_percent", _("canaryPercent is a multiple of 0.1."))]
    return []


def _pattern_outcome(values: Mapping[str, Any], params: Mapping[str, Any]) -> Outcome:
    """Whether the guide's rules pick the learner's pattern; a wrong one is explained with the
    guide's reasons when it is ruled out, and never by naming the pick."""
    lang = get_language() or "en"
    advice = decide(answers(params))
    chosen = advice.verdicts[values["pattern"]]
    name = PATTERN_NAMES[values["pattern"]]
    wanted = pick(params)
    reasons = [
        strip_tags(guide_texts.text(lang, f"r-{r.id}", "text"))
        for r, effect in chosen.reasons
        if effect == "out"
    ]
    if params["no_proxy"] and values["pattern"] == "service-connect":
        reasons.append(
            _(
                "ECS adds its Service Connect proxy (Envoy) as a container to every task of the "
                "service, and the team allows no proxy beside the app."
            )
        )
    if reasons:
        detail = _fmt(
            _("%(name)s cannot meet these requirements. %(reasons)s"),
            name=name,
            reasons=("" if lang.startswith("ja") else " ").join(reasons),
        )
    elif values["pattern"] != wanted:
        detail = _fmt(
            _(
                "%(name)s can do it, but another pattern meets these requirements with less to "
                "build and run. Weigh the options in the decision guide."
            ),
            name=name,
        )
    else:
        detail = _fmt(_("%(name)s is what the decision guide's rules pick for them."), name=name)
    return Outcome(
        "pattern", _("Pattern fits the requirements"), values["pattern"] == wanted, detail
    )


def _reach_outcome(config: Config, params: Mapping[str, Any]) -> Outcome:
    """Callers on the internet need an internet-facing load balancer; callers inside AWS must
    not get one (its nodes have public addresses)."""
    lb = _call(config, "CreateLoadBalancer")
    scheme = lb["Scheme"] if lb else None
    if params["callers"] == "internet" or params.get("front"):
        passed = scheme == "internet-facing"
        if lb is None:
            detail = _(
                "the configuration has no load balancer, and the callers are on the internet: "
                "only an internet-facing load balancer takes their calls."
            )
        else:
            detail = _(
                "the load balancer's Scheme is internal: its addresses are private, and the "
                "callers are on the internet."
            )
    else:
        passed = scheme != "internet-facing"
        detail = _(
            "the load balancer's Scheme is internet-facing: it gets public addresses and takes "
            "calls from the internet, but every caller is inside AWS."
        )
    return Outcome("reach", _("Who can reach it"), passed, detail)


def _front_outcome(values: Mapping[str, Any], params: Mapping[str, Any]) -> Outcome:
    """A load balancer in front of contract exactly when clients on the internet call it."""
    wanted = bool(params.get("front"))
    chosen = values.get("front_door") == "entry"
    if wanted:
        detail = _fmt(
            _(
                "clients on the internet call %(front)s, and nothing in the configuration takes "
                "their calls: %(front)s needs a load balancer in front of it."
            ),
            front=FRONT,
        )
    else:
        detail = _fmt(
            _(
                "the configuration puts a load balancer in front of %(front)s, but no client "
                "outside AWS calls %(front)s: it would only cost and open a way in."
            ),
            front=FRONT,
        )
    return Outcome("front-door", _("Entry for clients outside"), wanted == chosen, detail)


def _protocol_outcomes(
    config: Config, values: Mapping[str, Any], params: Mapping[str, Any]
) -> list[Outcome]:
    """The port mapping declares what the service speaks; with ELB, the load balancer type
    follows (plain TCP: an NLB; HTTP and gRPC: an ALB, which routes each request)."""
    protocol = params["protocol"]
    task = _call(config, "RegisterTaskDefinition", SERVICE)
    assert task is not None
    declared = task["containerDefinitions"][0]["portMappings"][0].get("appProtocol", "tcp")
    speaks = {"http": "HTTP", "grpc": "gRPC", "tcp": _("plain TCP")}[protocol]
    if protocol == "tcp":
        detail = _fmt(
            _(
                "the port mapping declares appProtocol %(declared)s, but the service speaks "
                "plain TCP: declare no appProtocol."
            ),
            declared=declared,
        )
    elif declared == "tcp":
        detail = _fmt(
            _(
                "the port mapping declares no appProtocol (plain TCP), but the service speaks "
                "%(speaks)s: per-status metrics need it declared, and here the target group's "
                "protocol version follows it."
            ),
            speaks=speaks,
        )
    else:
        detail = _fmt(
            _(
                "the port mapping declares appProtocol %(declared)s, but the service speaks "
                "%(speaks)s."
            ),
            declared=declared,
            speaks=speaks,
        )
    outcomes = [
        Outcome(
            "protocol",
            _("Protocol the port declares"),
            declared in ACCEPTED_APP_PROTOCOLS[protocol],
            detail,
        )
    ]
    lb = _call(config, "CreateLoadBalancer")
    if lb is not None:
        wanted = "network" if protocol == "tcp" else "application"
        if wanted == "network":
            detail = _(
                "the load balancer's Type is application: an ALB's listeners speak HTTP and "
                "HTTPS only, and the service speaks plain TCP."
            )
        else:
            detail = _fmt(
                _(
                    "the load balancer's Type is network: an NLB forwards TCP connections and has "
                    "no listener rules, so it cannot route each %(speaks)s request to a target "
                    "group by its path."
                ),
                speaks=speaks,
            )
        outcomes.append(
            Outcome("load-balancer", _("Load balancer type"), lb["Type"] == wanted, detail)
        )
    return outcomes


def _judge(result: Any, values: Mapping[str, Any], params: Mapping[str, Any]) -> Verdict:
    generated = configuration(values, params)
    service = _call(generated, "CreateService", SERVICE)
    assert service is not None
    config = service["deploymentConfiguration"]
    finished = _finished_after(result)
    canary = config.get("canaryConfiguration", {})
    measures: list[tuple[str, str]] = [
        (_("Pattern"), str(PATTERN_NAMES[values["pattern"]])),
        *_wire_measures(generated),
        ("deploymentConfiguration.strategy", config["strategy"]),
        (
            "minimumHealthyPercent / maximumPercent",
            f"{config['minimumHealthyPercent']} / {config['maximumPercent']}",
        ),
    ]
    if canary:
        measures += [
            ("canaryPercent", f"{canary['canaryPercent']:g}"),
            ("canaryBakeTimeInMinutes", str(canary["canaryBakeTimeInMinutes"])),
            ("bakeTimeInMinutes", str(config["bakeTimeInMinutes"])),
        ]
    measures.append(
        (_("Deployment finished after"), f"{_s(finished)} s" if finished is not None else "—")
    )
    wanted = "ROLLING" if params["release"] == "rolling" else "CANARY"
    outcomes = [
        _pattern_outcome(values, params),
        _reach_outcome(generated, params),
        _front_outcome(values, params),
        *_protocol_outcomes(generated, values, params),
        Outcome(
            "strategy",
            _("Release strategy"),
            config["strategy"] == wanted,
            _fmt(
                _("the generated service uses %(strategy)s; the requirements ask for %(wanted)s."),
                strategy=config["strategy"],
                wanted=wanted,
            ),
        ),
    ]
    at = DEPLOY_AT + finished if finished is not None else None
    if params["release"] == "rolling":
        more, passed = _rolling(params, config, finished, measures)
    else:
        more, passed, window = _canary(result, params, config, finished, measures)
        at = window[1] if window and not all(o.passed for o in more[:2]) else at
    outcomes += more
    return judged(outcomes, measures, passed, at)


def _wire_measures(config: Config) -> list[tuple[str, str]]:
    """What the generated configuration says about how callers reach the service."""
    task = _call(config, "RegisterTaskDefinition", SERVICE)
    assert task is not None
    port = task["containerDefinitions"][0]["portMappings"][0]
    out = [("portMappings[0].appProtocol", port.get("appProtocol", "—"))]
    lb = _call(config, "CreateLoadBalancer")
    if lb is not None:
        group = _call(config, "CreateTargetGroup") or {}
        targets = [c.about for c in config.calls if c.operation == "CreateTargetGroup"]
        out += [
            ("LoadBalancer Type / Scheme", f"{lb['Type']} / {lb['Scheme']}"),
            (_("Load balancer targets"), ", ".join(targets)),
            (
                "TargetGroup Protocol / ProtocolVersion",
                f"{group.get('Protocol', '—')} / {group.get('ProtocolVersion', '—')}",
            ),
        ]
    return out


def _took(finished: float | None, limit: str) -> str:
    """How long the deployment took against the requirement (``limit`` already says the unit)."""
    if finished is None:
        return _fmt(
            _(
                "the deployment never finished: ECS could neither stop an old task nor start a new "
                "one; the requirement is %(limit)s."
            ),
            limit=limit,
        )
    return _fmt(
        _("the deployment took %(after)s s; the requirement is %(limit)s."),
        after=_s(finished),
        limit=limit,
    )


def _rolling(
    params: Mapping[str, Any],
    config: Mapping[str, Any],
    finished: float | None,
    measures: list[tuple[str, str]],
) -> tuple[list[Outcome], str]:
    tasks = params["tasks"]
    kept = math.ceil(tasks * config["minimumHealthyPercent"] / 100 - 1e-9)
    running = math.floor(tasks * config["maximumPercent"] / 100 + 1e-9)
    measures.append((_("Tasks kept / running at most"), f"{kept} / {running}"))
    fields = {
        "kept": kept,
        "running": running,
        "min_serving": params["min_serving"],
        "max_running": params["max_running"],
        "finish": params["finish_within_s"],
        "after": _s(finished) if finished is not None else "—",
    }
    outcomes = [
        Outcome(
            "capacity",
            _("Capacity kept"),
            kept >= params["min_serving"],
            _fmt(
                _(
                    "minimumHealthyPercent, rounded up, keeps %(kept)s tasks; the requirement is "
                    "at least %(min_serving)s."
                ),
                **fields,
            ),
        ),
        Outcome(
            "ceiling",
            _("Tasks at once"),
            running <= params["max_running"],
            _fmt(
                _(
                    "maximumPercent, rounded down, allows %(running)s tasks at once; the "
                    "requirement is at most %(max_running)s."
                ),
                **fields,
            ),
        ),
        Outcome(
            "speed",
            _("Deployment time"),
            finished is not None and finished <= params["finish_within_s"],
            _took(finished, _fmt(_("%(n)s s"), n=params["finish_within_s"])),
        ),
    ]
    passed = _fmt(
        _(
            "Passed: the pattern fits, ECS keeps at least %(kept)s tasks and runs at most "
            "%(running)s (required %(min_serving)s and %(max_running)s), and the deployment "
            "finished after %(after)s s (at most %(finish)s s)."
        ),
        **fields,
    )
    return outcomes, passed


def _canary(
    result: Mapping[str, Any],
    params: Mapping[str, Any],
    config: Mapping[str, Any],
    finished: float | None,
    measures: list[tuple[str, str]],
) -> tuple[list[Outcome], str, tuple[float, float] | None]:
    window = canary_window(result, 1)
    tasks = set(green_tasks(1, params["tasks"]))
    requests = (
        sum(
            row["attempts"]
            for row in result["timeline"]
            if row["task"] in tasks and window[0] <= row["t"] < window[1]
        )
        if window
        else 0
    )
    measures.append((_("Requests to green in the canary step"), str(requests)))
    canary = config.get("canaryConfiguration")
    percent = canary["canaryPercent"] if canary else 100.0
    fields = {
        "percent": f"{percent:g}",
        "max_percent": params["max_percent"],
        "requests": requests,
        "min_requests": params["min_canary_requests"],
        "bake": config.get("bakeTimeInMinutes", 0),
        "min_bake": params["min_bake_min"],
        "after": _s(finished) if finished is not None else "—",
        "budget": params["budget_min"],
    }
    outcomes = [
        Outcome(
            "exposure",
            _("Users a new version meets first"),
            percent <= params["max_percent"],
            _fmt(
                _(
                    "a new version gets %(percent)s %% of requests first; at most %(max_percent)s %% allowed."
                ),
                **fields,
            ),
        ),
        Outcome(
            "canary-data",
            _("Canary had data"),
            requests >= params["min_canary_requests"],
            _fmt(
                _(
                    "green got %(requests)s requests in its canary step; at least %(min_requests)s "
                    "are needed before it takes all traffic."
                ),
                **fields,
            ),
        ),
        Outcome(
            "bake",
            _("Blue kept after the shift"),
            fields["bake"] >= params["min_bake_min"],
            _fmt(
                _("bakeTimeInMinutes is %(bake)s; the requirement is at least %(min_bake)s min."),
                **fields,
            ),
        ),
        Outcome(
            "time",
            _("Deployment time"),
            finished is not None and finished <= 60 * params["budget_min"],
            _took(finished, _fmt(_("%(n)s min"), n=params["budget_min"])),
        ),
    ]
    passed = _fmt(
        _(
            "Passed: the pattern fits, canaryPercent %(percent)s (at most %(max_percent)s), "
            "%(requests)s requests to green in the canary step (at least %(min_requests)s), blue "
            "kept %(bake)s min (at least %(min_bake)s) and the deployment finished after %(after)s "
            "s (within %(budget)s min)."
        ),
        **fields,
    )
    return outcomes, passed, window


CHOOSE_PATTERN = Lab(
    slug="choose-pattern",
    order=10,
    pattern="field",
    predict_first=True,
    fields=(
        LabField(
            "pattern",
            gettext_lazy("Pattern"),
            "",
            choices=PATTERN_CHOICES,
            integer=False,
            required=False,
        ),
        LabField(
            "app_protocol",
            gettext_lazy("appProtocol (port mapping)"),
            "http",
            choices=APP_PROTOCOLS,
            integer=False,
        ),
        LabField(
            "load_balancer",
            gettext_lazy("Load balancer Type (ELB)"),
            "application",
            choices=LOAD_BALANCERS,
            integer=False,
        ),
        LabField(
            "scheme",
            gettext_lazy("Load balancer Scheme (ELB)"),
            "internal",
            choices=SCHEMES,
            integer=False,
        ),
        LabField(
            "front_door",
            gettext_lazy("Front door (clients outside AWS)"),
            "none",
            choices=FRONT_DOORS,
            integer=False,
            required=False,  # left out: none
        ),
        LabField(
            "strategy",
            gettext_lazy("deploymentConfiguration.strategy"),
            "rolling",
            choices=STRATEGIES,
            integer=False,
            setting="actions[0].strategy",
        ),
        LabField(
            "minimum_healthy_percent",
            gettext_lazy("minimumHealthyPercent (rolling)"),
            100,
            0,
            100,
        ),
        LabField("maximum_percent", gettext_lazy("maximumPercent (rolling)"), 200, 100, 200),
        CANARY_PERCENT,
        LabField(
            "canary_bake_time_min",
            gettext_lazy("canaryBakeTimeInMinutes (0-6 in this lab)"),
            6,
            0,
            6,
        ),
        LabField(
            "bake_time_min",
            gettext_lazy("bakeTimeInMinutes (0-6 in this lab)"),
            0,
            0,
            6,
            setting="actions[0].bake_time_min",
        ),
    ),
    draw=_draw,
    build=_build,
    judge=_judge,
    validate=_validate,
    inaws_wire=inaws_wire,
)

register(CHOOSE_PATTERN)
