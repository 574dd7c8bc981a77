"""Quiz grading: the lessons' ``quiz`` questions plus questions that draw their numbers.

A lesson's quiz is its written questions (:mod:`patterns.lessons.content`) followed by the drawn questions
registered for the lesson in :data:`DRAWN`. Each attempt has its own seed, carried in a signed form
field, so grading rebuilds exactly the questions the learner saw and a new attempt gets new
numbers. Every graded question comes back with its explanation, right or wrong.
"""

from __future__ import annotations

import functools
import random
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.core import signing
from django.http import QueryDict
from django.utils.translation import gettext as _

from patterns.lessons.content import Lesson, Quiz, render_inline
from patterns.sim.deployments import steps as deployment_steps

SALT = "kumoben.quiz.attempt"


@dataclass(frozen=True)
class Question:
    prompt: str  # HTML
    choices: tuple[str, ...]  # HTML
    correct: frozenset[int]  # 1-based choice numbers
    explanation: str  # HTML

    @property
    def multiple(self) -> bool:
        return len(self.correct) > 1


@dataclass(frozen=True)
class Graded:
    number: int
    question: Question
    chosen: frozenset[int]

    @property
    def right(self) -> bool:
        return self.chosen == self.question.correct


def _numeric(
    rng: random.Random, prompt: str, answer: float, wrong: Sequence[float], unit: str, why: str
) -> Question:
    """A one-right-answer question over numbers: distinct distractors, shuffled with the answer."""
    options = [answer]
    for value in wrong:
        if value not in options and value > 0:
            options.append(value)
    options = options[:4]
    rng.shuffle(options)
    choices = tuple(f"{value:g} {unit}".strip() for value in options)
    return Question(prompt, choices, frozenset({options.index(answer) + 1}), why)


# --------------------------------------------------------------------------- drawn questions


def worst_alb_window(interval: int, timeout: int, threshold: int) -> int:
    """Worst case for a hung target: N failed checks I s apart, the last failing at its timeout T.

    The target hangs just after a passing check, so N more checks start I, 2I, ... N*I later and
    the last one fails T after it starts. Worked example (the ALB defaults): I = 30, T = 5, N = 2
    -> 2 x 30 + 5 = 65 s.
    """
    return threshold * interval + timeout


def alb_window(rng: random.Random) -> Question:
    interval = rng.choice((10, 15, 20, 30))
    timeout = rng.choice((2, 3, 5))
    threshold = rng.choice((2, 3, 4, 5))
    answer = worst_alb_window(interval, timeout, threshold)
    prompt = _(
        "A target stops answering (its connections hang). The ALB checks it every %(i)s s with a "
        "%(t)s s timeout and marks it unhealthy after %(n)s failed checks. At worst, how long "
        "after it hangs does it keep getting requests?"
    ) % {"i": interval, "t": timeout, "n": threshold}
    why = _(
        "%(n)s checks must fail. In the worst case the target hangs just after a check passed, so "
        "the first failing check starts %(i)s s later and the last one fails %(t)s s after it "
        "starts: %(n)s × %(i)s + %(t)s = %(a)s s."
    ) % {"n": threshold, "i": interval, "t": timeout, "a": answer}
    wrong = ((threshold - 1) * interval + timeout, threshold * interval, interval + timeout, 300)
    return _numeric(rng, prompt, answer, wrong, "s", why)


def ejection_time(rng: random.Random) -> Question:
    """Service Connect ejects for 30 s first; the growth to 300 s is Envoy's rule, assumed.

    AWS documents 30-300 s and no setting (aws-facts-2026 3.9); the engine assumes Envoy's
    30 s x (ejections in a row), capped at 300 s, and the question says so.
    """
    base = 30
    times = rng.choice((2, 3, 4, 5, 8, 11, 12))
    answer = min(base * times, 300)
    prompt = _(
        "Service Connect's outlier detection is fixed by AWS: a task is ejected for 30 to 300 s. "
        "Assume Envoy's rule, which the engine uses: 30 s times the number of ejections in a "
        "row, at most 300 s. A task has now been ejected %(k)s times in a row. How long does "
        "this latest ejection last?"
    ) % {"k": times}
    why = _(
        "Under the assumed rule the ejection lasts 30 s multiplied by how many times in a row the "
        "task was ejected, capped at 300 s: min(30 × %(k)s, 300) = %(a)s s. AWS documents only "
        "the 30-300 s range, and no setting changes it."
    ) % {"k": times, "a": answer}
    wrong = (base, base * 2 ** (times - 1), base * (times + 1), base * times + 60)
    return _numeric(rng, prompt, answer, wrong, "s", why)


def stale_dns_window(rng: random.Random) -> Question:
    """A cached A record outlives the task by up to the TTL, after up to ~60 s of propagation."""
    ttl = rng.choice((10, 30, 60, 120, 300))
    answer = ttl + 60
    prompt = _(
        "A Cloud Map record has a TTL of %(ttl)s s and Route 53 takes up to 60 s to propagate a "
        "change. A task stops and its record is deleted. At worst, how long can a client that "
        "respects the TTL keep using the old IP?"
    ) % {"ttl": ttl}
    why = _(
        "The record can still be served for up to 60 s while the deletion propagates, and an answer "
        "cached at the last moment lives for the whole TTL: 60 + %(ttl)s = %(a)s s. ECS does not "
        "wait for this before stopping the task."
    ) % {"ttl": ttl, "a": answer}
    wrong = (ttl, 60, 2 * ttl, ttl + 300)
    return _numeric(rng, prompt, answer, wrong, "s", why)


def canary_share(rng: random.Random) -> Question:
    """Weighted targets share requests in proportion to their weights."""
    stable, canary = rng.choice(((9, 1), (4, 1), (3, 1), (1, 1), (3, 2), (19, 1), (7, 3)))
    answer = 100 * canary / (stable + canary)
    prompt = _(
        "An App Mesh route has weighted targets inventory (weight %(s)s) and inventory-v2 (weight "
        "%(c)s). What share of requests goes to inventory-v2?"
    ) % {"s": stable, "c": canary}
    why = _(
        "Weights are relative: %(c)s / (%(s)s + %(c)s) = %(a)s %% of requests, chosen per request "
        "by the client's Envoy."
    ) % {"s": stable, "c": canary, "a": f"{answer:g}"}
    wrong = (canary, 100 * canary / stable, 100 - answer, 50)
    return _numeric(rng, prompt, answer, wrong, "%", why)


def retry_attempts(rng: random.Random) -> Question:
    """maxRetries N in an App Mesh route's retry policy means up to N + 1 attempts of one request.

    An App Mesh question: Service Connect's retries are fixed by AWS (2), so a drawn count there
    would teach a setting that does not exist (content review A16).
    """
    retries = rng.choice((1, 2, 3, 4))
    answer = retries + 1
    prompt = _(
        "An App Mesh route's retry policy had maxRetries set to %(n)s, retrying on HTTP 503. A "
        "task answers 503 every time. At most how many attempts does one request make?"
    ) % {"n": retries}
    why = _(
        "The first attempt plus %(n)s retries: %(a)s attempts, each picking a task by round robin, "
        "all inside the route's 15 s timeout. Service Connect has no such setting: AWS fixes its "
        "retries at 2."
    ) % {"n": retries, "a": answer}
    wrong = (retries, retries + 2, 2 * retries + 1, 1)
    return _numeric(rng, prompt, answer, wrong, "", why)


#: Records in one MULTIVALUE answer, at most (aws-semantics fact 13).
MULTIVALUE_MAX_RECORDS = 8


def multivalue_answer_size(registered: int, healthy: int) -> int:
    """Records in one MULTIVALUE answer: up to 8 healthy ones; with none healthy, up to 8 of all
    (it fails open, fact 14). Worked examples: 12 healthy of 12 -> 8; 0 healthy of 6 -> 6."""
    pool = healthy if healthy > 0 else registered
    return min(pool, MULTIVALUE_MAX_RECORDS)


def multivalue_records(rng: random.Random) -> Question:
    registered = rng.choice((6, 10, 12, 16, 20))
    healthy = rng.choice((registered, registered - rng.choice((2, 3, 4)), 0))
    answer = multivalue_answer_size(registered, healthy)
    prompt = _(
        "A Cloud Map service with the MULTIVALUE routing policy has %(n)s tasks registered, "
        "%(h)s of them healthy. How many records does one DNS answer hold?"
    ) % {"n": registered, "h": healthy}
    if healthy:
        why = _(
            "MULTIVALUE answers with up to 8 healthy records, a random choice when there are "
            "more: min(%(h)s, 8) = %(a)s."
        ) % {"h": healthy, "a": answer}
    else:
        why = _(
            "With no healthy instance MULTIVALUE fails open and answers with up to 8 unhealthy "
            "records rather than none: min(%(n)s, 8) = %(a)s."
        ) % {"n": registered, "a": answer}
    wrong = (registered, healthy, 1, MULTIVALUE_MAX_RECORDS)
    return _numeric(rng, prompt, answer, wrong, "", why)


def linear_steps(rng: random.Random) -> Question:
    """A LINEAR deployment's production steps, as the engine takes them (aws-facts-2026 2.4)."""
    percent = rng.choice((10, 15, 20, 25, 30, 40))
    answer = len(deployment_steps({"strategy": "linear", "step_percent": float(percent)}))
    prompt = _(
        "A LINEAR deployment uses stepPercent %(p)s. How many PRODUCTION_TRAFFIC_SHIFT steps does "
        "it take for green to carry all production traffic?"
    ) % {"p": percent}
    why = _(
        "Each step moves %(p)s %% more and the last one tops up to 100 %%: ⌈100 / %(p)s⌉ = %(a)s "
        "steps, with stepBakeTimeInMinutes between them (not after the step that reaches 100 %%)."
    ) % {"p": percent, "a": answer}
    wrong = (100 // percent, answer + 1, answer - 1, 2 * answer)
    return _numeric(rng, prompt, answer, wrong, "", why)


DRAWN: dict[str, tuple[Callable[[random.Random], Question], ...]] = {
    "elb": (alb_window,),
    "app-mesh": (canary_share, retry_attempts),
    "service-discovery": (stale_dns_window, multivalue_records),
    "service-connect": (ejection_time, linear_steps),
}


# --------------------------------------------------------------------------- attempts and grading


@functools.lru_cache(maxsize=64)
def written(quiz: Quiz) -> tuple[Question, ...]:
    """The lesson's own questions, rendered (Markdown, escaped) in file order; cached, as lesson
    pages render their quiz on every view."""
    return tuple(
        Question(
            render_inline(q.prompt),
            tuple(render_inline(c.text) for c in q.choices),
            frozenset(n for n, c in enumerate(q.choices, start=1) if c.correct),
            render_inline(q.explanation),
        )
        for q in quiz.questions
    )


def questions(lesson: Lesson, quiz: Quiz, attempt_seed: int) -> list[Question]:
    """What one attempt asks: the written questions, then this lesson's drawn ones."""
    rng = random.Random(f"{lesson.slug}:{quiz.id}:{attempt_seed}")
    return [*written(quiz), *(draw(rng) for draw in DRAWN.get(lesson.slug, ()))]


# Attempts draw from a pool of seeds, so a lesson page can reuse the quiz form it rendered for
# the same seed (rendering it costs a lesson page about a third of its time); the next attempt
# never repeats the previous seed, so a learner who tries again always gets new numbers.
ATTEMPT_POOL = 64


def new_attempt(
    previous: int | None = None, randbelow: Callable[[int], int] = secrets.randbelow
) -> int:
    """A seed in 1..ATTEMPT_POOL, never ``previous``: 1 + (previous + k) mod pool, k in 0..pool-2."""
    if previous is None or not 1 <= previous <= ATTEMPT_POOL:
        return randbelow(ATTEMPT_POOL) + 1
    return (previous + randbelow(ATTEMPT_POOL - 1)) % ATTEMPT_POOL + 1


def sign_attempt(seed: int) -> str:
    return signing.dumps(seed, salt=SALT, compress=False)


def read_attempt(token: str) -> int | None:
    """The attempt's seed, or None when the token was not made by us."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def parse_answers(data: QueryDict, quiz_id: str, count: int) -> dict[int, frozenset[int]]:
    """Chosen choice numbers per question from form data named ``<quiz>-<question>``."""
    out: dict[int, frozenset[int]] = {}
    for number in range(1, count + 1):
        values = data.getlist(f"{quiz_id}-{number}")
        picked = {int(v) for v in values if v.isdigit() and len(v) < 4}
        out[number] = frozenset(picked)
    return out


def grade(asked: Sequence[Question], answers: Mapping[int, frozenset[int]]) -> list[Graded]:
    return [
        Graded(number, question, answers.get(number, frozenset()))
        for number, question in enumerate(asked, start=1)
    ]


def find_quiz(lesson: Lesson, quiz_id: str) -> Quiz | None:
    for step in lesson.steps:
        for directive in step.directives:
            if isinstance(directive, Quiz) and directive.id == quiz_id:
                return directive
    return None
