"""Quizzes: what one attempt asks, in which order, and how answers are graded.

A lesson's quiz is a pool: its written questions (:mod:`patterns.lessons.content`), grouped into
concepts whose variants are alternatives, plus the questions registered for the lesson in
:data:`DRAWN`, which draw their numbers or run the engine. An attempt has its own seed, carried in
a signed form field and kept in the session, so a reload and the grading rebuild exactly what the
learner saw: which variant of each concept, its numbers, and the order of its choices.

The seed decides everything: variant ``(seed + offset) % variants`` of each concept, then one
``random.Random`` per attempt that shuffles every question's choices. Seeds come from a pool of
60 and the next attempt moves by a step that is 1 or 5 modulo 6, so a retake always asks another
variant of every concept with two or three of them.
"""

from __future__ import annotations

import functools
import json
import math
import random
import re
import secrets
import unicodedata
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from django.core import signing
from django.http import QueryDict
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from patterns.lessons.comparison import dead_task_window
from patterns.lessons.content import Lesson, Quiz, render_inline
from patterns.sim import BUILTIN_SCENARIOS, run
from patterns.sim.deployments import steps as deployment_steps

SALT = "kumoben.quiz.attempt"
SECOND_SALT = "kumoben.quiz.second-try"

#: An answer as parsed from the form: the chosen positions (choice), the positions in the order
#: given (order), or the number typed (numeric; None when nothing readable was typed).
Answer = frozenset[int] | tuple[int, ...] | float | None


@dataclass(frozen=True)
class Question:
    prompt: str  # HTML
    choices: tuple[str, ...]  # HTML, in the order shown (an ordering question: its items)
    correct: frozenset[int]  # 1-based positions of the right choices as shown
    explanation: str  # HTML
    hint: str = ""  # HTML, shown after a wrong first try
    key: str = ""  # the concept, stable across attempts: spaced review finds the question by it
    kind: str = "choice"  # "choice", "order" or "numeric"
    order: tuple[int, ...] = ()  # order: the shown positions, first to last
    answer: float = 0.0  # numeric: the engine's or the formula's value
    tolerance: float = 0.0  # numeric: |typed - answer| <= tolerance is right
    unit: str = ""
    exhibit: str = ""  # HTML shown with the prompt: an event list, an error mix
    player: Mapping[str, Any] | None = field(default=None, compare=False)  # predict: the run

    @property
    def unit_label(self) -> str:
        """The unit as the learner's language writes it (秒 on a Japanese page)."""
        return unit_label(self.unit)

    @property
    def multiple(self) -> bool:
        return len(self.correct) > 1

    @property
    def predict(self) -> bool:
        return self.player is not None

    def is_right(self, answer: Answer) -> bool:
        if self.kind == "numeric":
            return isinstance(answer, float) and abs(answer - self.answer) <= self.tolerance + 1e-9
        if self.kind == "order":
            return answer == self.order
        return answer == self.correct

    def shown_answer(self) -> str:
        """The right answer as text for the explanation panel (HTML)."""
        if self.kind == "numeric":
            return escape(_number_text(self.answer, self.unit))
        if self.kind == "order":
            return " → ".join(self.choices[n - 1] for n in self.order)
        return " · ".join(self.choices[n - 1] for n in sorted(self.correct))


@dataclass(frozen=True)
class Graded:
    number: int
    question: Question
    chosen: Answer

    @property
    def right(self) -> bool:
        return self.question.is_right(self.chosen)

    def chosen_text(self) -> str:
        """What the learner answered, as HTML (empty when nothing)."""
        question, chosen = self.question, self.chosen
        if isinstance(chosen, float):
            return escape(_number_text(chosen, question.unit))
        if isinstance(chosen, tuple):
            return " → ".join(
                question.choices[n - 1] if 1 <= n <= len(question.choices) else "?" for n in chosen
            )
        if isinstance(chosen, frozenset):
            return " · ".join(
                question.choices[n - 1] for n in sorted(chosen) if n <= len(question.choices)
            )
        return ""


def unit_label(unit: str) -> str:
    """A unit code of the quiz ("s", "ms", "%") in the active language."""
    return {"s": pgettext("unit", "s"), "ms": pgettext("unit", "ms")}.get(unit, unit)


def _number_text(value: float, unit: str) -> str:
    text = f"{value:,.1f}".removesuffix(".0")
    return f"{text} {unit_label(unit)}".strip()


def shuffled(question: Question, rng: random.Random) -> Question:
    """The question with its choices in a drawn order; the key follows the choices."""
    if len(question.choices) < 2 or question.kind == "numeric":
        return question
    order = list(range(1, len(question.choices) + 1))
    rng.shuffle(order)  # order[i] = the original position shown at i + 1
    where = {original: shown for shown, original in enumerate(order, start=1)}
    return replace(
        question,
        choices=tuple(question.choices[n - 1] for n in order),
        correct=frozenset(where[n] for n in question.correct),
        order=tuple(where[n] for n in question.order),
    )


def _choice(
    prompt: str, right: str, wrong: Sequence[str], why: str, hint: str, key: str, **extra: Any
) -> Question:
    """A one-right-answer question, right answer first (the attempt shuffles it)."""
    return Question(prompt, (right, *wrong), frozenset({1}), why, hint, key, **extra)


def _numeric(
    prompt: str, answer: float, unit: str, why: str, hint: str, key: str, tolerance: float = 0.0
) -> Question:
    return Question(
        prompt, (), frozenset(), why, hint, key, kind="numeric",
        answer=answer, tolerance=tolerance, unit=unit,
    )  # fmt: skip


# --------------------------------------------------------------------------- drawn: formulas


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
    hint = _(
        "Count the checks that must fail, how far apart they start, and how long the last one "
        "waits before it counts as failed."
    )
    return _numeric(prompt, answer, "s", why, hint, "drawn:alb-window")


def ejection_time(rng: random.Random) -> Question:
    """Service Connect ejects for 30 s first; the growth to 300 s is Envoy's rule, assumed.

    AWS documents 30-300 s and no setting (aws-facts-2026 3.9); the engine assumes Envoy's
    30 s x (ejections in a row), capped at 300 s, and the question says so.
    """
    times = rng.choice((2, 3, 4, 5, 8, 11, 12))
    answer = min(30 * times, 300)
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
    hint = _("Multiply first, then remember the cap.")
    return _numeric(prompt, answer, "s", why, hint, "drawn:ejection-time")


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
    hint = _(
        "Two waits add up: the deletion must reach every resolver, then the last cached answer expires."
    )
    return _numeric(prompt, answer, "s", why, hint, "drawn:stale-dns")


def canary_share(rng: random.Random) -> Question:
    """Weighted targets share requests in proportion to their weights."""
    stable, canary = rng.choice(((9, 1), (4, 1), (3, 1), (1, 1), (3, 2), (19, 1), (7, 3)))
    answer = 100 * canary / (stable + canary)
    prompt = _(
        "An App Mesh route had weighted targets inventory (weight %(s)s) and inventory-v2 (weight "
        "%(c)s). What share of requests went to inventory-v2, in percent?"
    ) % {"s": stable, "c": canary}
    why = _(
        "Weights are relative: %(c)s / (%(s)s + %(c)s) = %(a)s %% of requests, chosen per request "
        "by the client's Envoy."
    ) % {"s": stable, "c": canary, "a": f"{answer:g}"}
    hint = _("A weight is a share of the sum of all weights, not a percentage by itself.")
    return _numeric(prompt, round(answer, 1), "%", why, hint, "drawn:canary-share", tolerance=0.5)


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
    hint = _("maxRetries counts the tries after the first one.")
    return _numeric(prompt, answer, "", why, hint, "drawn:retry-attempts")


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
    hint = _(
        "One answer has a maximum size, and MULTIVALUE has a rule for when nothing is healthy."
    )
    return _numeric(prompt, answer, "", why, hint, "drawn:multivalue")


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
    hint = _("The last step may move less than stepPercent: it only tops up to 100 %.")
    return _numeric(prompt, answer, "", why, hint, "drawn:linear-steps")


# --------------------------------------------------------------------------- drawn: engine runs


@functools.lru_cache(maxsize=64)
def _run(scenario_json: str, pattern: str, seed: int) -> dict[str, Any]:
    """One engine run, cached: the engine is deterministic for a scenario and a seed."""
    return run(json.loads(scenario_json), pattern=pattern, seed=seed)


def _steady(rps: int, duration: int) -> str:
    traffic = [
        {"from": "user", "to": "contract", "rps": rps},
        {"from": "contract", "to": "inventory", "rps": rps},
        {"from": "contract", "to": "billing", "rps": rps},
    ]
    return json.dumps({"name": "steady", "duration_s": duration, "traffic": traffic})


def inventory_requests(rng: random.Random) -> Question:
    """How many requests inventory gets in a steady run: the engine counts them (arrivals are
    random, so the learner's rps x time is right within 15 %)."""
    rps = rng.choice((5, 10, 20))
    duration = rng.choice((60, 90, 120))
    result = _run(_steady(rps, duration), "elb", rng.randint(1, 5))
    answer = result["summary"]["per_service"]["inventory"]["requests"]
    prompt = _(
        "The sample system runs for %(d)s s. user calls contract %(r)s times a second, and for each "
        "call contract calls inventory and billing once. About how many requests does inventory "
        "get in the run? (Within 15 %% counts: requests arrive at random.)"
    ) % {"d": duration, "r": rps}
    why = _(
        "%(r)s requests a second for %(d)s s is about %(e)s; the engine, whose requests arrive at "
        "random, counted %(a)s. Each call to contract costs one call to inventory and one to "
        "billing: one user action turns into three calls between services."
    ) % {"r": rps, "d": duration, "e": f"{rps * duration:,}", "a": f"{answer:,}"}
    hint = _("Follow one call from user down the chain, then multiply by the rate and the time.")
    return _numeric(
        prompt, answer, "", why, hint, "drawn:inventory-requests", tolerance=round(answer * 0.15)
    )


def proxy_count(rng: random.Random) -> Question:
    """How many proxies a pattern adds to the tasks: one per task with Service Connect on, none
    with an ALB (the load balancer is not in the task)."""
    counts = (
        rng.choice((2, 3, 4)),
        rng.choice((2, 3, 4, 6)),
        rng.choice((2, 3, 5)),
        rng.choice((1, 2, 3)),
    )
    pattern = rng.choice(("service-connect", "elb"))
    answer = sum(counts) if pattern == "service-connect" else 0
    name = {"service-connect": "ECS Service Connect", "elb": _("an internal ALB")}[pattern]
    prompt = _(
        "The sample system runs user × %(u)s, contract × %(c)s, inventory × %(i)s and billing × "
        "%(b)s tasks, and every service uses %(p)s. How many proxy containers run inside the "
        "tasks?"
    ) % {"u": counts[0], "c": counts[1], "i": counts[2], "b": counts[3], "p": name}
    if pattern == "elb":
        why = _(
            "None: the calling application connects to the load balancer, which runs outside the "
            "tasks; ECS adds nothing to the task."
        )
    else:
        why = _(
            "One in every task: ECS adds the Service Connect agent to each task of a service with "
            "Service Connect on, so %(u)s + %(c)s + %(i)s + %(b)s = %(a)s."
        ) % {"u": counts[0], "c": counts[1], "i": counts[2], "b": counts[3], "a": answer}
    hint = _(
        "Does this pattern put something next to each application, or in front of the service?"
    )
    return _numeric(prompt, answer, "", why, hint, "drawn:proxy-count")


def dead_task_seconds(rng: random.Random) -> Question:
    """Read the comparison's measured row: failed requests in kill-task for a drawn pattern."""
    pattern = rng.choice(("elb", "service-discovery"))
    result = _run(json.dumps(BUILTIN_SCENARIOS["kill-task"]), pattern, 1)
    window, _open = dead_task_window(result)
    answer = round(window, 1)
    name = {"elb": "ELB", "service-discovery": "ECS Service Discovery"}[pattern]
    prompt = _(
        "In the comparison's dead-task run (kill-task, seed 1), how many seconds after the kill did "
        "%(p)s's callers send their last request to inventory-2? (Within 2 s counts.)"
    ) % {"p": name}
    why = _(
        "The engine measured %(a)s s. Under ELB, ECS deregisters the killed task without waiting "
        "for health checks; under Service Discovery each caller keeps the cached IP until its DNS "
        "cache expires."
    ) % {"a": answer}
    hint = _(
        "Read the measured row of the table in this lesson: the engine wrote the answer there."
    )
    return _numeric(prompt, answer, "s", why, hint, "drawn:dead-task-window", tolerance=2.0)


def worst_window_any(rng: random.Random) -> Question:
    """The summary's numeric question: one of the lessons' windows, drawn."""
    return rng.choice((alb_window, stale_dns_window))(rng)


def _error_mix(result: dict[str, Any]) -> str:
    summary = result["summary"]
    rows = [
        format_html('<tr><th scope="row"><code>{}</code></th><td>{}</td></tr>', reason, f"{n:,}")
        for reason, n in sorted(summary["errors"].items())
    ]
    if not rows:
        rows.append(format_html('<tr><th scope="row">{}</th><td>0</td></tr>', _("failed requests")))
    rows.append(
        format_html(
            '<tr><th scope="row">{}</th><td>{}</td></tr>', _("retries"), f"{summary['retries']:,}"
        )
    )
    rows.append(
        format_html(
            '<tr><th scope="row">{}</th><td>{}</td></tr>',
            _("p99 latency"),
            _number_text(round(summary["p99_ms"]), "ms"),
        )
    )
    caption = _("What the callers saw (engine run, seed %(s)s)") % {"s": result["seed"]}
    return format_html(
        '<table class="readout quiz-exhibit"><caption>{}</caption><tbody>{}</tbody></table>',
        caption,
        mark_safe("".join(rows)),  # noqa: S308 - each row is format_html-escaped
    )


def _component_options() -> dict[str, str]:
    return {
        "elb": _("an internal ALB between the services"),
        "service-discovery": _(
            "Cloud Map DNS, with the calling application connecting to the IP itself"
        ),
        "service-connect": _("the Service Connect proxy in the calling task"),
    }


def diagnose_pattern(rng: random.Random) -> Question:
    """An error mix from an engine run -> which setup produced it."""
    scenario = rng.choice(("kill-task", "az-outage"))
    pattern = rng.choice(("elb", "service-discovery", "service-connect"))
    seed = rng.randint(1, 3)
    result = _run(json.dumps(BUILTIN_SCENARIOS[scenario]), pattern, seed)
    options = _component_options()
    what = {
        "kill-task": _("inventory-2 was killed at 60 s"),
        "az-outage": _("ap-northeast-1c failed at 60 s and came back at 240 s"),
    }[scenario]
    prompt = _(
        "In the sample system %(what)s. The table shows what the callers saw. How did the services "
        "find each other?"
    ) % {"what": what}
    why = _(
        "It was %(p)s. An ALB answers a target that does not respond with http_504; an application "
        "that connects to a cached IP itself sees connect_timeout and nobody retries; a proxy in "
        "the calling task retries on another task, so callers see retries and few or no errors."
    ) % {"p": options[pattern]}
    hint = _("Look at who could have written each error code, and whether anything retried.")
    right = options.pop(pattern)
    return _choice(
        prompt,
        right,
        list(options.values()),
        why,
        hint,
        "drawn:diagnose-pattern",
        exhibit=_error_mix(result),
    )


def diagnose_timeout(rng: random.Random) -> Question:
    """A Service Connect slow task: the 504s after exactly 15 s come from the caller's proxy."""
    delay = rng.choice((16, 20, 30))
    seed = rng.randint(1, 3)
    scenario = {
        **BUILTIN_SCENARIOS["slow-task"],
        "actions": [
            {"at_s": 60, "do": "slow_task", "task": "inventory-2", "delay_ms": delay * 1000}
        ],
    }
    result = _run(json.dumps(scenario), "service-connect", seed)
    prompt = _(
        "Under ECS Service Connect, inventory-2 starts answering %(d)s s late at 60 s; its health "
        "check still passes. Callers see the errors in the table. Which component answered them?"
    ) % {"d": delay}
    why = _(
        "The Service Connect proxy in the calling task: perRequestTimeoutSeconds is 15 s by "
        "default, so the proxy gives up after 15 s and answers http_504 itself (p99 %(p)s ms) "
        "while inventory-2 is still working."
    ) % {"p": f"{result['summary']['p99_ms']:,.0f}"}
    hint = _("Compare the p99 latency with how late inventory-2 answers: someone gave up first.")
    return _choice(
        prompt,
        _("the Service Connect proxy in the calling task, at its 15 s request timeout"),
        [
            _("inventory-2 itself"),
            _("an ALB in front of inventory"),
            _("Route 53, because the record expired"),
        ],
        why, hint, "drawn:diagnose-timeout", exhibit=_error_mix(result),
    )  # fmt: skip


#: Where the player pauses in a predict question: just before the kill at 60 s.
PREDICT_AT = 58


def predict_dead_task(pattern: str) -> Callable[[random.Random], Question]:
    """Predict, then play on: how long does the killed task keep getting requests? The player is
    paused before the kill; the answer is the engine's ``last_request_to_task`` moment."""

    def draw(rng: random.Random) -> Question:
        seed = rng.randint(1, 3)
        scenario = BUILTIN_SCENARIOS["kill-task"]
        result = _run(json.dumps(scenario), pattern, seed)
        window, _open = dead_task_window(result)
        buckets = (
            (10, _("less than 10 s")),
            (60, _("10 to 60 s")),
            (math.inf, _("more than 60 s")),
        )
        right = next(text for limit, text in buckets if window < limit)
        prompt = _(
            "The player is paused at %(at)s s. At 60 s inventory-2 is killed. How long after the "
            "kill does inventory-2 get its last request? Answer, then play on and read the event "
            "list."
        ) % {"at": PREDICT_AT}
        why = _(
            "The engine's run: the last request reached inventory-2 %(w)s s after the kill "
            "(the event list's last request to inventory-2)."
        ) % {"w": f"{window:.1f}"}
        hint = _(
            "Who notices the dead task first here, and how: a deregistration, a cache that expires, or failed connections?"
        )
        return _choice(
            prompt, right, [text for _limit, text in buckets if text != right], why, hint,
            f"predict:dead-task:{pattern}",
            player={"scenario": {**scenario, "seed": seed}, "pattern": pattern, "at": PREDICT_AT},
        )  # fmt: skip

    draw.__name__ = f"predict_dead_task_{pattern.replace('-', '_')}"
    return draw


DRAWN: dict[str, tuple[Callable[[random.Random], Question], ...]] = {
    "microservices": (inventory_requests,),
    "four-patterns": (proxy_count, diagnose_pattern),
    "elb": (alb_window, predict_dead_task("elb"), diagnose_pattern),
    "app-mesh": (canary_share, retry_attempts),
    "service-discovery": (
        stale_dns_window,
        multivalue_records,
        predict_dead_task("service-discovery"),
    ),
    "service-connect": (
        ejection_time,
        linear_steps,
        diagnose_timeout,
        predict_dead_task("service-connect"),
    ),
    "comparison": (dead_task_seconds, diagnose_pattern, diagnose_timeout),
    "summary": (worst_window_any, diagnose_pattern),
}


# --------------------------------------------------------------------------- the pool


@functools.lru_cache(maxsize=64)
def written(quiz: Quiz) -> tuple[tuple[str, tuple[Question, ...]], ...]:
    """The lesson's own questions, rendered, grouped into concepts in file order: (key, variants).
    Cached, as lesson pages render their quiz on every view."""
    groups: dict[str, list[Question]] = {}
    for index, q in enumerate(quiz.questions, start=1):
        key = f"{quiz.id}:{q.concept or index}"
        choices = tuple(render_inline(c.text) for c in q.choices)
        if q.ordered:
            question = Question(
                render_inline(q.prompt), choices, frozenset(), render_inline(q.explanation),
                render_inline(q.hint), key, kind="order", order=tuple(range(1, len(choices) + 1)),
            )  # fmt: skip
        else:
            right = frozenset(n for n, c in enumerate(q.choices, start=1) if c.correct)
            question = Question(
                render_inline(q.prompt), choices, right, render_inline(q.explanation),
                render_inline(q.hint), key,
            )  # fmt: skip
        groups.setdefault(key, []).append(question)
    return tuple((key, tuple(variants)) for key, variants in groups.items())


def _variant(key: str, count: int, seed: int) -> int:
    return (seed + zlib.crc32(key.encode())) % count


def questions(lesson: Lesson, quiz: Quiz, attempt_seed: int) -> list[Question]:
    """What one attempt asks: a variant of each written concept, then the lesson's drawn ones,
    every question's choices in this attempt's order."""
    rng = random.Random(f"{lesson.slug}:{quiz.id}:{attempt_seed}")
    picked = [
        variants[_variant(key, len(variants), attempt_seed)] for key, variants in written(quiz)
    ]
    drawn = [draw(rng) for draw in DRAWN.get(lesson.slug, ())]
    return [shuffled(q, rng) for q in [*picked, *drawn]]


def pool(lesson: Lesson, quiz: Quiz, seed: int) -> list[tuple[str, tuple[Question, ...]]]:
    """Everything the quiz can ask, by concept, for an instructor: every variant of each written
    concept, then each drawn question as ``seed`` draws it; choices in an order ``seed`` draws.
    The same seed gives the same pool in every language (the same draws, the same shuffles)."""
    rng = random.Random(f"{lesson.slug}:{quiz.id}:{seed}:pool")
    concepts = [(key, tuple(shuffled(q, rng) for q in variants)) for key, variants in written(quiz)]
    drawn = [draw(rng) for draw in DRAWN.get(lesson.slug, ())]
    return [*concepts, *((q.key, (shuffled(q, rng),)) for q in drawn)]


def find_question(lesson: Lesson, quiz: Quiz, seed: int, key: str) -> Question | None:
    """The question of concept ``key`` as attempt ``seed`` asked it (spaced review)."""
    return next((q for q in questions(lesson, quiz, seed) if q.key == key), None)


# --------------------------------------------------------------------------- attempts


# Attempts draw from a pool of 60 seeds, so a lesson page can reuse the quiz form it rendered for
# the same seed. The next attempt moves by a step d with d % 6 in (1, 5): d is odd and not a
# multiple of 3, and 60 is a multiple of 6, so even across the wrap the variant index
# (seed + offset) % n changes for every concept with n = 2 or 3 variants.
ATTEMPT_POOL = 60
RETAKE_STEPS = tuple(d for d in range(1, ATTEMPT_POOL) if d % 6 in (1, 5))


def new_attempt(
    previous: int | None = None, randbelow: Callable[[int], int] = secrets.randbelow
) -> int:
    """A seed in 1..ATTEMPT_POOL; after ``previous``, one that asks other variants."""
    if previous is None or not 1 <= previous <= ATTEMPT_POOL:
        return randbelow(ATTEMPT_POOL) + 1
    step = RETAKE_STEPS[randbelow(len(RETAKE_STEPS))]
    return (previous - 1 + step) % ATTEMPT_POOL + 1


def sign_attempt(seed: int) -> str:
    return signing.dumps(seed, salt=SALT, compress=False)


def read_attempt(token: str) -> int | None:
    """The attempt's seed, or None when the token was not made by us."""
    try:
        value = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) else None


def sign_second_try(seed: int, wrong: Sequence[int]) -> str:
    """The second try's token: the attempt and the questions answered wrongly the first time."""
    return signing.dumps([seed, list(wrong)], salt=SECOND_SALT, compress=False)


def read_second_try(token: str) -> tuple[int, tuple[int, ...]] | None:
    try:
        value = signing.loads(token, salt=SECOND_SALT)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[0], int)):
        return None
    return value[0], tuple(n for n in value[1] if isinstance(n, int))


# --------------------------------------------------------------------------- answers and grading


_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def parse_number(text: str) -> float | None:
    """A typed number: full-width digits, a comma between thousands and a unit after it are
    fine ("６５秒", "1,200", "65 s"); None when there is no number at the start."""
    cleaned = unicodedata.normalize("NFKC", text).strip().replace(",", "").replace("−", "-")
    match = _NUMBER.match(cleaned)
    return float(match.group(0)) if match else None


def parse_answers(
    data: QueryDict, quiz_id: str, asked: Sequence[Question], numbers: Sequence[int] | None = None
) -> tuple[dict[int, Answer], dict[int, str]]:
    """Answers per question number from form data named ``<quiz>-<question>`` (choice, numeric)
    or ``<quiz>-<question>-<slot>`` (order), and the numbers whose typed value is not a number."""
    answers: dict[int, Answer] = {}
    errors: dict[int, str] = {}
    for number, question in enumerate(asked, start=1):
        if numbers is not None and number not in numbers:
            continue
        name = f"{quiz_id}-{number}"
        if question.kind == "numeric":
            raw = data.get(name, "")[:40]
            value = parse_number(raw)
            answers[number] = value
            if raw.strip() and value is None:
                errors[number] = raw
        elif question.kind == "order":
            slots = [data.get(f"{name}-{slot}", "") for slot in range(1, len(question.choices) + 1)]
            answers[number] = tuple(int(v) if v.isdigit() and len(v) < 4 else 0 for v in slots)
        else:
            values = data.getlist(name)
            answers[number] = frozenset(int(v) for v in values if v.isdigit() and len(v) < 4)
    return answers, errors


def grade(
    asked: Sequence[Question], answers: Mapping[int, Answer], numbers: Sequence[int] | None = None
) -> list[Graded]:
    return [
        Graded(number, question, answers.get(number))
        for number, question in enumerate(asked, start=1)
        if numbers is None or number in numbers
    ]


def find_quiz(lesson: Lesson, quiz_id: str) -> Quiz | None:
    for step in lesson.steps:
        for directive in step.directives:
            if isinstance(directive, Quiz) and directive.id == quiz_id:
                return directive
    return None


def lesson_quizzes(lesson: Lesson) -> list[Quiz]:
    return [d for step in lesson.steps for d in step.directives if isinstance(d, Quiz)]
