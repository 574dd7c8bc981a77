// The deployment panel: what the engine said about each blue/green, linear or canary deployment at
// the end of the last window shown. Every number is the engine's (frame.deployments); the panel
// only words them.

import { formatSeconds } from "./strings.js";

const STRATEGY_KEYS = { blue_green: "strategy-blue_green", linear: "strategy-linear", canary: "strategy-canary" };

function item(text, className = "") {
  const li = document.createElement("li");
  li.textContent = text;
  if (className) li.className = className;
  return li;
}

function activeRows(d, strings, t) {
  const rows = [];
  rows.push(item(strings.get("deploy-head", {
    service: d.service, strategy: strings.get(STRATEGY_KEYS[d.strategy] || d.strategy), blue: d.blue, green: d.green,
  }), "deploy-state__head"));
  rows.push(item(strings.get("deploy-stage", { stage: d.stage }), "deploy-state__stage"));
  rows.push(item(strings.get("deploy-green", { percent: d.green_percent }), "deploy-state__green"));
  rows.push(item(strings.get(d.test_to_green ? "deploy-test-green" : "deploy-test-blue")));
  if (d.bake_remaining_s !== undefined) {
    rows.push(item(strings.get("deploy-bake-left", { s: formatSeconds(d.bake_remaining_s), min: d.bake_time_min, t: formatSeconds(t) })));
  } else {
    rows.push(item(strings.get("deploy-bake", { min: d.bake_time_min })));
  }
  rows.push(item(d.alarm ? strings.get("deploy-alarm", { p: d.alarm.error_rate_percent, s: d.alarm.for_s }) : strings.get("deploy-no-alarm")));
  return rows;
}

function endedRows(d, strings) {
  const t = formatSeconds(d.t);
  if (d.outcome === "finished") return [item(strings.get("deploy-finished", { service: d.service, t }), "deploy-state__head")];
  if (d.outcome === "superseded") return [item(strings.get("deploy-superseded", { service: d.service, t }), "deploy-state__head")];
  const rows = [item(strings.get(d.by === "alarm" ? "deploy-rolled-back-alarm" : "deploy-rolled-back", {
    service: d.service, t, stage: d.stage ?? "", percent: d.green_percent ?? 0,
  }), "deploy-state__head")];
  if (d.by === "alarm") rows.push(item(strings.get("deploy-alarm-fired", { rate: d.error_rate_percent, s: d.for_s })));
  return rows;
}

export class DeployState {
  constructor(section, strings) {
    this.section = section;
    this.list = section?.querySelector("[data-role=deploy-state-list]");
    this.live = section?.querySelector("[data-role=deploy-state-live]");
    this.strings = strings;
    this.shown = undefined;
    this.announced = "";
  }

  // entry: {t, list} from Track.deploymentsAt(now), or null.
  show(entry) {
    if (!this.section || entry === this.shown) return;
    this.shown = entry;
    if (!entry || !entry.list.length) {
      this.section.hidden = true;
      this.list.replaceChildren();
      this.section.dataset.stage = "";
      return;
    }
    const rows = [];
    for (const d of entry.list) rows.push(...(d.outcome ? endedRows(d, this.strings) : activeRows(d, this.strings, entry.t)));
    this.list.replaceChildren(...rows);
    const first = entry.list[0];
    this.section.dataset.stage = first.outcome ? first.outcome : first.stage;
    this.section.dataset.greenPercent = first.outcome ? "" : String(first.green_percent);
    this.section.hidden = false;
    // Screen readers hear a change of stage or of green's share, not every second of bake time.
    const key = `${this.section.dataset.stage}:${this.section.dataset.greenPercent}`;
    if (this.live && key !== this.announced) {
      this.announced = key;
      this.live.textContent = rows.slice(0, 3).map((li) => li.textContent).join(". ");
    }
  }
}
