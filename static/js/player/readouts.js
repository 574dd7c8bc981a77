// The engine's readouts as rows a learner can compare: [{key, label, value}] per pattern.
// Numbers are printed as the engine gave them; nothing is derived here.

import { formatSeconds } from "./strings.js";

function seconds(value, strings) {
  return value === null || value === undefined ? "—" : strings.seconds(value, 3);
}

function reasons(errors, strings) {
  const parts = Object.entries(errors || {}).map(([reason, n]) => `${strings.has(`reason-${reason}`) ? strings.get(`reason-${reason}`) : reason}: ${n}`);
  return parts.length ? ` (${parts.join(", ")})` : "";
}

function flat(prefix, value, rows) {
  if (value && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) flat(prefix ? `${prefix}.${key}` : key, inner, rows);
  } else rows.push([prefix, Array.isArray(value) ? value.join(", ") : String(value)]);
}

export function readoutRows(values, strings) {
  const rows = [];
  const add = (key, value, vars = {}) => rows.push({ key, label: strings.get(`readout-${key}`, vars), value });
  add("requests", String(values.requests ?? "—"));
  add("failed_requests", `${values.failed_requests ?? "—"}${reasons(values.errors, strings)}`);
  add("retries", String(values.retries ?? "—"));
  for (const fault of values.faults || []) {
    const vars = { task: fault.task, t: formatSeconds(fault.t, 1), action: strings.has(`do-${fault.do}`) ? strings.get(`do-${fault.do}`) : fault.do };
    let value;
    if (fault.last_request_t === null || fault.last_request_t === undefined) value = strings.get("readout-no-requests");
    else {
      value = strings.get("readout-last-request", { last: formatSeconds(fault.last_request_t, 3), after: formatSeconds(fault.requests_stopped_after_s, 3) });
      if (fault.still_receiving) value += ` ${strings.get("readout-still-receiving")}`;
    }
    add(`fault:${fault.task}:${fault.t}`, value, vars);
    rows[rows.length - 1].label = strings.get("readout-fault", vars);
  }
  for (const stale of values.stale_dns || []) {
    add(`stale:${stale.task}`, `${seconds(stale.from_t, strings)} → ${seconds(stale.to_t, strings)} (${seconds(stale.window_s, strings)})`);
    rows[rows.length - 1].label = strings.get("readout-stale", { task: stale.task });
  }
  for (const window of values.client_error_windows || []) {
    add(`errors:${window.from_t}`, strings.get("readout-error-window-value", { from: window.from_t, to: window.to_t, count: window.count }));
    rows[rows.length - 1].label = strings.get("readout-error-window");
  }
  const counters = [];
  flat("", values.counters || {}, counters);
  // Engine counters carry their own names; a translated label is used where the page has one.
  for (const [key, value] of counters) {
    const label = strings.has(`counter-${key}`) ? strings.get(`counter-${key}`) : key;
    rows.push({ key: `counter:${key}`, label, value, counter: true });
  }
  return rows;
}
