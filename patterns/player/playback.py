"""Engine output -> the playground's frames (the format is in patterns/player/PROTOCOL.md).

One :class:`Playback` owns the simulations of one playground (one pattern, or all four on one
clock) and turns each virtual-second window into frames: request dots on diagram edge ids, state
classes on element ids, narrated control-plane events, per-window metrics and an honest sampling
label. Pure: no Django, so the live consumer, the instant-run endpoint and the tests share it.

Rules that make a stream reproducible: a window's frames depend only on the scenario, the seed, the
action log and the window index, so a rebuild (resume, fork, permalink) gives byte-identical frames,
and ``seq`` is a function of (window, pattern): ``window * len(patterns) + pattern index``.

What the frames say, and where each part comes from:
- a dot is one *attempt* of a sampled request, sent in the window in which its last event happened,
  with the engine's times at each path vertex (the engine has no network delay, so the time spent is
  on the last edge: the task's answer or the connect timeout);
- ``states`` are the difference between the element classes of the engine's snapshots at the start
  and end of the window, stamped with the time of the last event in the window that concerns the
  element (several changes inside one window show as their net result);
- ``metrics`` are the engine's per-second buckets of *every* request (never the sample);
- readouts are read from the engine's result summary.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from patterns.diagrams.ids import alb_node_el, az_suffix, service_edge_id, task_el
from patterns.errors import FieldError
from patterns.player import permalink
from patterns.player.dots import DotBuilder
from patterns.player.states import element_classes
from patterns.sim import PATTERNS, Scenario, ScenarioError, Simulation, load_scenario
from patterns.sim.metrics import percentile_ms
from patterns.sim.narrate import keep_units, narrate
from patterns.sim.scenario import normalize_action

WINDOW_S = 1.0
#: Readouts are read from the engine's result (a whole-run summary) at most this often, in windows:
#: the playground socket and a study session's stream both keep to it.
READOUT_EVERY_WINDOWS = 5
#: About how many readouts an instant run carries through its length (and one at its end).
INSTANT_READOUTS = 12
ALL = "all"
PLAYGROUND_PATTERNS: tuple[str, ...] = (*PATTERNS, ALL)
LANGS = ("en", "ja")

#: The playground samples so that about this many requests a second are animated (when the
#: scenario does not choose ``trace.request_sample_every`` itself), and never more than the cap.
TARGET_DOTS_PER_S = 50.0
MAX_DOTS_PER_S = 200.0

#: Request-level event kinds; everything else is a control-plane event and becomes an event row.
REQUEST_KINDS = frozenset({"request", "hop", "request_end"})
# Hops listed in the event list although nothing failed: a DNS answer fetched on a cache miss (its
# narration says how many records it held and why), so a lesson can show what Cloud Map answers.
LISTED_HOPS = frozenset({"dns_cache_miss"})
SAMPLE_LABELS = {
    "en": ("all requests shown", "1 in {n} requests shown"),
    "ja": ("すべてのリクエストを表示", "{n} 件に 1 件のリクエストを表示"),
}


@dataclass(frozen=True)
class Limits:
    """Caps per playground; the engine's own limits are far higher than a shared server affords."""

    max_duration_s: float = 3600.0
    max_tasks: int = 200
    max_rps: float = 1000.0
    #: requests the whole run may simulate (rps x duration x patterns); instant runs use a low one.
    max_requests: float = 4_000_000.0


LIVE_LIMITS = Limits()
INSTANT_LIMITS = Limits(max_duration_s=900.0, max_requests=200_000.0)


class PlaybackError(FieldError):
    """Bad input for a playground; ``field`` is a JSON path, ``reason`` says what is wrong."""


def whole_setting(action: Any, current: Callable[[str, str], Any]) -> Any:
    """A ``set`` of one field of an object setting, as the engine's ``set`` of the whole object.

    The player's "change a setting now" names a field (``envoy.retry_policy.num_retries``); the
    engine's ``set`` takes ``component.key`` and a whole value, and so do the log and permalinks.
    The object is the setting's value at that time (``current(component, key)``) with that one field
    replaced; the engine validates it whole, and its error path names the field
    (``action.value.num_retries``). Anything else passes through unchanged.
    """
    if not isinstance(action, Mapping) or action.get("do") != "set":
        return action
    setting = action.get("setting")
    if not isinstance(setting, str) or setting.count(".") < 2:
        return action
    component, key, field = setting.split(".", 2)
    try:
        value = current(component, key)
    except KeyError:
        return action  # not a known setting: the engine says so
    if not isinstance(value, Mapping) or "." in field or field not in value:
        raise PlaybackError("action.setting", f"unknown setting {setting!r}")
    if "value" not in action:
        return action  # the engine names the missing key
    return {
        **action,
        "setting": f"{component}.{key}",
        "value": {**copy.deepcopy(dict(value)), field: action["value"]},
    }


# --------------------------------------------------------------------------- scenario preparation


def check_pattern(pattern: Any) -> str:
    """One of the engine's patterns or ``"all"``."""
    if pattern not in PLAYGROUND_PATTERNS:
        raise PlaybackError("pattern", f"must be one of {', '.join(PLAYGROUND_PATTERNS)}")
    return str(pattern)


def check_seed(seed: Any) -> int:
    """A whole number the engine's random generator takes (a bool is not a number here)."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise PlaybackError("seed", "must be a whole number from 0 to 2**63 - 1")
    return seed


def check_lang(lang: Any) -> str:
    """A language the narration is written in."""
    if lang not in LANGS:
        raise PlaybackError("lang", f"must be one of {', '.join(LANGS)}")
    return str(lang)


def prepare_scenario(raw: Any, pattern: Any, seed: Any, limits: Limits) -> Scenario:
    """Validate a playground's scenario with the engine, apply the playground's caps and sampling.

    ``pattern`` is one of the engine's patterns or ``"all"``; with ``"all"`` the returned scenario
    keeps its own pattern and the caller overrides it per simulation.
    """
    check_pattern(pattern)
    check_seed(seed)
    if not isinstance(raw, Mapping):
        raise PlaybackError("scenario", "must be an object")
    try:
        scenario = load_scenario(raw)
    except ScenarioError as error:
        raise PlaybackError(f"scenario.{error.path}", error.reason) from None
    _check_limits(scenario, 4 if pattern == ALL else 1, limits)
    data = dict(raw)
    if "trace" not in raw.get("settings", {}) or "request_sample_every" not in raw.get(
        "settings", {}
    ).get("trace", {}):
        settings = {k: dict(v) for k, v in dict(raw.get("settings", {})).items()}
        settings.setdefault("trace", {})["request_sample_every"] = default_sample_every(scenario)
        data["settings"] = settings
    overrides: dict[str, Any] = {"seed": seed}
    if pattern != ALL:
        overrides["pattern"] = pattern
    try:
        return load_scenario(data).with_overrides(**overrides)
    except ScenarioError as error:
        raise PlaybackError(f"scenario.{error.path}", error.reason) from None


def total_rps(scenario: Scenario) -> float:
    return float(sum(t["rps"] for t in scenario.traffic))


def default_sample_every(scenario: Scenario) -> int:
    """Every Nth request animated so that about TARGET_DOTS_PER_S dots move.

    Example: 30 requests/s -> ceil(30 / 50) = 1 (all shown); 1,000 requests/s -> 20.
    """
    return max(1, math.ceil(total_rps(scenario) / TARGET_DOTS_PER_S))


def _check_limits(scenario: Scenario, patterns: int, limits: Limits) -> None:
    if scenario.duration_s > limits.max_duration_s:
        raise PlaybackError(
            "scenario.duration_s", f"at most {limits.max_duration_s:g} s in the playground"
        )
    tasks = sum(s["tasks"] for s in scenario.services)
    if tasks > limits.max_tasks:
        raise PlaybackError("scenario.services", f"at most {limits.max_tasks} tasks in total")
    rps = total_rps(scenario)
    if rps > limits.max_rps:
        raise PlaybackError("scenario.traffic", f"at most {limits.max_rps:g} requests/s in total")
    rps = check_added_services(scenario, scenario.actions, limits, "scenario.actions")
    if rps * scenario.duration_s * patterns > limits.max_requests:
        raise PlaybackError(
            "scenario.duration_s",
            f"too long for this traffic: at most {limits.max_requests:g} requests per run "
            f"(requests/s x seconds x patterns)",
        )


def check_added_services(
    scenario: Scenario, actions: Sequence[Mapping[str, Any]], limits: Limits, where: str
) -> float:
    """Services and traffic that ``add_service`` actions create count towards the playground's
    task and request-rate caps; returns the request rate once every one has been added."""
    tasks = sum(s["tasks"] for s in scenario.services)
    rps = total_rps(scenario)
    for i, action in enumerate(actions):
        if action.get("do") != "add_service":
            continue
        tasks += action["service"]["tasks"]
        if tasks > limits.max_tasks:
            raise PlaybackError(
                f"{where}[{i}].service.tasks", f"at most {limits.max_tasks} tasks in total"
            )
        rps += sum(t["rps"] for t in action["traffic"])
        if rps > limits.max_rps:
            raise PlaybackError(
                f"{where}[{i}].traffic", f"at most {limits.max_rps:g} requests/s in total"
            )
    return rps


def replay_actions(scenario: Scenario, log: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Live log first, then the scenario's own actions: a stable sort by time then puts an action
    applied live at t before a scheduled one at t, as the live run applied them."""
    actions = [dict(a) for a in log] + [dict(a) for a in scenario.actions]
    return sorted(actions, key=lambda a: a["at_s"])


# --------------------------------------------------------------------------- event elements


def event_elements(event: Mapping[str, Any], pattern: str, services: Iterable[str]) -> list[str]:
    """The diagram elements an event concerns (for highlighting and for stamping state changes)."""
    ids: list[str] = []
    for key in ("task", "host", "target", "source", "proxy", "caller"):
        value = event.get(key)
        if isinstance(value, str) and value and not value[0].isdigit():
            ids.append(task_el(value))
    node = event.get("node")
    if isinstance(node, str) and node.startswith("alb-"):
        ids.append(alb_node_el(node))
    for key in ("service", "to"):
        value = event.get(key)
        if isinstance(value, str):
            ids.append(f"svc-{value}")
    az = event.get("az")
    if isinstance(az, str) and not ids:  # an AZ event; on a task event the AZ is only context
        suffix = az_suffix(az)
        if pattern == "elb":
            ids.append(f"alb-node-{suffix}")
        ids.extend(f"svc-{s}-az-{suffix}" for s in services)
    if "record" in event:
        ids.append("alb-dns" if pattern == "elb" else "r53-zone")
    return list(dict.fromkeys(ids))


# --------------------------------------------------------------------------- metrics


def window_metrics(sim: Simulation, sec: int, window_s: float) -> dict[str, Any]:
    """The engine's per-second buckets for second ``sec``: every request, never the sample.

    Reads the engine's bucket objects directly (``result()`` rebuilds the whole timeline, too slow
    per window); tests assert these rows equal ``result()["client_timeline"]``/``["timeline"]``.
    """
    world = sim.world
    clients = []
    edges: dict[str, dict[str, Any]] = {}
    for edge in world.edges:
        m = edge.metrics
        bucket = m.buckets.get(sec)
        requests, ok, errors, lats = bucket if bucket is not None else (0, 0, {}, [])
        ordered = sorted(lats)
        failed = sum(errors.values())
        p50, p99 = percentile_ms(ordered, 50), percentile_ms(ordered, 99)
        clients.append(
            {
                "service": m.caller,
                "to": m.callee,
                "requests": requests,
                "ok": ok,
                "errors": failed,
                "error_reasons": dict(sorted(errors.items())),
                "p50_ms": p50,
                "p99_ms": p99,
            }
        )
        finished = ok + failed
        edges[service_edge_id(m.caller, m.callee)] = {
            "rps": round(requests / window_s, 3),
            "err_pct": round(100.0 * failed / finished, 3) if finished else None,
            "p50_ms": p50,
            "p99_ms": p99,
        }
    tasks: dict[str, dict[str, Any]] = {}
    for task in sorted(world.tasks.values(), key=lambda t: t.index):
        row = task.buckets.get(sec)
        if row is None:
            continue
        attempts, ok, errors = row
        failed = sum(errors.values())
        finished = ok + failed
        tasks[task_el(task.id)] = {
            "rps": round(attempts / window_s, 3),
            "attempts": attempts,
            "ok": ok,
            "errors": failed,
            "err_pct": round(100.0 * failed / finished, 3) if finished else None,
        }
    return {"edges": edges, "clients": clients, "tasks": tasks}


# --------------------------------------------------------------------------- readouts


_FAULTS = frozenset(
    {"kill_task", "stop_task", "slow_task", "fail_task", "refuse_task", "blackhole_task"}
)


def readout_values(result: Mapping[str, Any]) -> dict[str, Any]:
    """The numbers a learner compares between patterns after a fault, all from the engine."""
    summary = result["summary"]
    moments = summary.get("key_moments", [])
    now = float(result["t"])
    last = {m["task"]: m["t"] for m in moments if m["kind"] == "last_request_to_task"}
    stopped = {m["task"]: m["t"] for m in moments if m["kind"] == "task_stopped"}
    faults = []
    for m in moments:
        if m["kind"] == "action" and m.get("do") in _FAULTS and "task" in m:
            task = m["task"]
            last_t = last.get(task)
            faults.append(
                {
                    "task": task,
                    "do": m["do"],
                    "t": m["t"],
                    "last_request_t": last_t,
                    # The engine's times; the difference is the window the learner asks about.
                    "requests_stopped_after_s": None
                    if last_t is None
                    else round(max(0.0, last_t - m["t"]), 6),
                    # A task that got an attempt in the last second may still be receiving more.
                    "still_receiving": last_t is not None and last_t >= now - WINDOW_S,
                }
            )
    stale = []
    if result["pattern"] == "service-discovery":
        for task, t_stop in sorted(stopped.items(), key=lambda kv: kv[1]):
            if task in last and last[task] > t_stop:
                stale.append(
                    {
                        "task": task,
                        "from_t": t_stop,
                        "to_t": last[task],
                        "window_s": round(last[task] - t_stop, 6),
                    }
                )
    return {
        "t": result["t"],
        "requests": summary["requests"],
        "failed_requests": sum(summary["errors"].values()),
        "errors": summary["errors"],
        "retries": summary["retries"],
        "faults": faults,
        "stale_dns": stale,
        "client_error_windows": [m for m in moments if m["kind"] == "client_error_window"],
        "counters": {
            k: v for k, v in summary.items() if k in ("alb", "dns", "outlier", "envoy", "retry")
        },
    }


# --------------------------------------------------------------------------- one pattern's stream


TopologyHook = Callable[[Mapping[str, Any], Mapping[str, Any], str], "dict[str, Any] | None"]


def diagram_topology(
    snapshot: Mapping[str, Any], scenario: Mapping[str, Any], pattern: str
) -> dict[str, Any] | None:
    """The diagram token and SVG URL (``/diagrams/<pattern>.svg?t=<token>``) for a snapshot.

    Imported late, so the stream loads the diagram module only when it needs a token.
    """
    from patterns import diagrams

    token = diagrams.topology_token(diagrams.topology_from_snapshot(snapshot, scenario))
    return {"token": token, "svg_url": f"/diagrams/{pattern}.svg?t={token}"}


def deployment_view(sim: Simulation, bake_until: Mapping[str, float]) -> list[dict[str, Any]]:
    """The blue/green, linear and canary deployments in progress, as the engine holds them now.

    ``Simulation.snapshot()`` has no deployments part, so this reads the engine's own state
    (``world.deployments``): stage, green's production weight, whether test traffic goes to green,
    the alarm as configured. ``bake_remaining_s`` is the engine's ``bake_time_started.until`` (kept
    in ``bake_until``) less the engine's clock.
    """
    now = sim.now
    out: list[dict[str, Any]] = []
    for name, bg in sorted(sim.world.deployments.active.items()):
        spec = bg.spec
        entry: dict[str, Any] = {
            "service": name,
            "strategy": spec["strategy"],
            "stage": bg.stage,
            "blue": bg.blue,
            "green": bg.green,
            "green_percent": bg.green_percent,
            "test_to_green": bg.test_to_green,
            "bake_time_min": spec["bake_time_min"],
            "alarm": dict(spec["alarm"]) if spec.get("alarm") else None,
        }
        if bg.stage == "BAKE_TIME" and name in bake_until:
            entry["bake_remaining_s"] = round(max(0.0, bake_until[name] - now), 6)
        out.append(entry)
    return out


#: Engine events that end a strategy deployment, and the outcome the player shows for them.
DEPLOYMENT_ENDS = {"deployment_rolled_back": "rolled_back", "deployment_superseded": "superseded"}


class PatternStream:
    """One simulation and the frame-building state that follows it window by window."""

    def __init__(self, sim: Simulation, pattern: str, lang: str, show_every: int) -> None:
        self.sim = sim
        self.pattern = pattern
        self.lang = lang
        self.services = [s["name"] for s in sim.scenario.services]
        self.dots = DotBuilder(pattern, show_every)
        self.show_every = show_every
        self.bake_until: dict[str, float] = {}
        self.deployments: list[dict[str, Any]] = []
        snapshot = self.snapshot()
        self.classes = element_classes(snapshot, pattern)
        self.tasks = _task_ids(snapshot)
        self.started = False

    def snapshot(self) -> dict[str, Any]:
        """The engine's snapshot plus its deployments in progress (for the green task class)."""
        snapshot = self.sim.snapshot()
        snapshot["deployments"] = {d["service"]: d for d in self.deployments}
        return snapshot

    def _follow_deployments(self, events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """Deployments that ended in these events (rolled back, superseded or finished)."""
        ended: list[dict[str, Any]] = []
        known = {d["service"] for d in self.deployments}
        for event in events:
            if event["kind"] != "deployment":
                continue
            cause = event.get("cause")
            if cause == "strategy_deployment_started":
                known.add(event["service"])
            elif event.get("service") not in known:
                continue
            if cause == "bake_time_started":
                self.bake_until[event["service"]] = float(event["until"])
            elif cause in DEPLOYMENT_ENDS or (
                cause == "deployment_finished" and "strategy" in event
            ):
                self.bake_until.pop(event["service"], None)
                end: dict[str, Any] = {
                    "service": event["service"],
                    "outcome": DEPLOYMENT_ENDS.get(str(cause), "finished"),
                    "t": event["t"],
                }
                for key in ("by", "stage", "green_percent", "error_rate_percent", "for_s"):
                    if key in event:
                        end[key] = event[key]
                ended = [e for e in ended if e["service"] != end["service"]] + [end]
        self.deployments = deployment_view(self.sim, self.bake_until)
        return ended

    def skip(self, t1: float) -> None:
        """Advance to ``t1`` without building a frame (the dot builder still follows requests)."""
        events = self.sim.advance(t1)
        for event in events:
            if event["kind"] in REQUEST_KINDS:
                self.dots.feed(event)
        self._follow_deployments(events)
        snapshot = self.snapshot()
        self.dots.flush(snapshot)
        self.classes = element_classes(snapshot, self.pattern)
        self.tasks = _task_ids(snapshot)
        self._follow_services(snapshot)
        self.started = True

    def _follow_services(self, snapshot: Mapping[str, Any]) -> None:
        """Services an ``add_service`` action created join the list events are matched on."""
        for name in snapshot.get("services", {}):
            if name not in self.services:
                self.services.append(name)

    def window(self, t0: float, t1: float, window_s: float) -> tuple[dict[str, Any], bool]:
        """Advance one window; returns the frame body and whether the set of tasks changed."""
        states: list[dict[str, Any]] = []
        if not self.started:  # the first frame states everything as it is at t = 0
            states = [
                {"t": t0, "el": el, "add": list(cls), "remove": []}
                for el, cls in self.classes.items()
                if cls
            ]
            self.started = True
        events = self.sim.advance(t1)
        rows = []
        last_t: dict[str, float] = {}
        last_control = t0
        for event in events:
            request_event = event["kind"] in REQUEST_KINDS
            if request_event:
                self.dots.feed(event)
            els = event_elements(event, self.pattern, self.services)
            if not request_event:
                last_control = float(event["t"])
                for el in els:
                    last_t[el] = float(event["t"])
                rows.append(self._row(event, els))
            elif (
                event["kind"] == "hop"
                and (event.get("reason") or event["cause"] in LISTED_HOPS)
                and self._shown(event)
            ):
                rows.append(self._row(event, els))
        before_deployments = self.deployments
        ended = self._follow_deployments(events)
        snapshot = self.snapshot()
        self._follow_services(snapshot)
        classes = element_classes(snapshot, self.pattern)
        for el, cls in classes.items():
            before = self.classes.get(el, ())
            if cls != before:
                add = sorted(set(cls) - set(before))
                remove = sorted(set(before) - set(cls))
                states.append(
                    {"t": last_t.get(el, last_control), "el": el, "add": add, "remove": remove}
                )
        states.sort(key=lambda s: s["t"])
        self.classes = classes
        tasks = _task_ids(snapshot)
        changed = tasks != self.tasks
        self.tasks = tasks
        every = self.show_every
        frame = {
            "pattern": self.pattern,
            "t0": t0,
            "t1": t1,
            "dots": self.dots.flush(snapshot),
            "states": states,
            "events": rows,
            "metrics": window_metrics(self.sim, int(t0), window_s),
            "sample": {"every": every, "label": sample_label(every, self.lang)},
        }
        if self.deployments or before_deployments or ended:
            # Only while a deployment runs, and once when it ends: the player shows the last one.
            frame["deployments"] = self.deployments + [
                e for e in ended if e["service"] not in {d["service"] for d in self.deployments}
            ]
        return frame, changed

    def _shown(self, event: Mapping[str, Any]) -> bool:
        rid = event.get("request")
        return isinstance(rid, int) and rid % self.show_every == 0

    def _row(self, event: Mapping[str, Any], els: list[str]) -> dict[str, Any]:
        row: dict[str, Any] = {
            "t": event["t"],
            "kind": event["kind"],
            "cause": event["cause"],
            "text": keep_units(narrate(event, self.lang, with_time=False)),
            "el": els,
        }
        if isinstance(event.get("request"), int):
            row["request"] = f"r{event['request']}"
        return row


def _task_ids(snapshot: Mapping[str, Any]) -> list[str]:
    return [t["task"] for s in snapshot["services"].values() for t in s["tasks"]]


def sample_label(every: int, lang: str) -> str:
    labels = SAMPLE_LABELS.get(lang, SAMPLE_LABELS["en"])
    return labels[0] if every == 1 else labels[1].format(n=every)


# --------------------------------------------------------------------------- the playback


class Playback:
    """A playground run: one pattern or all four on one clock, window by window, with actions.

    ``log`` holds the actions applied live (each with its ``at_s``); it is replayed on a rebuild.
    """

    def __init__(
        self,
        scenario: Any,
        pattern: Any = "elb",
        seed: Any = 1,
        *,
        lang: str = "en",
        run: str = "",
        branch: int = 0,
        log: Sequence[Mapping[str, Any]] = (),
        limits: Limits = LIVE_LIMITS,
        window_s: float = WINDOW_S,
        topology_hook: TopologyHook | None = diagram_topology,
    ) -> None:
        check_lang(lang)
        base = prepare_scenario(scenario, pattern, seed, limits)
        self.raw = dict(scenario)
        self.seed = int(seed)
        self.pattern = str(pattern)
        self.patterns = list(PATTERNS) if pattern == ALL else [str(pattern)]
        self.lang = lang
        self.run = run
        self.branch = branch
        self.window_s = window_s
        self.topology_hook = topology_hook
        self.limits = limits
        self.log = [dict(a) for a in log]
        try:
            replay = base.with_overrides(actions=replay_actions(base, self.log))
            sims = [Simulation(replay, pattern=p) for p in self.patterns]
        except ScenarioError as error:
            raise PlaybackError(f"log.{error.path}", error.reason) from None
        check_added_services(replay, replay.actions, limits, "log.actions")
        self.base = base
        self.scenario = sims[0].scenario
        self.duration_s = self.scenario.duration_s
        every = int(self.scenario.settings["trace"]["request_sample_every"])
        show = every * max(1, math.ceil(total_rps(self.scenario) / every / MAX_DOTS_PER_S))
        self.streams = [
            PatternStream(sim, p, lang, show) for sim, p in zip(sims, self.patterns, strict=True)
        ]
        self.window = 0

    # ------------------------------------------------------------------ clock

    @property
    def t(self) -> float:
        return min(self.window * self.window_s, self.duration_s)

    @property
    def ended(self) -> bool:
        return self.window * self.window_s >= self.duration_s

    @property
    def windows(self) -> int:
        return math.ceil(self.duration_s / self.window_s)

    @property
    def next_seq(self) -> int:
        return self.window * len(self.streams)

    # ------------------------------------------------------------------ messages

    def hello(self) -> dict[str, Any]:
        diagrams = {}
        for stream in self.streams:
            diagrams[stream.pattern] = self._topology(stream)
        first = diagrams[self.patterns[0]] or {}
        svg_urls = {p: d["svg_url"] for p, d in diagrams.items() if d and d.get("svg_url")}
        return {
            "type": "hello",
            "run": self.run,
            "branch": self.branch,
            "pattern": self.pattern,
            "patterns": self.patterns,
            "seed": self.seed,
            "topology_token": first.get("token"),
            "svg_url": first.get("svg_url"),
            "diagrams": diagrams,
            "svg_urls": svg_urls,
            # The scenario without the live log: resend it with the log to resume or fork.
            "scenario": self.base.to_dict(),
            # Values AWS fixes that this run changes, per pattern (scenario and replayed log).
            "what_if": [
                {**item, "pattern": s.pattern}
                for s in self.streams
                for item in s.sim.scenario.what_if
            ],
            "duration_s": self.duration_s,
            "window_s": self.window_s,
            "t": self.t,
            "next_seq": self.next_seq,
            "log": [dict(a) for a in self.log],
            "permalink": self.permalink(),
        }

    def permalink(self) -> str:
        return permalink.encode(self.raw, self.seed, self.pattern, self.log)

    def _topology(self, stream: PatternStream) -> dict[str, Any] | None:
        if self.topology_hook is None:
            return None
        return self.topology_hook(stream.sim.snapshot(), self.scenario.to_dict(), stream.pattern)

    def step(self) -> list[dict[str, Any]]:
        """Advance one window and return its frames (one per pattern), or [] once ended."""
        if self.ended:
            return []
        t0 = self.window * self.window_s
        t1 = min(t0 + self.window_s, self.duration_s)
        frames = []
        for i, stream in enumerate(self.streams):
            body, changed = stream.window(t0, t1, self.window_s)
            frame = {
                "type": "frame",
                "run": self.run,
                "branch": self.branch,
                "seq": self.window * len(self.streams) + i,
                **body,
            }
            if changed:
                topology = self._topology(stream) or {}
                frame["topology_token"] = topology.get("token")
                frame["svg_url"] = topology.get("svg_url")
            frames.append(frame)
        self.window += 1
        return frames

    def skip_to_window(self, window: int) -> None:
        """Run the engine up to the start of ``window`` without building frames (rebuilds)."""
        window = max(0, min(window, self.windows))
        if window <= self.window:
            return
        t = min(window * self.window_s, self.duration_s)
        for stream in self.streams:
            stream.skip(t)
        self.window = window

    def frames_after(self, after_seq: int) -> list[dict[str, Any]]:
        """After a rebuild: skip to the window holding ``after_seq + 1`` and return that window's
        frames from ``after_seq + 1`` on (the rest of the stream continues with :meth:`step`)."""
        n = len(self.streams)
        self.skip_to_window((after_seq + 1) // n)
        return [f for f in self.step() if f["seq"] > after_seq]

    def extend_log(self, log: Sequence[Mapping[str, Any]]) -> None:
        """Take actions added to the log, none before the current window: the run is then the
        one a new Playback with ``log`` would be at this window (the past is not run again)."""
        log = [dict(a) for a in log]
        if log[: len(self.log)] != self.log:
            raise PlaybackError("log", "must extend the current log")
        if any(float(a["at_s"]) < self.t for a in log[len(self.log) :]):
            raise PlaybackError("log", f"an added action is before the current time {self.t:g}")
        actions = replay_actions(self.base, log)
        try:
            checked = self.base.with_overrides(actions=actions)
        except ScenarioError as error:
            raise PlaybackError(f"log.{error.path}", error.reason) from None
        check_added_services(checked, checked.actions, self.limits, "log.actions")
        try:
            for stream in self.streams:
                stream.sim.reschedule(actions)
        except ScenarioError as error:
            raise PlaybackError(f"log.{error.path}", error.reason) from None
        self.log = log
        self.scenario = self.streams[0].sim.scenario

    def apply(self, action: Any) -> dict[str, Any]:
        """Apply an engine action at the current virtual time in every simulation; log it."""
        if not isinstance(action, Mapping):
            raise PlaybackError("action", "must be an object")
        if self.ended:
            raise PlaybackError("action", "the run has ended")
        if "at_s" in action:
            raise PlaybackError("action.at_s", "is set by the server to the current time")
        if len(self.log) >= permalink.MAX_LOG_ACTIONS:
            raise PlaybackError("action", f"at most {permalink.MAX_LOG_ACTIONS} actions a run")
        if action.get("do") == "add_service":
            self._check_added_live(action)
        settings = self.streams[0].sim.world.settings
        action = whole_setting(action, lambda c, k: settings[c][k])
        applied: dict[str, Any] | None = None
        for stream in self.streams:
            try:
                stream.sim.apply(action)
            except ScenarioError as error:
                raise PlaybackError(error.path, error.reason) from None
            applied = dict(stream.sim.action_log[-1])
        assert applied is not None
        self.log.append(applied)
        return applied

    def _check_added_live(self, action: Mapping[str, Any]) -> None:
        """An ``add_service`` sent live: validated by the engine, then held to the caps."""
        sim = self.streams[0].sim
        try:
            normalized = normalize_action(
                {**action, "at_s": sim.now},
                "action",
                list(sim.world.services),
                sim.scenario.duration_s,
            )
        except ScenarioError as error:
            raise PlaybackError(error.path, error.reason) from None
        actions = [*sim.replay_actions(), normalized]
        try:
            check_added_services(sim.scenario, actions, self.limits, "actions")
        except PlaybackError as error:
            raise PlaybackError("action" + error.field.split("]", 1)[1], error.reason) from None

    def readouts(self) -> list[dict[str, Any]]:
        return [
            {
                "type": "readouts",
                "branch": self.branch,
                "pattern": s.pattern,
                "values": readout_values(s.sim.brief_result()),
            }
            for s in self.streams
        ]


def fork(playback: Playback, at: Any, action: Any, branch: int) -> Playback:
    """A new branch from time ``at``: the log up to ``at`` plus ``action`` applied at ``at``."""
    if isinstance(at, bool) or not isinstance(at, (int, float)) or not math.isfinite(at):
        raise PlaybackError("at", "must be a number of seconds")
    if not 0 <= at <= playback.t:
        raise PlaybackError("at", f"must be between 0 and the current time {playback.t:g}")
    # An action the parent applied exactly at ``at`` is replaced by the fork's, as the player does.
    log = [a for a in playback.log if a["at_s"] < at]
    if action is not None:
        if not isinstance(action, Mapping):
            raise PlaybackError("action", "must be an object")
        if "at_s" in action:
            raise PlaybackError("action.at_s", "is set by the server to the fork time")
        sim = playback.streams[0].sim
        earlier = sorted(
            (a for a in sim.replay_actions() if a["at_s"] < at and a["do"] == "set"),
            key=lambda a: a["at_s"],
        )

        def current(component: str, key: str) -> Any:
            value = sim.scenario.settings[component][key]
            for a in earlier:
                if a["setting"] == f"{component}.{key}":
                    value = a["value"]
            return value

        action = whole_setting(action, current)
        log.append({**dict(action), "at_s": float(at)})
    try:
        branch_run = Playback(
            playback.raw,
            playback.pattern,
            playback.seed,
            lang=playback.lang,
            run=playback.run,
            branch=branch,
            log=log,
            window_s=playback.window_s,
            topology_hook=playback.topology_hook,
        )
    except PlaybackError as error:
        if error.field.startswith("log.actions["):
            raise PlaybackError("action" + error.field.split("]", 1)[1], error.reason) from None
        raise
    branch_run.skip_to_window(int(at // playback.window_s))
    return branch_run


def instant_frames(
    scenario: Any, pattern: Any, seed: Any, lang: str = "en", log: Sequence[Mapping[str, Any]] = ()
) -> dict[str, Any]:
    """The whole run at once (the instant-run endpoint): hello, every frame and the readouts."""
    playback = Playback(
        scenario, pattern, seed, lang=lang, run="instant", log=log, limits=INSTANT_LIMITS
    )
    hello = playback.hello()
    frames: list[dict[str, Any]] = []
    readouts: list[dict[str, Any]] = []
    due = instant_readout_windows(playback.duration_s, playback.window_s)
    while not playback.ended:
        frames.extend(playback.step())
        if playback.window in due and not playback.ended:
            readouts.extend(playback.readouts())
    return {"hello": hello, "frames": frames, "readouts": [*readouts, *playback.readouts()]}


def instant_readout_windows(duration_s: float, window_s: float = WINDOW_S) -> frozenset[int]:
    """The windows after which an instant run reads its readouts (the run's end is read too).

    Readouts through the run, so a player at any playhead shows the engine's numbers as of the
    latest reading at or before it, from the first window on, whether or not a fault has happened
    yet: window 1, every ``READOUT_EVERY_WINDOWS`` up to the run's own cadence, then at that cadence
    (about ``INSTANT_READOUTS`` times in all: every 20 windows of a 240 s run). A reading is a pass
    over everything the engine measured so far, so early ones are cheap and late ones are not.
    """
    windows = math.ceil(duration_s / window_s)
    every = READOUT_EVERY_WINDOWS * max(
        1, math.ceil(windows / INSTANT_READOUTS / READOUT_EVERY_WINDOWS)
    )
    early = range(READOUT_EVERY_WINDOWS, every, READOUT_EVERY_WINDOWS)
    return frozenset(w for w in (1, *early, *range(every, windows, every)) if w < windows)


def live_readouts_due(playback: Playback) -> bool:
    """Whether a live stream (the playground socket, a study session's shared run) reads the
    readouts after the window it has just stepped.

    At the windows an instant run reads them (:func:`instant_readout_windows`: the first window,
    so a player shows the engine's numbers from its first frames, then a cadence that thins out
    over a long run), every ``READOUT_EVERY_WINDOWS`` windows once an action has happened (live
    or scheduled: that is when the numbers move), and at the end.
    """
    if playback.ended:
        return True
    if playback.window in instant_readout_windows(playback.duration_s, playback.window_s):
        return True
    if playback.window % READOUT_EVERY_WINDOWS:
        return False
    return any(a["at_s"] < playback.t for a in [*playback.log, *playback.scenario.actions])
