// The event list (Packet Tracer's, with causes): one row per event up to the current time,
// filtered by pattern, service, task and kind. Rows are buttons; choosing one jumps time.

import { TIME_EPSILON_S } from "./clock.js";
import { upperBound } from "./store.js";
import { elementName, formatSeconds, serviceOf, taskOf } from "./strings.js";

const MAX_ROWS = 300;
const KIND_ICONS = {
  action: "⚡", task: "■", target: "◎", health: "♥", hop: "→", request: "↗", request_end: "↘",
  dns: "⌕", outlier: "⊗", retry: "↻", proxy: "⇄",
};

function matches(event, filter) {
  if (filter.pattern && event.pattern !== filter.pattern) return false;
  if (filter.kind && event.kind !== filter.kind) return false;
  const ids = event.el || [];
  if (filter.service && !ids.some((id) => serviceOf(id) === filter.service || id.includes(`-${filter.service}-`) || id.endsWith(`-${filter.service}`))) return false;
  if (filter.task && !ids.some((id) => taskOf(id) === filter.task || id.includes(filter.task))) return false;
  return true;
}

export class EventList {
  constructor(root, strings, onChoose) {
    this.root = root;
    this.strings = strings;
    this.onChoose = onChoose;
    this.list = root.querySelector("[data-role=event-rows]");
    this.count = root.querySelector("[data-role=event-count]");
    this.selects = {};
    for (const select of root.querySelectorAll("select[data-filter]")) {
      this.selects[select.dataset.filter] = select;
      select.addEventListener("change", () => {
        this.filter[select.dataset.filter] = select.value;
        this.refilter();
        this.render(this.now, true);
      });
    }
    this.filter = { pattern: "", service: "", task: "", kind: "" };
    this.options = { pattern: new Set(), service: new Set(), task: new Set(), kind: new Set() };
    this.all = [];
    this.filtered = [];
    this.now = 0;
    this.shown = [-1, -1];
    this.current = -1;
    this.list.addEventListener("click", (e) => {
      const row = e.target.closest("button[data-i]");
      if (row) this.onChoose(this.filtered[Number(row.dataset.i)]);
    });
  }

  // events: every buffered event of the visible tracks, each tagged with its pattern, sorted by t.
  setEvents(events) {
    this.all = events;
    for (const event of events) {
      this.options.kind.add(event.kind);
      if (event.pattern) this.options.pattern.add(event.pattern);
      for (const id of event.el || []) {
        const service = serviceOf(id);
        if (service) this.options.service.add(service);
        const task = taskOf(id);
        if (task) this.options.task.add(task);
      }
    }
    for (const [name, values] of Object.entries(this.options)) this._fillSelect(name, values);
    this.refilter();
  }

  _fillSelect(name, values) {
    const select = this.selects[name];
    if (!select || select.options.length - 1 === values.size) return;
    const keep = select.value;
    const sorted = [...values].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
    select.replaceChildren(select.options[0]);
    for (const value of sorted) {
      const option = new Option(this.strings.has(`${name}-${value}`) ? this.strings.get(`${name}-${value}`) : value, value);
      select.add(option);
    }
    select.value = keep;
  }

  setFilter(name, value) {
    const select = this.selects[name];
    if (!select) return;
    if (value && ![...select.options].some((o) => o.value === value)) select.add(new Option(value, value));
    select.value = value;
    this.filter[name] = value;
    this.refilter();
    this.render(this.now, true);
  }

  refilter() {
    this.filtered = this.all.filter((e) => matches(e, this.filter));
    this.shown = [-1, -1];
  }

  // Events (after filtering) strictly after/before t, for stepping.
  nextAfter(t) {
    return this.filtered[upperBound(this.filtered, t + 1e-6, (e) => e.t)] || null;
  }

  prevBefore(t) {
    const i = upperBound(this.filtered, t - 1e-6, (e) => e.t) - 1;
    return i >= 0 ? this.filtered[i] : null;
  }

  render(now, force = false) {
    this.now = now;
    const end = upperBound(this.filtered, now + TIME_EPSILON_S, (e) => e.t);
    const start = Math.max(0, end - MAX_ROWS);
    if (!force && this.shown[0] === start && this.shown[1] === end) return;
    if (!force && this.shown[0] === start && end > this.shown[1] && this.shown[1] >= 0) {
      for (let i = this.shown[1]; i < end; i++) this.list.appendChild(this._row(i));
    } else {
      const rows = document.createDocumentFragment();
      for (let i = start; i < end; i++) rows.appendChild(this._row(i));
      this.list.replaceChildren(rows);
    }
    this.shown = [start, end];
    this.count.textContent = this.strings.get("events-count", { shown: end, total: this.filtered.length });
    this.markCurrent(end - 1);
  }

  markCurrent(i, scroll = true) {
    if (this.current === i && this.list.querySelector(`button[data-i="${i}"][aria-current]`)) return;
    const previous = this.list.querySelector("[aria-current]");
    previous?.removeAttribute("aria-current");
    this.current = i;
    const row = this.list.querySelector(`button[data-i="${i}"]`);
    if (!row) return;
    row.setAttribute("aria-current", "true");
    if (!scroll) return;
    const box = this.list;
    const top = row.offsetTop - box.offsetTop;
    if (top < box.scrollTop || top > box.scrollTop + box.clientHeight - row.offsetHeight) {
      box.scrollTop = Math.max(0, top - box.clientHeight / 2);
    }
  }

  indexOf(event) {
    return this.filtered.indexOf(event);
  }

  _row(i) {
    const event = this.filtered[i];
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.type = "button";
    button.className = `ev ev--${event.kind}`;
    button.dataset.i = String(i);
    button.dataset.t = String(event.t);
    if (event.request) button.dataset.request = event.request;
    const time = document.createElement("span");
    time.className = "ev__t";
    time.textContent = this.strings.seconds(event.t, 3);
    const kind = document.createElement("span");
    kind.className = "ev__kind";
    kind.textContent = `${KIND_ICONS[event.kind] || "•"} ${this.strings.has(`kind-${event.kind}`) ? this.strings.get(`kind-${event.kind}`) : event.kind}`;
    const hop = document.createElement("span");
    hop.className = "ev__hop";
    hop.textContent = (event.el || []).map(elementName).join(" · ");
    const text = document.createElement("span");
    text.className = "ev__text";
    text.textContent = event.text || event.cause;
    button.append(time, kind, hop, text);
    if (event.pattern && this.options.pattern.size > 1) {
      const pattern = document.createElement("span");
      pattern.className = "ev__pattern";
      pattern.textContent = this.strings.get(`pattern-${event.pattern}`);
      button.prepend(pattern);
    }
    li.appendChild(button);
    return li;
  }
}
