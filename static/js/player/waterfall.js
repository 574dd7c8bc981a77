// Jaeger-style waterfall for one request: every attempt and hop with its start and duration on
// one time axis, the engine's cause codes per attempt, then the events recorded for the request
// (failed hops, retries, timeouts), each offset from the request's start.

import { elementName, formatSeconds } from "./strings.js";
import { outcomeStyle } from "./dots.js";

function outcomeText(strings, outcome) {
  return strings.has(`outcome-${outcome}`) ? strings.get(`outcome-${outcome}`) : outcome;
}

export class Waterfall {
  constructor(root, strings) {
    this.root = root;
    this.strings = strings;
    this.title = root.querySelector("[data-role=waterfall-title]");
    this.rows = root.querySelector("[data-role=waterfall-rows]");
    this.notes = root.querySelector("[data-role=waterfall-events]");
    this.empty = root.querySelector("[data-role=waterfall-empty]");
  }

  // attempts: the dots of one request (one per attempt), sorted by attempt number.
  show(attempts, events, patternName) {
    this.empty.hidden = attempts.length > 0;
    this.rows.replaceChildren();
    this.notes.replaceChildren();
    this.title.textContent = "";
    if (!attempts.length) return;
    const first = attempts[0];
    const last = attempts[attempts.length - 1];
    const t0 = Math.min(...attempts.map((a) => a.t[0]));
    const end = Math.max(...attempts.map((a) => a.t[a.t.length - 1]));
    const total = Math.max(end - t0, 1e-6);
    this.title.textContent = this.strings.get("waterfall-title", {
      id: first.id, pattern: patternName, outcome: outcomeText(this.strings, last.outcome),
      attempts: attempts.length, total: this.strings.ms(total), t: formatSeconds(t0, 3),
      from: first.source || "", to: first.to || "",
    });
    this.root.dataset.outcome = outcomeStyle(last.outcome).kind;
    for (const attempt of attempts) {
      const head = document.createElement("li");
      head.className = "wf__attempt";
      const style = outcomeStyle(attempt.outcome);
      head.textContent = this.strings.get("waterfall-attempt", {
        n: attempt.attempts ?? 1, outcome: outcomeText(this.strings, attempt.outcome),
      });
      if (attempt.causes?.length) {
        // The engine's cause codes, each said in the page's language; the code itself stays
        // readable as the tooltip (and as the text when a code has no label).
        const causes = document.createElement("span");
        causes.className = "wf__causes";
        causes.title = attempt.causes.join(" → ");
        attempt.causes.forEach((cause, i) => {
          if (i) causes.append(" → ");
          if (this.strings.has(`cause-${cause}`)) causes.append(this.strings.get(`cause-${cause}`));
          else {
            const code = document.createElement("code");
            code.textContent = cause;
            causes.append(code);
          }
        });
        head.append(" ", causes);
      }
      head.dataset.kind = style.kind;
      this.rows.appendChild(head);
      attempt.path.forEach((edge, i) => {
        const start = attempt.t[i] - t0;
        const duration = attempt.t[i + 1] - attempt.t[i];
        const li = document.createElement("li");
        li.className = "wf__row";
        const label = document.createElement("span");
        label.className = "wf__label";
        const [a, b] = edge.slice(5).split("--");
        label.textContent = attempt.dir?.[i] === -1 ? `${b} → ${a}` : `${a} → ${b}`;
        const track = document.createElement("span");
        track.className = "wf__track";
        const bar = document.createElement("span");
        bar.className = `wf__bar wf__bar--${i === attempt.path.length - 1 ? style.kind : "ok"}`;
        bar.style.marginLeft = `${(100 * start) / total}%`;
        bar.style.width = `${Math.max(0.5, (100 * duration) / total)}%`;
        track.appendChild(bar);
        const time = document.createElement("span");
        time.className = "wf__time";
        time.textContent = `+${this.strings.ms(start)} · ${this.strings.ms(duration)}`;
        li.append(label, track, time);
        this.rows.appendChild(li);
      });
    }
    for (const event of events) {
      const li = document.createElement("li");
      li.textContent = `+${this.strings.ms(event.t - t0)} · ${(event.el || []).map(elementName).join(" · ")} — ${event.text || event.cause}`;
      this.notes.appendChild(li);
    }
  }
}
