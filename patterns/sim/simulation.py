"""The public run object: build a world for one pattern, advance it, apply actions, report.

Replay rule: an action runs after every event strictly before its time and before any event at or
after it. ``apply()`` on a live run does exactly that at the current time, so a scenario whose
``actions`` are this run's :meth:`Simulation.replay_actions` reproduces the identical trace.
"""

from __future__ import annotations

import copy
import importlib
from collections.abc import Mapping
from typing import Any

from .faults import apply_action
from .metrics import error_windows, percentile_ms, task_timeline
from .pattern_base import Pattern
from .scenario import (
    MAX_DURATION_S,
    PATTERNS,
    Scenario,
    ScenarioError,
    check_actions_for_pattern,
    check_added_services,
    check_number,
    check_setting_combination,
    load_scenario,
    normalize_action,
)
from .topology import STOPPED, World

_PATTERN_MODULES = {
    "elb": ("patterns.sim.elb", "ElbPattern"),
    "app-mesh": ("patterns.sim.appmesh", "AppMeshPattern"),
    "service-discovery": ("patterns.sim.service_discovery", "ServiceDiscoveryPattern"),
    "service-connect": ("patterns.sim.service_connect", "ServiceConnectPattern"),
}

_KEY_CAUSES = ("unhealthy_threshold_reached", "container_health_failed", "outlier_ejected")
#: Blue/green, linear and canary steps told as key moments, with the fields that say why.
_DEPLOY_MOMENTS = {
    "test_traffic_shifted": ("service", "stage"),
    "production_traffic_shifted": ("service", "stage", "green_percent"),
    "blue_green_clean_up": ("service", "stage"),
    "deployment_rolled_back": ("service", "stage", "green_percent", "by"),
}


def _make_pattern(name: str, world: World) -> Pattern:
    module_name, class_name = _PATTERN_MODULES[name]
    module = importlib.import_module(module_name)
    cls = getattr(module, class_name)
    pattern: Pattern = cls(world)
    return pattern


class Simulation:
    """One run of one scenario under one pattern; resumable with :meth:`advance`."""

    def __init__(
        self,
        scenario: Scenario | Mapping[str, Any] | str,
        pattern: str | None = None,
        seed: int | None = None,
        duration_s: float | None = None,
    ) -> None:
        if pattern is not None and pattern not in PATTERNS:
            raise ScenarioError("pattern", f"must be one of {', '.join(PATTERNS)}; got {pattern!r}")
        if isinstance(scenario, Mapping) and pattern is not None:
            # Checked under the pattern as written, so errors name actions in the input's order.
            base = load_scenario({**scenario, "pattern": pattern})
        else:
            base = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        if pattern is not None or seed is not None or duration_s is not None:
            base = base.with_overrides(pattern=pattern, seed=seed, duration_s=duration_s)
        self.scenario = base
        self.world = World(base, base.seed)
        self.pattern = _make_pattern(base.pattern, self.world)
        self.world.start(self.pattern)
        self._pending = list(base.actions)
        self.action_log: list[dict[str, Any]] = []

    @property
    def now(self) -> float:
        return self.world.engine.now

    def advance(self, until: float) -> list[dict[str, Any]]:
        """Run to virtual time ``until`` and return the trace events recorded since the last call."""
        until = check_number(until, "until", 0, MAX_DURATION_S)
        engine = self.world.engine
        while self._pending and self._pending[0]["at_s"] < until:
            action = self._pending.pop(0)
            engine.run_until(action["at_s"])
            self._apply_now(action)
        engine.run_until(until)
        return self.world.trace.take_new()

    def apply(self, action: Mapping[str, Any]) -> None:
        """Validate and apply an action at the current virtual time (its ``at_s`` is set to now)."""
        raw = dict(action)
        raw["at_s"] = self.now
        names = list(self.world.services)
        normalized = normalize_action(raw, "action", names, self.scenario.duration_s)
        check_actions_for_pattern([normalized], self.scenario.pattern, "action")
        if normalized["do"] == "set":  # reject before anything is recorded
            trial = copy.deepcopy(self.world.settings)
            component, _, key = normalized["setting"].partition(".")
            trial[component][key] = normalized["value"]
            try:
                check_setting_combination(trial, "settings")
            except ScenarioError as error:
                raise ScenarioError("action.value", f"{error.path}: {error.reason}") from None
        if normalized["do"] == "add_service":  # the run's task and request-rate totals
            actions = [*self.replay_actions(), normalized]
            order = sorted(range(len(actions)), key=lambda i: actions[i]["at_s"])
            try:
                check_added_services(
                    list(self.scenario.services), list(self.scenario.traffic), actions, order
                )
            except ScenarioError as error:
                raise ScenarioError("action" + error.path.split("]", 1)[1], error.reason) from None
        self._apply_now(normalized)

    def reschedule(self, actions: list[dict[str, Any]]) -> None:
        """Replace the run's action list, as if it had been built with ``actions``.

        Only the future may change: the actions before the current time must be the ones already
        applied, in order. The result is the same run a new :class:`Simulation` with these actions
        would be at this time, without running the past again.
        """
        scenario = self.scenario.with_overrides(actions=actions)
        now = self.now
        past = [dict(a) for a in scenario.actions if a["at_s"] < now]
        if past != self.action_log:
            raise ScenarioError("actions", "the actions before the current time cannot change")
        self.scenario = scenario
        self._pending = [dict(a) for a in scenario.actions if a["at_s"] >= now]

    def _apply_now(self, action: dict[str, Any]) -> None:
        apply_action(self.world, action)
        self.action_log.append(dict(action))

    def replay_actions(self) -> list[dict[str, Any]]:
        """Actions applied so far plus the scenario's actions still to come, in replay order."""
        return [dict(a) for a in self.action_log] + [dict(a) for a in self._pending]

    # ------------------------------------------------------------------ views

    def snapshot(self) -> dict[str, Any]:
        """Current state for diagrams: tasks, AZs and the pattern's own state."""
        world = self.world
        services = {}
        for name, service in world.services.items():
            services[name] = {
                "desired": service.desired,
                "version": service.version,
                "tasks": [
                    {
                        "task": t.id,
                        "ip": t.ip,
                        "az": t.az,
                        "state": t.state,
                        "version": t.version,
                        "healthy": t.healthy,
                        "health_status": world.health_status(t),
                        "ready": t.ready_at <= world.engine.now,
                        "in_flight": len(t.inflight),
                        "behaviour": {
                            "slow_ms": round(t.slow_s * 1000.0, 3),
                            "fail_probability": t.fail_p,
                            "fail_reason": t.fail_reason or None,
                            "health_check_affected": t.slow_hc or t.fail_hc,
                            "refuse": t.refuse,
                            "blackhole": t.blackhole,
                        },
                    }
                    for t in service.tasks
                    if t.state is not STOPPED
                    or t.stopped_at is None
                    or world.engine.now - t.stopped_at < 60
                ],
            }
        snap: dict[str, Any] = {
            "t": round(world.engine.now, 6),
            "pattern": self.scenario.pattern,
            "azs": {az: not out for az, out in world.az_out.items()},
            "services": services,
            "proxies": {},
            "dns_caches": {},
            "target_groups": {},
        }
        snap.update(self.pattern.snapshot())
        return snap

    def result(self) -> dict[str, Any]:
        """The JSON-ready result for the time simulated so far."""
        world = self.world
        timeline: list[dict[str, Any]] = []
        for task in sorted(world.tasks.values(), key=lambda t: t.index):
            timeline.extend(task_timeline(task.id, task.service.name, task.az, task.buckets))
        timeline.sort(key=lambda row: row["t"])
        client_timeline: list[dict[str, Any]] = []
        for edge in world.edges:
            client_timeline.extend(edge.metrics.timeline())
        client_timeline.sort(key=lambda row: row["t"])
        scenario = self.scenario.to_dict()
        return {
            "pattern": self.scenario.pattern,
            "seed": self.scenario.seed,
            "t": round(world.engine.now, 6),
            "scenario": scenario,
            "action_log": [dict(a) for a in self.action_log],
            "summary": self._summary(),
            "timeline": timeline,
            "client_timeline": client_timeline,
            "events": list(world.trace.events),
        }

    def brief_result(self) -> dict[str, Any]:
        """The result's pattern, time and summary only, without the timelines and the events:
        what a player's readouts need, cheap enough to read every few seconds of a run."""
        return {
            "pattern": self.scenario.pattern,
            "seed": self.scenario.seed,
            "t": round(self.world.engine.now, 6),
            "summary": self._summary(),
        }

    def _summary(self) -> dict[str, Any]:
        world = self.world
        ok = 0
        errors: dict[str, int] = {}
        all_latencies: list[float] = []
        per_service: dict[str, dict[str, Any]] = {}
        edges = []
        errors_by_second: dict[int, int] = {}
        for edge in world.edges:
            m = edge.metrics
            ok += m.ok
            for reason, n in m.errors.items():
                errors[reason] = errors.get(reason, 0) + n
            lats = m.latencies()
            all_latencies.extend(lats)
            lats.sort()
            edges.append(
                {
                    "from": m.caller,
                    "to": m.callee,
                    "requests": m.requests,
                    "ok": m.ok,
                    "errors": dict(sorted(m.errors.items())),
                    "retries": m.retries,
                    "p50_ms": percentile_ms(lats, 50),
                    "p99_ms": percentile_ms(lats, 99),
                }
            )
            entry = per_service.setdefault(
                m.callee, {"requests": 0, "ok": 0, "errors": {}, "_lat": []}
            )
            entry["requests"] += m.requests
            entry["ok"] += m.ok
            for reason, n in m.errors.items():
                entry["errors"][reason] = entry["errors"].get(reason, 0) + n
            entry["_lat"].extend(lats)
            for sec, bucket in m.buckets.items():
                failed = sum(bucket[2].values())
                if failed:
                    errors_by_second[sec] = errors_by_second.get(sec, 0) + failed
        for entry in per_service.values():
            lats = sorted(entry.pop("_lat"))
            entry["errors"] = dict(sorted(entry["errors"].items()))
            entry["p50_ms"] = percentile_ms(lats, 50)
            entry["p99_ms"] = percentile_ms(lats, 99)
        all_latencies.sort()
        every = world.trace.sample_every
        summary: dict[str, Any] = {
            "requests": world.started,
            "ok": ok,
            "errors": dict(sorted(errors.items())),
            "in_flight": world.started - world.finished,
            "retries": world.retries,
            "p50_ms": percentile_ms(all_latencies, 50),
            "p99_ms": percentile_ms(all_latencies, 99),
            "per_service": dict(sorted(per_service.items())),
            "edges": edges,
            "key_moments": self._key_moments(errors_by_second),
            "trace_sample": {
                "every_n": every,
                "sampled_requests": world.sampled,
                "note": "hop events cover every Nth request; metrics count every request",
            },
        }
        summary.update(self.pattern.summary_extra())
        return summary

    def _key_moments(self, errors_by_second: dict[int, int]) -> list[dict[str, Any]]:
        world = self.world
        moments: list[dict[str, Any]] = []
        for action in self.action_log:
            moment = {"kind": "action", "t": action["at_s"], "do": action["do"]}
            for key in ("task", "service", "az", "setting"):
                if key in action:
                    moment[key] = action[key]
            if isinstance(moment.get("service"), dict):  # add_service: name the new service
                moment["service"] = moment["service"]["name"]
            moments.append(moment)
        for task in sorted(world.tasks.values(), key=lambda t: t.index):
            if task.stopped_at is not None:
                moments.append(
                    {"kind": "task_stopped", "task": task.id, "t": round(task.stopped_at, 6)}
                )
            if (
                task.stopped_at is not None or task.faulted_at is not None
            ) and task.last_attempt_t is not None:
                moments.append(
                    {
                        "kind": "last_request_to_task",
                        "task": task.id,
                        "t": round(task.last_attempt_t, 6),
                    }
                )
        seen: set[tuple[str, str]] = set()
        for event in world.trace.events:
            cause = event["cause"]
            if cause in _KEY_CAUSES and "task" in event:
                seen_key = (cause, str(event["task"]))
                if seen_key not in seen:
                    seen.add(seen_key)
                    moments.append({"kind": cause, "task": event["task"], "t": event["t"]})
            elif cause in _DEPLOY_MOMENTS:
                moment = {"kind": cause, "t": event["t"]}
                moment.update({k: event[k] for k in _DEPLOY_MOMENTS[cause] if k in event})
                moments.append(moment)
        moments.extend(error_windows(errors_by_second))
        order = {"action": 0}
        moments.sort(key=lambda m: (m.get("t", m.get("from_t", 0)), order.get(m["kind"], 1)))
        return moments


def run(
    scenario: Scenario | Mapping[str, Any] | str,
    pattern: str | None = None,
    seed: int | None = None,
    duration_s: float | None = None,
) -> dict[str, Any]:
    """Run a scenario to its end (or ``duration_s``) and return the result dict."""
    sim = Simulation(scenario, pattern=pattern, seed=seed, duration_s=duration_s)
    sim.advance(sim.scenario.duration_s)
    return sim.result()


def compare(
    scenario: Scenario | Mapping[str, Any] | str,
    seed: int | None = None,
    duration_s: float | None = None,
) -> dict[str, dict[str, Any]]:
    """The same scenario and seed under every pattern: ``{pattern: result}``.

    A pattern that refuses one of the scenario's actions (a deployment strategy it has no traffic
    shift for) gets ``{"pattern", "not_supported": {"field", "reason"}}`` instead of a result; any
    other invalid input still raises.
    """
    results: dict[str, dict[str, Any]] = {}
    for p in PATTERNS:
        try:
            results[p] = run(scenario, pattern=p, seed=seed, duration_s=duration_s)
        except ScenarioError as error:
            if not error.path.endswith(".strategy"):
                raise
            results[p] = {
                "pattern": p,
                "not_supported": {"field": error.path, "reason": error.reason},
            }
    return results
