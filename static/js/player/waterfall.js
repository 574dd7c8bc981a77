// Jaeger-style waterfall for one request: every hop with its start and duration, then the
// events the engine recorded for it (retries, timeouts, the answer), offset from the start.

import { elementName, formatSeconds } from "./strings.js";
import { outcomeStyle } from "./dots.js";

function ms(seconds) {
  return `${(seconds * 1000).toFixed(1)} ms`;
}

export class Waterfall {
  constructor(root, strings) {
    this.root = root;
    this.strings = strings;
    this.title = root.querySelector("[data-role=waterfall-title]");
    this.rows = root.querySelector("[data-role=waterfall-rows]");
    this.notes = root.querySelector("[data-role=waterfall-events]");
    this.empty = root.querySelector("[data-role=waterfall-empty]");
    this.request = null;
  }

  show(dot, events, patternName) {
    this.request = dot?.id ?? null;
    this.empty.hidden = Boolean(dot);
    this.rows.replaceChildren();
    this.notes.replaceChildren();
    if (!dot) {
      this.title.textContent = "";
      return;
    }
    const t0 = dot.t[0];
    const total = Math.max(dot.t[dot.t.length - 1] - t0, 1e-6);
    const style = outcomeStyle(dot.outcome);
    this.title.textContent = this.strings.get("waterfall-title", {
      id: dot.id, pattern: patternName, outcome: this.strings.has(`outcome-${dot.outcome}`) ? this.strings.get(`outcome-${dot.outcome}`) : dot.outcome,
      attempts: dot.attempts ?? 1, total: ms(total), t: formatSeconds(t0, 3),
    });
    this.root.dataset.outcome = style.kind;
    dot.path.forEach((edge, i) => {
      const start = dot.t[i] - t0;
      const duration = dot.t[i + 1] - dot.t[i];
      const li = document.createElement("li");
      li.className = "wf__row";
      const label = document.createElement("span");
      label.className = "wf__label";
      const [a, b] = edge.slice(5).split("--");
      label.textContent = dot.dir?.[i] === -1 ? `${b} → ${a}` : `${a} → ${b}`;
      const track = document.createElement("span");
      track.className = "wf__track";
      const bar = document.createElement("span");
      bar.className = `wf__bar wf__bar--${i === dot.path.length - 1 ? style.kind : "ok"}`;
      bar.style.marginLeft = `${(100 * start) / total}%`;
      bar.style.width = `${Math.max(0.5, (100 * duration) / total)}%`;
      track.appendChild(bar);
      const time = document.createElement("span");
      time.className = "wf__time";
      time.textContent = `+${ms(start)} · ${ms(duration)}`;
      li.append(label, track, time);
      this.rows.appendChild(li);
    });
    for (const event of events) {
      const li = document.createElement("li");
      li.textContent = `+${ms(event.t - t0)} · ${(event.el || []).map(elementName).join(" · ")} — ${event.text || event.cause}`;
      this.notes.appendChild(li);
    }
  }
}
