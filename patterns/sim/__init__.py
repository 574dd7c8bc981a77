"""Kumoben's simulation engine: pure Python (stdlib only), no Django, Channels or graphviz.

Public API (the CLI, the web consumers and the lab checks use only this)::

    from patterns.sim import (ScenarioError, load_scenario, BUILTIN_SCENARIOS, PATTERNS,
                              Simulation, run, compare)

    result = run("kill-task", pattern="elb", seed=1)             # whole run -> result dict
    results = compare("kill-task", seed=1)                        # {pattern: result dict}
    sim = Simulation("steady", pattern="service-connect", seed=7)
    events = sim.advance(10.0)     # run to t = 10 s; trace events recorded since the last call
    sim.apply({"do": "kill_task", "task": "inventory-2"})        # applied now, kept in sim.action_log
    sim.snapshot()                 # tasks, AZs, target groups, DNS caches, proxies (ejections)
    sim.result()                   # the result dict for the time simulated so far

``ScenarioError`` has ``.path`` (a JSON path such as ``settings.alb.unhealthy_threshold`` or
``actions[2].at_s``) and ``.reason``; ``str(error)`` is ``"<path>: <reason>"``. The scenario
format, every setting with its default and source, the actions and the limits are documented in
:mod:`patterns.sim.scenario`.

Determinism: a run owns one ``random.Random(seed)``; the same scenario, seed and action log give the
identical result in any process. ``advance`` runs every event strictly before ``until``, so slicing
a run into steps changes nothing. To replay a live run, load its scenario with
``actions=sim.replay_actions()``.

Result dict (``run``/``Simulation.result``)::

    pattern, seed, t                 the pattern, the seed, the virtual time reached
    scenario                         normalized scenario, every default filled in, plus
                                     assumptions: [{setting, assumption, source}]
    action_log                       actions applied so far, with their at_s
    summary   requests, ok, errors {reason: n}, in_flight, retries, p50_ms, p99_ms,
              per_service {callee: {requests, ok, errors, p50_ms, p99_ms}},
              edges [{from, to, requests, ok, errors, retries, p50_ms, p99_ms}],
              key_moments [{kind: action|task_stopped|last_request_to_task|unhealthy_threshold_reached|
                            container_health_failed|outlier_ejected, t, task?...} |
                           {kind: client_error_window, from_t, to_t, count}],
              trace_sample {every_n, sampled_requests, note}, plus pattern counters
              (alb {...} / outlier {detected, enforced, refused} ...)
    timeline         per second per destination task: {t, task, service, az, attempts, ok, errors}
    client_timeline  per second per caller and callee: {t, service, to, requests, ok, errors,
                     p50_ms, p99_ms}
    events           [{t, kind, cause, ...}] control-plane events and the sampled request hops;
                     every cause is a key of :data:`patterns.sim.causes.CAUSES`

Buckets are keyed by the second a request or attempt started; latency percentiles cover every
finished request (ok or not) and are nearest-rank. Requests conserve:
``requests == ok + sum(errors) + in_flight``. Error reasons are the constants of
:mod:`patterns.sim.trace` (``http_502``, ``connect_timeout``, ...).
"""

from __future__ import annotations

from .scenario import BUILTIN_SCENARIOS, PATTERNS, Scenario, ScenarioError, load_scenario
from .simulation import Simulation, compare, run

__all__ = [
    "BUILTIN_SCENARIOS",
    "PATTERNS",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "compare",
    "load_scenario",
    "run",
]
