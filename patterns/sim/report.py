"""Plain-text and JSON reports of simulation results, for the ``simulate`` command.

``format_table(results)`` takes ``{pattern: result}`` (one entry for a single run, four for
``--compare``) where each result is the dict of :func:`patterns.sim.run`, and returns a report a
learner can read: the scenario, one column of numbers per pattern, errors by reason, per-callee
errors, and the key moments in sentences ("task inventory-2 stopped at 60 s; last request sent to
it at 92.4 s; client errors 60–92 s: 31"). A scenario that changes a value AWS fixes gets a
"What-if (not possible in real ECS)" block under the heading, one line per change, and in
``--compare`` a ``*`` beside the patterns concerned. ``format_json`` is the machine form (the
scenario's ``what_if`` list). A pattern that refused the scenario (``{"not_supported": {field,
reason}}`` from :func:`patterns.sim.compare`, e.g. a deployment strategy under Service Discovery)
gets "not supported" in its column and the reason under Key moments. Pure: no Django.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

_LABEL_WIDTH = 22
_COLUMN_WIDTH = 18


def seconds(value: float) -> str:
    """A time for people: one decimal, none when whole (60.0 -> "60 s", 64.557 -> "64.6 s")."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return f"{text} s"


def _count(value: int) -> str:
    return f"{value:,}"


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def _percent(part: int, whole: int) -> str:
    return "-" if whole == 0 else f"{100.0 * part / whole:.2f} %"


def _error_total(errors: Mapping[str, int]) -> int:
    return sum(errors.values())


def _window(moment: Mapping[str, Any]) -> str:
    return f"client errors {moment['from_t']}–{moment['to_t']} s: {_count(moment['count'])}"


def _belongs(window: Mapping[str, Any], start: float, end: float) -> bool:
    # A window that opens around the stop (buckets are whole seconds) tells that stop's story;
    # one that opened long before it has an earlier cause and gets its own line.
    return bool(start - 1 <= window["from_t"] <= end + 1)


def _other_moment(moment: Mapping[str, Any]) -> str:
    kind = str(moment.get("kind", ""))
    t = moment.get("t")
    at = f" at {seconds(float(t))}" if isinstance(t, (int, float)) else ""
    task = moment.get("task")
    if kind == "action":
        target = next((moment[k] for k in ("task", "service", "az") if moment.get(k)), None)
        on = f" on {target}" if target is not None else ""
        return f"action {moment.get('do', '?')}{on}{at}"
    if kind == "unhealthy_threshold_reached":
        return f"task {task} marked unhealthy by the health checks{at}"
    if kind == "container_health_failed":
        return f"task {task} failed its container health check{at}"
    if kind == "outlier_ejected":
        proxy = moment.get("proxy")
        by = f" by the Envoy in {proxy}" if proxy else ""
        return f"task {task} ejected{by}{at}"
    service = moment.get("service")
    if kind == "test_traffic_shifted":
        return f"ECS set test traffic of {service} to green (TEST_TRAFFIC_SHIFT){at}"
    if kind == "production_traffic_shifted":
        return f"ECS set {moment.get('green_percent')} % of production traffic of {service} to green{at}"
    if kind == "blue_green_clean_up":
        return f"green promoted, blue of {service} stopped (CLEAN_UP){at}"
    if kind == "deployment_rolled_back":
        return (
            f"deployment of {service} rolled back by {moment.get('by')} during "
            f"{moment.get('stage')} (green {moment.get('green_percent')} %){at}"
        )
    if kind == "last_request_to_task":
        return f"last request sent to task {task}{at}"
    if kind == "task_stopped":
        return f"task {task} stopped{at}"
    details = ", ".join(
        f"{key} {value}" for key, value in moment.items() if key not in ("kind", "t")
    )
    return f"{kind.replace('_', ' ')}{at}" + (f" ({details})" if details else "")


def key_moment_lines(moments: Sequence[Mapping[str, Any]]) -> list[str]:
    """Key moments as sentences, in time order.

    A stopped task is told together with the last request sent to it and the client-error
    windows around that time; every other moment gets its own line.
    """
    stopped = [m for m in moments if m.get("kind") == "task_stopped"]
    last = {m.get("task"): m for m in moments if m.get("kind") == "last_request_to_task"}
    windows = [m for m in moments if m.get("kind") == "client_error_window"]
    used: set[int] = set()
    lines: list[tuple[float, int, str]] = []
    for moment in stopped:
        task = moment.get("task")
        start = float(moment["t"])
        parts = [f"task {task} stopped at {seconds(start)}"]
        end = start
        if task in last:
            end = max(start, float(last[task]["t"]))
            parts.append(f"last request sent to it at {seconds(float(last[task]['t']))}")
            used.add(id(last[task]))
        for window in windows:
            if id(window) not in used and _belongs(window, start, end):
                parts.append(_window(window))
                used.add(id(window))
        lines.append((start, 1, "; ".join(parts)))
    for moment in moments:
        kind = moment.get("kind")
        if kind == "task_stopped" or id(moment) in used:
            continue
        if kind == "client_error_window":
            lines.append((float(moment["from_t"]), 1, _window(moment)))
        else:
            # An action is told before what it caused at the same instant.
            rank = 0 if kind == "action" else 1
            lines.append((float(moment.get("t", 0.0)), rank, _other_moment(moment)))
    lines.sort(key=lambda item: (item[0], item[1]))
    return [text for _, _, text in lines]


WHAT_IF_LABEL = "What-if (not possible in real ECS)"
_WHAT_IF_MARK = " *"


def _value(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return str(value)


def what_if_change(item: Mapping[str, Any]) -> str:
    """``envoy.retry_policy num_retries 5 (AWS: 2)``: what a what-if entry changed, against the
    value AWS fixes (only the changed keys of an object)."""
    value, default = item["value"], item["default"]
    if isinstance(value, Mapping) and isinstance(default, Mapping):
        parts = [
            f"{key} {_value(value[key])} (AWS: {_value(default.get(key))})"
            for key in value
            if value[key] != default.get(key)
        ]
        change = ", ".join(parts)
    else:
        change = f"{_value(value)} (AWS: {_value(default)})"
    at = f" from {seconds(float(item['at_s']))}" if item.get("at_s") is not None else ""
    return f"{item['setting']} {change}{at}"


def _what_if_lines(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines: list[str] = []
    for pattern, result in results.items():
        for item in result.get("scenario", {}).get("what_if", []):
            who = f"{pattern}: " if len(results) > 1 else ""
            lines.append(f"  {who}{what_if_change(item)}; fixed by AWS: {item['fixed_by_aws']}")
    if not lines:
        return []
    mark = _WHAT_IF_MARK.strip() + " " if len(results) > 1 else ""
    return [
        f"{mark}{WHAT_IF_LABEL}: values AWS fixes were changed",
        *lines,
    ]


def _row(label: str, cells: Sequence[str]) -> str:
    return (label.ljust(_LABEL_WIDTH) + "".join(c.rjust(_COLUMN_WIDTH) for c in cells)).rstrip()


NOT_SUPPORTED = "not supported"
_NO_SUMMARY: dict[str, Any] = {"requests": 0, "ok": 0, "errors": {}}


def _supported(result: Mapping[str, Any]) -> bool:
    """False for a pattern that refused the scenario (``{"not_supported": {field, reason}}``)."""
    return "not_supported" not in result


def _summary_rows(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    if not all(_supported(r) for r in results.values()):
        return _rows_with_refusals(results)
    return _rows(results)


def _rows_with_refusals(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """A refusing pattern's column says "not supported" on the first row and "-" below."""
    supported = {p: r for p, r in results.items() if _supported(r)}
    filled = {p: (r if _supported(r) else {"summary": _NO_SUMMARY}) for p, r in results.items()}
    rows = _rows(filled)
    columns = list(results)
    refused = [i for i, p in enumerate(columns) if p not in supported]
    out = [rows[0]]
    for n, line in enumerate(rows[1:]):
        label, cells = line[:_LABEL_WIDTH], line[_LABEL_WIDTH:]
        parts = [cells[i * _COLUMN_WIDTH : (i + 1) * _COLUMN_WIDTH] for i in range(len(columns))]
        if len(cells.rstrip()) == 0:  # a heading row ("errors by callee")
            out.append(line)
            continue
        for i in refused:
            parts[i] = (NOT_SUPPORTED if n == 0 else "-").rjust(_COLUMN_WIDTH)
        out.append(_row(label.rstrip(), [p.strip() for p in parts]))
    return out


def _rows(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    summaries = [r["summary"] for r in results.values()]
    heads = [
        p + (_WHAT_IF_MARK if r.get("scenario", {}).get("what_if") and len(results) > 1 else "")
        for p, r in results.items()
    ]
    rows = [
        _row("", heads),
        _row("requests", [_count(s["requests"]) for s in summaries]),
        _row("ok", [_count(s["ok"]) for s in summaries]),
        _row("errors", [_count(_error_total(s["errors"])) for s in summaries]),
        _row(
            "error rate",
            [_percent(_error_total(s["errors"]), s["requests"]) for s in summaries],
        ),
    ]
    reasons = sorted({reason for s in summaries for reason in s["errors"]})
    for reason in reasons:
        rows.append(_row(f"  {reason}", [_count(s["errors"].get(reason, 0)) for s in summaries]))
    rows += [
        _row("retries", [_count(s.get("retries", 0)) for s in summaries]),
        _row("in flight at end", [_count(s.get("in_flight", 0)) for s in summaries]),
        _row("latency p50 ms", [_ms(s.get("p50_ms")) for s in summaries]),
        _row("latency p99 ms", [_ms(s.get("p99_ms")) for s in summaries]),
    ]
    callees = sorted({callee for s in summaries for callee in s.get("per_service", {})})
    if callees:
        rows.append(_row("errors by callee", []))
    for callee in callees:
        cells = []
        for s in summaries:
            stats = s.get("per_service", {}).get(callee)
            cells.append("-" if stats is None else _count(_error_total(stats["errors"])))
        rows.append(_row(f"  {callee}", cells))
    return rows


def _heading(results: Mapping[str, Mapping[str, Any]]) -> list[str]:
    first = next((r for r in results.values() if _supported(r)), next(iter(results.values())))
    scenario = first.get("scenario", {})
    name = scenario.get("name") or "custom scenario"
    lines = [
        f"Scenario {name}: {scenario['description']}"
        if scenario.get("description")
        else f"Scenario {name}"
    ]
    lines.append(
        f"seed {first.get('seed')}, {seconds(float(first.get('t', 0.0)))} simulated, "
        f"arrivals {scenario.get('arrivals', 'poisson')}"
    )
    return lines


def format_table(results: Mapping[str, Mapping[str, Any]]) -> str:
    """The people's report for ``{pattern: result}``."""
    if not results:
        raise ValueError("results: at least one pattern's result is needed")
    lines = _heading(results)
    what_if = _what_if_lines(results)
    if what_if:
        lines.append("")
        lines += what_if
    lines.append("")
    lines += _summary_rows(results)
    lines.append("")
    lines.append("Key moments")
    for pattern, result in results.items():
        if not _supported(result):
            refusal = result["not_supported"]
            lines.append(f"  {pattern}: {NOT_SUPPORTED} ({refusal['field']}: {refusal['reason']})")
            continue
        moments = key_moment_lines(result["summary"].get("key_moments", []))
        lines.append(f"  {pattern}:" + ("" if moments else " none"))
        lines += [f"    {line}" for line in moments]
    first = next((r for r in results.values() if _supported(r)), {})
    assumptions = first.get("scenario", {}).get("assumptions", [])
    if assumptions:
        lines.append("")
        lines.append(f"Assumptions: {len(assumptions)} (see --format json, scenario.assumptions)")
    return "\n".join(lines) + "\n"


def format_json(data: Mapping[str, Any]) -> str:
    """The machine report: the result dict (or ``{pattern: result}``) as indented JSON."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
