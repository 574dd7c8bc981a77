"""The decision guide's logic: answers in, a recommendation out. Pure: no Django, no engine.

Each answer moves the candidates through :data:`RULES`, a table of (question, answer, option,
effect, reason). An effect is ``OUT`` (the option cannot do what the answer asks), or a number
added to the option's score. Every row names its reason, and every reason names the public AWS pages
its fact rests on (:mod:`patterns.aws_docs`; the internal fact id is a comment beside it) and whether
that fact is UNCONFIRMED. The
recommendation is the highest score among the options not ruled out; ties go to the earlier option
of :data:`OPTIONS`. Worked example: all callers are ECS services of one namespace and nothing else
is asked -> Service Connect 3 + 2 = 5, ELB 2, VPC Lattice 1, Service Discovery 1: Service Connect,
ELB runner-up.

App Mesh is never an option: its support ended on 2026-09-30 (facts 1.1). Answers that
describe what it did (weighted routes between versions inside the mesh, mutual TLS) set
``app_mesh_note`` so the page can say so and point to what replaced it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from patterns import aws_docs as docs

OUT: Final = "out"

#: The options in tie-break order, with their starting score (Service Connect is AWS's stated
#: target for ECS workloads, aws-facts-2026 1.4; the others start below it).
OPTIONS: tuple[str, ...] = ("service-connect", "elb", "vpc-lattice", "service-discovery")
BASE_SCORE: dict[str, int] = {
    "service-connect": 3,
    "elb": 2,
    "vpc-lattice": 1,
    "service-discovery": 1,
}

#: question -> its answers, the first being the default.
QUESTIONS: dict[str, tuple[str, ...]] = {
    "callers": ("same-namespace", "other-namespace", "outside-ecs", "internet"),
    "network": ("same-vpc", "cross-vpc", "cross-account"),
    "protocol": ("http", "grpc", "tcp"),
    "release": ("rolling", "canary", "weighted"),
    "tls": ("none", "tls", "authz"),
    "launch": ("fargate", "ec2-awsvpc", "ec2-bridge", "ec2-host"),
    "os": ("linux", "windows"),
    "scale": ("small", "big-namespace", "over-1000"),
}


@dataclass(frozen=True)
class Reason:
    """Why a rule moves an option: ``id`` keys its text; ``sources`` are the public AWS pages the
    fact rests on (the first is always docs.aws.amazon.com or aws.amazon.com)."""

    id: str
    sources: tuple[str, ...]
    confirmed: bool = True


def _reason(reason_id: str, *sources: str, confirmed: bool = True) -> Reason:
    return Reason(reason_id, sources, confirmed)


# The comment on each row names the internal fact it rests on; pages show only the links.
REASONS: dict[str, Reason] = {
    r.id: r
    for r in (
        _reason("sc-managed-proxy", docs.SC_GUIDE, docs.APP_MESH_END),  # facts 1.6, 3.8-3.10
        _reason("sc-namespace-only", docs.SC_OVERVIEW),  # semantics 4.3
        _reason("sc-one-namespace", docs.SC_GUIDE),  # facts 3.15
        _reason("elb-any-client", docs.ELB_HOW),  # semantics 1.1
        _reason("elb-internet", docs.ALB_OVERVIEW),  # semantics 1.1
        _reason("sd-vpc-dns", docs.SERVICE_DISCOVERY),  # semantics 3.1; review A18
        _reason(  # facts 4.4; semantics 3.2
            "private-only", f"{docs.LATTICE_GUIDE}/service-networks.html", docs.SERVICE_DISCOVERY
        ),
        _reason("lattice-network", f"{docs.LATTICE_GUIDE}/service-networks.html"),  # facts 4.4
        _reason(  # facts 4.12
            "lattice-cross-account",
            docs.LATTICE_ECS_MIGRATION,
            f"{docs.LATTICE_GUIDE}/target-groups.html",
            confirmed=False,
        ),
        _reason("sc-ram-share", docs.SC_GUIDE),  # facts 3.15
        _reason("sc-spans-vpcs", docs.SC_CONCEPTS),  # semantics 4.1
        _reason("sc-grpc-metrics", docs.SC_CONCEPTS, docs.ECS_METRICS),  # facts 3.6, 6.3
        _reason(  # facts 4.6
            "lattice-no-grpc-check", f"{docs.LATTICE_GUIDE}/target-group-health-checks.html"
        ),
        _reason("elb-grpc", docs.ALB_HEALTH),  # semantics 1.2 (matcher)
        _reason(  # facts 3.3, 6.4
            "sc-tcp-limits", f"{docs.ECS_API}/API_TimeoutConfiguration.html", docs.SC_CONCEPTS
        ),
        _reason("elb-tcp-nlb", docs.BLUE_GREEN),  # facts 2.15
        _reason(  # facts 4.6
            "lattice-tcp-unknown",
            f"{docs.LATTICE_GUIDE}/target-group-health-checks.html",
            confirmed=False,
        ),
        _reason("shift-sc", docs.SC_BLUE_GREEN),  # facts 2.16-2.18
        _reason("shift-elb", f"{docs.ECS_API}/API_AdvancedConfiguration.html"),  # facts 2.14
        _reason("shift-lattice", docs.LATTICE_BLUE_GREEN),  # facts 2.20
        _reason("shift-none-sd", docs.BLUE_GREEN),  # facts 2.12, 2.13
        _reason("weights-lattice", f"{docs.LATTICE_API}/API_WeightedTargetGroup.html"),  # 4.8
        _reason("weights-sc-none", f"{docs.ECS_API}/API_ServiceConnectService.html"),  # 3.11
        _reason(  # facts 1.8
            "weights-alb",
            docs.APP_MESH_END,
            f"{docs.ALB_GUIDE}/load-balancer-listeners.html",
            confirmed=False,
        ),
        _reason("sc-tls", docs.SC_TLS),  # facts 3.4
        _reason("sd-tls-yours", docs.SERVICE_DISCOVERY),  # semantics 3.1
        _reason(  # facts 1.9, 3.4
            "sc-no-mtls",
            docs.SC_TLS,
            "https://github.com/aws/containers-roadmap/issues/2150",
            confirmed=False,
        ),
        _reason(  # facts 4.11
            "lattice-iam",
            f"{docs.LATTICE_GUIDE}/auth-policies.html",
            f"{docs.LATTICE_GUIDE}/sigv4-authenticated-requests.html",
        ),
        _reason("sd-srv-only", docs.SERVICE_DISCOVERY),  # semantics 3.2, fact 18
        _reason("sc-no-host", docs.SC_GUIDE),  # semantics 4.3 (network modes)
        _reason("sc-tls-awsvpc", docs.SC_TLS),  # facts 3.4
        _reason("sc-no-windows", docs.SC_GUIDE),  # facts 3.15
        _reason("sc-big-namespace", docs.SC_GUIDE),  # facts 3.13
        _reason(  # semantics fact 38
            "cap-1000",
            docs.ECS_QUOTAS,
            "https://docs.aws.amazon.com/cloud-map/latest/dg/cloud-map-limits.html",
        ),
        _reason("lattice-1000-targets", f"{docs.LATTICE_GUIDE}/quotas.html"),  # facts 4.13
    )
}


@dataclass(frozen=True)
class Rule:
    question: str
    answer: str
    option: str
    effect: int | str
    reason: str


def _rules(*rows: tuple[str, str, str, int | str, str]) -> tuple[Rule, ...]:
    return tuple(Rule(*row) for row in rows)


RULES: tuple[Rule, ...] = _rules(
    ("callers", "same-namespace", "service-connect", 2, "sc-managed-proxy"),
    ("callers", "other-namespace", "service-connect", OUT, "sc-one-namespace"),
    ("callers", "other-namespace", "elb", 1, "elb-any-client"),
    ("callers", "other-namespace", "vpc-lattice", 1, "lattice-network"),
    ("callers", "outside-ecs", "service-connect", OUT, "sc-namespace-only"),
    ("callers", "outside-ecs", "elb", 1, "elb-any-client"),
    ("callers", "outside-ecs", "vpc-lattice", 1, "lattice-network"),
    ("callers", "outside-ecs", "service-discovery", 0, "sd-vpc-dns"),
    ("callers", "internet", "service-connect", OUT, "sc-namespace-only"),
    ("callers", "internet", "vpc-lattice", OUT, "private-only"),
    ("callers", "internet", "service-discovery", OUT, "private-only"),
    ("callers", "internet", "elb", 3, "elb-internet"),
    ("network", "cross-vpc", "vpc-lattice", 2, "lattice-network"),
    ("network", "cross-vpc", "service-connect", 0, "sc-spans-vpcs"),
    ("network", "cross-account", "vpc-lattice", 2, "lattice-cross-account"),
    ("network", "cross-account", "service-connect", 0, "sc-ram-share"),
    ("protocol", "grpc", "service-connect", 1, "sc-grpc-metrics"),
    ("protocol", "grpc", "elb", 0, "elb-grpc"),
    ("protocol", "grpc", "vpc-lattice", 0, "lattice-no-grpc-check"),
    ("protocol", "tcp", "service-connect", 0, "sc-tcp-limits"),
    ("protocol", "tcp", "elb", 0, "elb-tcp-nlb"),
    ("protocol", "tcp", "vpc-lattice", -1, "lattice-tcp-unknown"),
    ("release", "canary", "service-connect", 1, "shift-sc"),
    ("release", "canary", "elb", 1, "shift-elb"),
    ("release", "canary", "vpc-lattice", 1, "shift-lattice"),
    ("release", "canary", "service-discovery", OUT, "shift-none-sd"),
    ("release", "weighted", "vpc-lattice", 3, "weights-lattice"),
    ("release", "weighted", "service-connect", -4, "weights-sc-none"),
    ("release", "weighted", "elb", 1, "weights-alb"),
    ("release", "weighted", "service-discovery", OUT, "shift-none-sd"),
    ("tls", "tls", "service-connect", 1, "sc-tls"),
    ("tls", "tls", "service-discovery", -1, "sd-tls-yours"),
    ("tls", "authz", "service-connect", -2, "sc-no-mtls"),
    ("tls", "authz", "vpc-lattice", 3, "lattice-iam"),
    ("tls", "authz", "service-discovery", -1, "sd-tls-yours"),
    ("launch", "ec2-bridge", "service-discovery", -1, "sd-srv-only"),
    ("launch", "ec2-host", "service-discovery", -1, "sd-srv-only"),
    ("launch", "ec2-host", "service-connect", OUT, "sc-no-host"),
    ("os", "windows", "service-connect", OUT, "sc-no-windows"),
    ("scale", "big-namespace", "service-connect", 0, "sc-big-namespace"),
    ("scale", "over-1000", "service-connect", OUT, "cap-1000"),
    ("scale", "over-1000", "service-discovery", OUT, "cap-1000"),
    ("scale", "over-1000", "vpc-lattice", -1, "lattice-1000-targets"),
)

#: Rules that need two answers at once: (question, answer, question, answer, option, effect, reason).
PAIR_RULES: tuple[tuple[str, str, str, str, str, int | str, str], ...] = (
    ("tls", "tls", "launch", "ec2-bridge", "service-connect", -1, "sc-tls-awsvpc"),
)

#: Answers that describe what App Mesh did (aws-facts-2026 1.9): the page says so.
APP_MESH_ANSWERS: frozenset[tuple[str, str]] = frozenset(
    {("release", "weighted"), ("tls", "authz")}
)


class AnswerError(ValueError):
    """An answer the guide does not know; ``field`` names the question."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class Verdict:
    """One option after every rule: ``out`` if a rule ruled it out; its reasons in rule order."""

    option: str
    score: int
    out: bool
    reasons: tuple[tuple[Reason, int | str], ...]


@dataclass(frozen=True)
class Advice:
    pick: str
    runner_up: str | None
    verdicts: dict[str, Verdict]
    app_mesh_note: bool


def check_answers(raw: Mapping[str, str]) -> dict[str, str]:
    """Every question answered (a missing one takes its default); an unknown answer raises."""
    answers: dict[str, str] = {}
    for question, choices in QUESTIONS.items():
        value = raw.get(question) or choices[0]
        if value not in choices:
            raise AnswerError(question, f"must be one of {', '.join(choices)}; got {value[:40]!r}")
        answers[question] = value
    return answers


def decide(raw: Mapping[str, str]) -> Advice:
    answers = check_answers(raw)
    moves: dict[str, list[tuple[Reason, int | str]]] = {o: [] for o in OPTIONS}
    for rule in RULES:
        if answers[rule.question] == rule.answer:
            moves[rule.option].append((REASONS[rule.reason], rule.effect))
    for q1, a1, q2, a2, option, effect, reason in PAIR_RULES:
        if answers[q1] == a1 and answers[q2] == a2:
            moves[option].append((REASONS[reason], effect))
    verdicts = {o: _verdict(o, moves[o]) for o in OPTIONS}
    ranked = sorted(
        (v for v in verdicts.values() if not v.out),
        key=lambda v: (-v.score, OPTIONS.index(v.option)),
    )
    return Advice(
        pick=ranked[0].option,
        runner_up=ranked[1].option if len(ranked) > 1 else None,
        verdicts=verdicts,
        app_mesh_note=any(item in APP_MESH_ANSWERS for item in answers.items()),
    )


def _verdict(option: str, moves: list[tuple[Reason, int | str]]) -> Verdict:
    out = any(effect == OUT for _, effect in moves)
    score = BASE_SCORE[option] + sum(e for _, e in moves if isinstance(e, int))
    return Verdict(option=option, score=score, out=out, reasons=tuple(moves))
