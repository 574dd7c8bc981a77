"""The decision guide's rules: the exact recommendation and runner-up for every answer that moves
them, the combinations that matter, and refusals of unknown answers."""

from __future__ import annotations

import itertools

import pytest

from patterns.aws_docs import is_public_aws
from patterns.guide import decide

pytestmark = pytest.mark.unit

SC, ELB, LATTICE, SD = "service-connect", "elb", "vpc-lattice", "service-discovery"


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ({}, (SC, ELB, False)),
        ({"callers": "other-namespace"}, (ELB, LATTICE, False)),
        ({"callers": "outside-ecs"}, (ELB, LATTICE, False)),
        ({"callers": "internet"}, (ELB, None, False)),
        ({"network": "cross-vpc"}, (SC, LATTICE, False)),
        ({"network": "cross-account"}, (SC, LATTICE, False)),
        ({"protocol": "grpc"}, (SC, ELB, False)),
        ({"protocol": "tcp"}, (SC, ELB, False)),
        ({"release": "canary"}, (SC, ELB, False)),
        ({"release": "weighted"}, (LATTICE, ELB, True)),
        ({"tls": "tls"}, (SC, ELB, False)),
        ({"tls": "authz"}, (LATTICE, SC, True)),
        ({"launch": "ec2-awsvpc"}, (SC, ELB, False)),
        ({"launch": "ec2-bridge"}, (SC, ELB, False)),
        ({"launch": "ec2-host"}, (ELB, LATTICE, False)),
        ({"os": "windows"}, (ELB, LATTICE, False)),
        ({"scale": "big-namespace"}, (SC, ELB, False)),
        ({"scale": "over-1000"}, (ELB, LATTICE, False)),
        # combinations that change the answer
        ({"callers": "other-namespace", "network": "cross-vpc"}, (LATTICE, ELB, False)),
        ({"callers": "other-namespace", "network": "cross-account"}, (LATTICE, ELB, False)),
        ({"callers": "outside-ecs", "network": "cross-vpc"}, (LATTICE, ELB, False)),
        ({"callers": "outside-ecs", "release": "canary"}, (ELB, LATTICE, False)),
        ({"callers": "internet", "release": "weighted"}, (ELB, None, True)),
        ({"callers": "internet", "tls": "authz"}, (ELB, None, True)),
        ({"os": "windows", "release": "rolling", "scale": "small"}, (ELB, LATTICE, False)),
        ({"os": "windows", "network": "cross-vpc"}, (LATTICE, ELB, False)),
        ({"os": "windows", "launch": "ec2-bridge"}, (ELB, LATTICE, False)),
        ({"tls": "tls", "launch": "ec2-bridge"}, (SC, ELB, False)),
        ({"protocol": "grpc", "release": "weighted"}, (LATTICE, ELB, True)),
        ({"protocol": "tcp", "release": "weighted"}, (ELB, LATTICE, True)),
        ({"release": "canary", "tls": "tls"}, (SC, ELB, False)),
        ({"scale": "over-1000", "network": "cross-vpc"}, (ELB, LATTICE, False)),
        ({"scale": "over-1000", "callers": "internet"}, (ELB, None, False)),
        ({"launch": "ec2-host", "callers": "outside-ecs"}, (ELB, LATTICE, False)),
    ],
)
def test_decide_gives_the_exact_pick_runner_up_and_app_mesh_note(
    answers: dict[str, str], expected: tuple[str, str | None, bool]
) -> None:
    advice = decide.decide(answers)

    assert (advice.pick, advice.runner_up, advice.app_mesh_note) == expected


def test_decide_the_worked_example_of_the_docstring() -> None:
    advice = decide.decide({"callers": "same-namespace"})

    scores = {o: (v.score, v.out) for o, v in advice.verdicts.items()}
    assert scores == {SC: (5, False), ELB: (2, False), LATTICE: (1, False), SD: (1, False)}


def test_decide_internet_callers_rule_out_everything_but_elb_with_reasons() -> None:
    advice = decide.decide({"callers": "internet"})

    out = {o: [r.id for r, e in v.reasons if e == decide.OUT] for o, v in advice.verdicts.items()}
    assert out == {
        SC: ["sc-namespace-only"],
        ELB: [],
        LATTICE: ["private-only"],
        SD: ["private-only"],
    }


def test_decide_windows_rules_out_service_connect_on_the_documented_fact() -> None:
    verdict = decide.decide({"os": "windows"}).verdicts[SC]

    sc_page = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html"
    migration = "https://aws.amazon.com/blogs/containers/migrating-from-aws-app-mesh-to-amazon-ecs-service-connect/"
    assert [(r.id, r.sources, r.confirmed, e) for r, e in verdict.reasons] == [
        ("sc-managed-proxy", (sc_page, migration), True, 2),
        ("sc-no-windows", (sc_page,), True, decide.OUT),
    ]


def test_every_reason_leads_with_a_public_aws_page() -> None:
    for reason in decide.REASONS.values():
        assert reason.sources, reason.id
        assert is_public_aws(reason.sources[0]), reason.id
        assert all(url.startswith("https://") for url in reason.sources), reason.id


def test_decide_unconfirmed_facts_are_marked() -> None:
    unconfirmed = sorted(r.id for r in decide.REASONS.values() if not r.confirmed)

    assert unconfirmed == [
        "lattice-cross-account",
        "lattice-tcp-unknown",
        "sc-no-mtls",
        "weights-alb",
    ]


def test_decide_never_recommends_app_mesh_for_any_combination() -> None:
    picks = set()
    for combo in itertools.product(*decide.QUESTIONS.values()):
        advice = decide.decide(dict(zip(decide.QUESTIONS, combo, strict=True)))
        picks.update({advice.pick, advice.runner_up})

    assert picks == {SC, ELB, LATTICE, SD, None}
    assert "app-mesh" not in decide.OPTIONS


def test_decide_elb_is_never_ruled_out_so_there_is_always_a_pick() -> None:
    for combo in itertools.product(*decide.QUESTIONS.values()):
        advice = decide.decide(dict(zip(decide.QUESTIONS, combo, strict=True)))

        assert not advice.verdicts[ELB].out


def test_decide_rules_name_known_questions_answers_options_and_reasons() -> None:
    for rule in decide.RULES:
        assert rule.answer in decide.QUESTIONS[rule.question]
        assert rule.option in decide.OPTIONS
        assert rule.reason in decide.REASONS
    used = {r.reason for r in decide.RULES} | {p[-1] for p in decide.PAIR_RULES}
    assert used == set(decide.REASONS)


def test_decide_missing_answers_take_the_first_choice() -> None:
    assert decide.check_answers({"callers": ""}) == {q: c[0] for q, c in decide.QUESTIONS.items()}


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"callers": "everyone"}, "callers"),
        ({"os": "macos"}, "os"),
        ({"scale": "x" * 500}, "scale"),
    ],
)
def test_decide_unknown_answer_is_refused_naming_the_question(
    answers: dict[str, str], field: str
) -> None:
    with pytest.raises(decide.AnswerError) as caught:
        decide.decide(answers)

    assert caught.value.field == field
    assert caught.value.reason.startswith("must be one of ")
    assert len(str(caught.value)) < 200


def test_a_source_link_reads_as_its_site_and_page() -> None:
    from patterns import aws_docs

    assert aws_docs.label(f"{aws_docs.LATTICE_GUIDE}/service-networks.html") == (
        "docs.aws.amazon.com › service-networks"
    )
    assert aws_docs.label(aws_docs.PRICING["route53"]) == "aws.amazon.com › route53/pricing"
    assert aws_docs.label("https://github.com/aws/containers-roadmap/issues/2150") == (
        "github.com › containers-roadmap#2150"
    )
    assert not aws_docs.is_public_aws("https://docs.amazonaws.cn/en_us/AmazonECS/")
