// The trace player: one clock drives the diagram(s), the dots, the event list, the timeline,
// the chart and the waterfall. Data arrives as frames (WebSocket or an instant run) and is
// buffered, so pause, step back, scrub and fork work on everything already received.
//
//   const player = new Player(document.getElementById("player"), { wsPath, runUrl });
//   player.startLive(scenario, "elb");   // or player.runInstant(scenario, "all")

import { csrfToken } from "../csrf.js";
import { Socket } from "../socket.js";
import { Chart } from "./chart.js";
import { Clock, TIME_EPSILON_S, speedsIn } from "./clock.js";
import { Diagram } from "./diagram.js";
import { DeployState } from "./deploystate.js";
import { DotLayer, MIN_HOP_WALL_S } from "./dots.js";
import { EventList } from "./eventlist.js";
import { Palette } from "./palette.js";
import { RunStore, upperBound } from "./store.js";
import { readoutRows } from "./readouts.js";
import { Strings, formatSeconds } from "./strings.js";
import { Timeline, isMarker } from "./timeline.js";
import { Viewport } from "./viewport.js";
import { Waterfall } from "./waterfall.js";

// One viewer per run: retries start at 125–250 ms and never wait more than 4 s.
const BACKOFF = { baseMs: 250, capMs: 4000 };
// After a failed diagram fetch, wait this long before asking again (not once per frame).
const DIAGRAM_RETRY_MS = 2000;

const ALL = ["elb", "app-mesh", "service-discovery", "service-connect"];
// Above this speed the screen-time floor of a hop stops growing, or dots would pile up: at 10×
// a hop is drawn over 0.35 × 2.5 = 0.875 virtual seconds, 88 ms of screen time.
const MAX_STRETCH_SPEED = 2.5;
const HEAD_SLACK_S = 1.5;  // within this of the live head an action applies now, not as a fork

function formatNumber(value) {
  if (value === null || value === undefined) return "—";
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 1);
}

export class Player {
  // onAct(action): a page that owns the run (a study session) takes the action; return true when
  // it did, anything else lets the player apply it or fork as usual.
  // pageKeys: false on a page whose own keys (slides) come first; the player's keys then work
  // only from inside it.
  // onGap(t): the shown time t falls in windows the page has not fetched yet (a study session's
  // screen that joined with a snapshot); the page asks for them.
  constructor(root, { wsPath = "/ws/playground/", runUrl = null, onMessage = null, onState = null, onAct = null, onGap = null, pageKeys = true } = {}) {
    this.root = root;
    this.pageKeys = pageKeys;
    this.strings = new Strings(root.querySelector("template[data-role=strings]") || document.getElementById("player-strings"));
    this.runUrl = runUrl;
    this.wsPath = wsPath;
    this.onMessage = onMessage;   // the page hears hello/status/error/readouts too
    this.onState = onState;
    this.onAct = onAct;
    this.onGap = onGap;
    this.store = new RunStore();
    this.branchId = 0;
    this.compareId = null;
    this.mode = "idle";            // idle | live | instant
    this.request = null;           // {pattern, id} shown in the waterfall
    this.diagrams = new Map();     // pattern -> {figure, diagram, dots}
    this.reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.dirty = { events: true, chart: true, branches: true };
    this.lastWindow = new Map();
    this.lastEventsRender = 0;
    this.connection = null;
    this.scenario = null;
    this.serverHead = 0;
    this.serverBranch = 0;
    this.svgTexts = new Map();
    this.connectionLog = [];
    this.chosen = null;
    this.lang = document.documentElement.lang === "ja" ? "ja" : "en";
    this.startAt = 0;              // where Play at the end starts again (a lesson step's start)
    this.firstView = null;         // (diagram) => the element a pattern's first view centres on
    this._bindControls();
    this.clock = new Clock((now) => this.render(now));
    this.clock.start();
    this._setStatus("idle");
  }

  // A page that swaps players (slides) stops the one it takes away: its clock, keys and socket.
  destroy() {
    this.clock.stop();
    document.removeEventListener("keydown", this._onPageKey);
    this.connection?.close?.();
    this.connection = null;
  }

  el(role) {
    return this.root.querySelector(`[data-role=${role}]`);
  }

  // The run on screen for the "In AWS" panel: the scenario the server ran (and the one the page
  // started it with), the pattern, the shown branch's live log and the playhead (null before a
  // run's hello).
  runState() {
    if (!this.store.hello) return null;
    const branch = this.store.branch(this.branchId);
    return { scenario: this.serverScenario || this.scenario, started: this.scenario, pattern: this.pattern, log: branch.log || [], t: this.clock.now };
  }

  _bindControls() {
    const root = this.root;
    root.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-control]");
      if (!button) return;
      const control = button.dataset.control;
      if (control === "play") this.toggle();
      else if (control === "next") this.step(1);
      else if (control === "prev") this.step(-1);
      else if (control === "speed") this.setSpeed(Number(button.dataset.speed));
    });
    this.el("jump").addEventListener("submit", (e) => {
      e.preventDefault();
      const value = Number(e.target.elements.t.value);
      if (!Number.isFinite(value)) return;
      this.pause();
      this.seek(value);
    });
    const motion = this.el("reduced-motion");
    motion.checked = this.reduced;
    motion.addEventListener("change", () => {
      this.reduced = motion.checked;
      this.root.classList.toggle("player--reduced", this.reduced);
    });
    this.root.classList.toggle("player--reduced", this.reduced);
    const legend = this.root.querySelector(".states-legend");
    if (legend && window.matchMedia("(max-width: 40rem)").matches) legend.open = false;
    const labels = this.el("edge-labels");
    labels?.addEventListener("change", () => this.root.classList.toggle("player--hide-labels", !labels.checked));
    // Keys work from anywhere in the player, and from the page itself when nothing else has focus.
    this._onPageKey = (e) => {
      const target = e.target;
      const fromPage = this.pageKeys && (target === document.body || target.id === "main");
      if (this.root.contains(target) || fromPage) this._key(e);
    };
    document.addEventListener("keydown", this._onPageKey);
    this.timeline = new Timeline(this.el("timeline"), this.strings, (t, key) => {
      this.pause();
      this.seek(t);
      if (key) {
        const event = this._allEvents().find((ev) => ev._key === key);
        if (event) this.choose(event, false);
      }
    });
    this.events = new EventList(this.el("events"), this.strings, (event) => this.choose(event, true));
    this.chart = new Chart(this.el("chart"), this.strings, (t) => this.seek(t));
    this.chart.onChange = () => (this.dirty.chart = true);
    this.waterfall = new Waterfall(this.el("waterfall"), this.strings);
    this.deployState = new DeployState(this.el("deploy-state"), this.strings);
    this.palette = new Palette(this.el("palette"), this.strings, {
      onAction: (action) => this.act(action),
      onFilterTask: (task) => this.events.setFilter("task", task),
      azName: (id) => this._azName(id),
    });
    this.el("branches").addEventListener("change", (e) => {
      if (e.target.name === "branch") this.switchBranch(Number(e.target.value));
      if (e.target.name === "compare") this.compareId = e.target.value === "" ? null : Number(e.target.value);
      this.dirty.chart = true;
      this._renderReadouts();
    });
    for (const figure of root.querySelectorAll("[data-role=diagrams]")) {
      figure.addEventListener("click", (e) => {
        const dot = e.target.closest(".dot[data-request]");
        if (dot) this.selectRequest(dot.closest("[data-pattern]").dataset.pattern, dot.dataset.request);
      });
    }
  }

  _key(e) {
    const target = e.target;
    const typing = target.matches("input:not([type=checkbox]):not([type=radio]), select, textarea");
    if (typing || e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === " " && !target.matches("button, [role=button]")) {
      e.preventDefault();
      this.toggle();
    } else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      this.step(e.key === "ArrowRight" ? 1 : -1);
    } else if (e.key === "+" || e.key === "=") {
      this.nudgeSpeed(1);
    } else if (e.key === "-" || e.key === "_") {
      this.nudgeSpeed(-1);
    }
  }

  // ------------------------------------------------------------------ starting runs

  // scenario: a scenario object; or {permalink: token} to replay a shared run.
  startLive(scenario, pattern) {
    this.started = true;
    this._syncAvailability();
    this._prepare(scenario, pattern, "live");
    if (!this.connection) {
      // After a drop the server is asked to resume after the last frame held, so nothing is
      // lost or duplicated; the resume goes ahead of anything queued while down.
      this.connection = new Socket(this.wsPath, {
        backoff: BACKOFF,
        onConnecting: () => this._connectionState("connecting"),
        onOpen: ({ reconnected }) => {
          const resume = reconnected ? this._resumeMessage() : null;
          this._connectionState("connected");
          if (resume) this.connection.send(resume);
        },
        onMessage: (m) => this.handle(m),
        onReconnecting: () => this._connectionState("reconnecting"),
        onClose: () => this._connectionState("closed"),
      });
      this.connection.open();
    }
    const start = { type: "start", pattern, speed: this.clock.speed, lang: this.lang };
    if (scenario.permalink) start.permalink = scenario.permalink;
    else Object.assign(start, { scenario, seed: scenario.seed ?? 1 });
    this.connection.send(start);
    this.clock.playing = true;
  }

  // Frames come from someone else's stream (a study session's shared run): the page feeds them
  // to handle(); the page also drives the clock. Actions fork privately unless onAct takes them.
  follow(scenario, pattern) {
    this._prepare(scenario, pattern, "follow");
    this.clock.playing = false;
  }

  async runInstant(scenario, pattern) {
    this.started = true;
    this._syncAvailability();
    this._prepare(scenario, pattern, "instant");
    const body = scenario.permalink ? { permalink: scenario.permalink, lang: this.lang } : { scenario, pattern, seed: scenario.seed ?? 1, lang: this.lang };
    const messages = await this._post(body);
    if (!messages) return false;
    for (const message of messages) this.handle(message);
    return true;
  }

  async _post(body, branchOverride = null) {
    this._setStatus("loading");
    let response;
    try {
      response = await fetch(this.runUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify(body),
        credentials: "same-origin",
      });
    } catch {
      this._setStatus("network-error");
      return null;
    }
    const data = response.headers.get("Content-Type")?.startsWith("application/x-ndjson")
      ? await this._queued(response)
      : await response.json().catch(() => null);
    if (!response.ok || !data || data.type === "error") {
      this.handle({ type: "error", status: response.status, ...(data || {}) });
      this._setStatus("refused", data?.reason);
      return null;
    }
    const messages = Array.isArray(data) ? data : data.messages || data.frames || [];
    if (branchOverride !== null) for (const m of messages) if (m.type === "frame" || m.type === "readouts") m.branch = branchOverride;
    return messages;
  }

  // A run that waits its turn on the server is answered in lines of JSON: a "queued" notice
  // at once (shown while it waits), then the run or its refusal (the last line).
  async _queued(response) {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    let text = "";
    let last = null;
    const take = (line) => {
      if (!line.trim()) return;
      const item = JSON.parse(line);
      if (item.type === "queued") this._setStatus("queued", item.reason);
      else last = item;
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        const lines = text.split("\n");
        text = lines.pop();
        lines.forEach(take);
      }
      take(text + decoder.decode());
    } catch {
      return null;
    }
    return last;
  }

  _prepare(scenario, pattern, mode) {
    this.scenario = scenario;
    this.pattern = pattern;
    this.mode = mode;
    this.store.reset();
    this.branchId = 0;
    this.compareId = null;
    this.request = null;
    this.serverHead = 0;
    this.serverBranch = 0;
    this.serverScenario = null;
    this.seed = scenario.seed;
    this.clock.now = 0;
    this.clock.limit = 0;
    this.lastWindow.clear();
    this.events.setEvents([]);
    this.waterfall.show([], [], "");
    this.dirty = { events: true, chart: true, branches: true };
    this.root.dataset.mode = mode;
    this.root.dataset.patterns = pattern === "all" ? "all" : "one";
    const patterns = pattern === "all" ? ALL : [pattern];
    this._buildFigures(patterns);
  }

  _buildFigures(patterns) {
    const host = this.el("diagrams");
    const template = this.root.querySelector("template[data-role=figure]");
    host.replaceChildren();
    this.diagrams.clear();
    for (const pattern of patterns) {
      const figure = template.content.firstElementChild.cloneNode(true);
      figure.dataset.pattern = pattern;
      figure.querySelector("[data-role=figure-title]").textContent = this.strings.get(`pattern-${pattern}`);
      host.appendChild(figure);
      const slot = { figure, diagram: null, dots: null, url: null, view: null };
      this.diagrams.set(pattern, slot);
      this._bindView(slot);
    }
  }

  // The zoom buttons, the focus picker and a width change act on the slot's current view (a new
  // topology brings a new SVG and a new view, which keeps the zoom and focus of the old one).
  _bindView(slot) {
    const { figure } = slot;
    figure.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-view]");
      if (!button || !slot.view) return;
      const action = button.dataset.view;
      if (action === "zoom-in") slot.view.zoom(1.25);
      else if (action === "zoom-out") slot.view.zoom(1 / 1.25);
      else if (action === "fit") slot.view.fit();
    });
    figure.querySelector("select[data-view=focus]").addEventListener("change", (e) => {
      slot.view?.focus(e.target.value, (this.serverScenario || this.scenario)?.traffic);
    });
    if (window.ResizeObserver) {
      let width = 0;
      new ResizeObserver(() => {
        const frame = figure.querySelector("[data-role=svg]");
        if (!slot.view || Math.abs(frame.clientWidth - width) < 1) return;
        width = frame.clientWidth;
        if (Math.abs(slot.view.width - width) >= 1) slot.view.reset();
      }).observe(figure);
    }
  }

  _focusOptions(slot) {
    const select = slot.figure.querySelector("select[data-view=focus]");
    // In the scenario's order (the order the setup form lists them), as drawn.
    const drawn = new Set([...slot.diagram.svg.querySelectorAll("[data-svc]")].map((e) => e.dataset.svc));
    const named = ((this.serverScenario || this.scenario)?.services || []).map((s) => s.name);
    const services = [...new Set([...named.filter((n) => drawn.has(n)), ...drawn])];
    const had = [...select.options].slice(1).map((o) => o.value).join(",");
    if (had === services.join(",")) return;
    const value = select.value;
    select.replaceChildren(select.options[0]);
    for (const name of services) select.add(new Option(name, name));
    select.value = services.includes(value) ? value : "";
  }

  // ------------------------------------------------------------------ messages

  handle(message) {
    switch (message.type) {
      case "hello":
        this._hello(message);
        break;
      case "frame":
        this._frame(message);
        break;
      case "status":
        this._status(message);
        break;
      case "log":
        this._log(message);
        break;
      case "readouts":
        this.store.addReadouts(message);
        this._renderReadouts();
        break;
      default:
        break;
    }
    this.onMessage?.(message);
  }

  _hello(message) {
    if (this.store.run && message.run && message.run !== this.store.run && !this.store.pendingFork) {
      this.store.reset();
    }
    this.store.run = message.run ?? this.store.run;
    const before = this.store.branches.size;
    const branch = this.store.branch(message.branch ?? 0);
    if (message.log) branch.log = message.log;
    if (message.seed !== undefined) this.seed = message.seed;
    this.serverBranch = branch.id;
    if (typeof message.t === "number") this.serverHead = message.t;
    if (this.store.branches.size > before) this.switchBranch(branch.id);
    this.store.hello = message;
    this.showWhatIf((message.what_if || []).map((item) => item.setting));
    if (message.scenario && !this.store.hello?.scenario) this.scenario = message.scenario;
    if (message.scenario) this.serverScenario = message.scenario;
    this.store.duration = message.duration_s ?? this.scenario?.duration_s ?? 0;
    this.clock.duration = this.store.duration;
    this.timeline.setDuration(this.store.duration);
    const urls = message.svg_urls || (message.svg_url ? { [message.pattern || [...this.diagrams.keys()][0]]: message.svg_url } : {});
    for (const [pattern, url] of Object.entries(urls)) branch.track(pattern).addTopology(message.t ?? 0, url);
    this.render(this.clock.now, true);
    if (message.permalink) this.root.dataset.permalink = message.permalink;
    this._setStatus(this.mode === "live" || this.mode === "follow" ? "playing" : "ready");
  }

  // A run that changes values AWS fixes is a what-if: say so above the timeline, naming them
  // (the hello's list replaces it; `add` keeps the settings shown and adds to them).
  showWhatIf(settings, add = false) {
    const note = this.el("what-if");
    if (!note) return;
    const list = note.querySelector("[data-role=what-if-list]");
    const known = add ? [...list.querySelectorAll("code")].map((c) => c.textContent) : [];
    const names = [...new Set([...known, ...settings])];
    list.replaceChildren();
    names.forEach((name, i) => {
      if (i) list.append(", ");
      const code = document.createElement("code");
      code.textContent = name;
      list.append(code);
    });
    note.hidden = names.length === 0;
  }

  // The diagram for the topology at the shown time; SVG texts are fetched once per layout.
  async _showDiagram(pattern, url) {
    const slot = this.diagrams.get(pattern);
    if (!slot || slot.url === url) return;
    slot.url = url;
    let text = this.svgTexts.get(url);
    if (text === undefined) {
      // A failed fetch (server restarting, network gone) forgets the URL so the next render retries.
      try {
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) throw new Error(`diagram answered ${response.status}`);
        text = await response.text();
      } catch {
        if (slot.url === url) {
          slot.url = null;
          slot.retryAt = performance.now() + DIAGRAM_RETRY_MS;
        }
        return;
      }
      this.svgTexts.set(url, text);
    }
    if (slot.url !== url) return;
    const box = slot.figure.querySelector("[data-role=svg]");
    slot.diagram = new Diagram(box, text, { label: this.strings.get("diagram-label", { pattern: this.strings.get(`pattern-${pattern}`) }) });
    slot.diagram.url = url;
    const previous = slot.view;
    slot.view = new Viewport(slot.figure, slot.diagram.svg);
    if (previous && previous.mode === "zoomed") {
      Object.assign(slot.view, { scale: previous.scale, cx: previous.cx, cy: previous.cy, height: previous.height, mode: "zoomed" });
      slot.view._apply();
    }
    this._focusOptions(slot);
    if (!previous && this.firstView) slot.view.centerOn(this.firstView(slot.diagram));
    const focus = slot.figure.querySelector("select[data-view=focus]").value;
    if (focus) slot.view.focus(focus, (this.serverScenario || this.scenario)?.traffic);
    slot.dots = new DotLayer(slot.diagram);
    this.palette.attach(slot.diagram);
    this.lastWindow.delete(pattern);
    slot.figure.dataset.loaded = "true";
    this.root.dataset.diagrams = String([...this.diagrams.values()].filter((s) => s.diagram).length);
  }

  _frame(frame) {
    const before = this.store.branches.size;
    const branch = this.store.addFrame(frame);
    if (this.store.branches.size > before) {
      this.dirty.branches = true;
      this.switchBranch(branch.id);
    }
    if (branch.id === this.branchId) this.serverHead = Math.max(this.serverHead, frame.t1);
    for (const event of frame.events || []) {
      event.pattern = frame.pattern;
      event._key = `${frame.pattern}:${branch.id}:${event.t}:${event.cause}:${(event.el || []).join(",")}`;
    }
    this.dirty.events = true;
    this.dirty.chart = true;
  }

  // A study session's snapshot: the frames start at message.from (a window of the shared run);
  // what the windows before it leave standing comes as each pattern's base, and the windows
  // themselves when the learner goes back to them (olderFrames).
  snapshot(message) {
    const branch = this.store.branch(0);
    for (const [pattern, base] of Object.entries(message.base || {})) branch.track(pattern).addBase(base);
    const from = message.from;
    branch.missing = from.seq > 0 ? { fromWindow: 0, fromSeq: 0, toWindow: from.window, toSeq: from.seq, t0: 0, t1: from.t, most: message.most } : null;
    this.root.dataset.missingFrom = String(branch.missing ? branch.missing.t0 : "");
    this.render(this.clock.now, true);
  }

  // Windows [message.from, message.to) of the shared run, older than those held.
  olderFrames(message) {
    const branch = this.store.branch(0);
    const gap = branch.missing;
    const frames = message.frames || [];
    if (!gap || message.from !== gap.fromWindow || !frames.length) return;
    for (const frame of frames) this.handle({ ...frame, type: "frame", older: true });
    const last = frames[frames.length - 1];
    Object.assign(gap, { fromWindow: message.to, fromSeq: last.seq + 1, t0: last.t1 });
    if (gap.fromSeq >= gap.toSeq) {
      branch.missing = null;
      for (const track of branch.tracks.values()) track.forgetBase();
    }
    this.root.dataset.missingFrom = String(branch.missing ? branch.missing.t0 : "");
    // Earlier state changes went in before those shown: the diagrams apply them again.
    for (const slot of this.diagrams.values()) slot.diagram?.resetStates();
    this.lastWindow.clear();
    this.render(this.clock.now, true);
  }

  _log(message) {
    const branch = this.store.branch(message.branch ?? this.branchId);
    branch.log = message.log || [];
    if (!message.rewind) return;
    branch.truncate(message.rewind.seq, message.rewind.t);
    if (branch.id === this.branchId) this.serverHead = Math.min(this.serverHead, message.rewind.t);
    this.lastWindow.clear();
    this.dirty = { events: true, chart: true, branches: true };
    this.render(this.clock.now, true);
  }

  _status(message) {
    if (message.state === "ended") this.root.dataset.ended = "true";
    if (typeof message.t === "number" && (message.branch ?? this.branchId) === this.branchId) this.serverHead = Math.max(this.serverHead, message.t);
    if (message.branch !== undefined) this.serverBranch = message.branch;
  }

  _connectionState(state) {
    this.root.dataset.connection = state;
    this.connectionLog.push(state);
    const label = this.el("connection");
    if (label) label.textContent = this.strings.get(`connection-${state}`);
    this.onState?.(state);
  }

  _resumeMessage() {
    if (!this.store.run) return null;
    const branch = this.store.branch(this.branchId);
    return {
      type: "resume", run: this.store.run, scenario: this.serverScenario || this.scenario, log: branch.log,
      pattern: this.pattern, seed: this.seed ?? 1, after_seq: branch.lastSeq, branch: branch.id,
      speed: this.clock.speed, lang: this.lang, paused: !this.clock.playing,
      next_branch: Math.max(...this.store.branches.keys()) + 1,
    };
  }

  _setStatus(key, text = null) {
    const status = this.el("status");
    if (status) status.textContent = text || this.strings.get(`status-${key}`);
    this.root.dataset.status = key;
    this._syncAvailability();
  }

  // Before any run is started there is nothing to play, step through or jump in: the time controls
  // are unavailable then (and the status line says what to do) instead of doing nothing when
  // pressed. Once a run starts they are back (Play pressed while it loads plays it when it comes).
  _syncAvailability() {
    const ready = Boolean(this.store?.hello) || Boolean(this.started);
    const controls = "button[data-control=prev], button[data-control=play], button[data-control=next], [data-role=jump] button";
    for (const button of this.root.querySelectorAll(controls)) button.disabled = !ready;
  }

  // ------------------------------------------------------------------ time control

  get branch() {
    return this.store.branch(this.branchId);
  }

  play() {
    if (this.clock.ended) this.clock.now = this.startAt;
    this.clock.playing = true;
    if (this.mode === "live") this.connection?.send({ type: "play" });
    this._syncButtons();
  }

  pause() {
    this.clock.playing = false;
    if (this.mode === "live") this.connection?.send({ type: "pause" });
    this._syncButtons();
  }

  toggle() {
    if (this.clock.playing) this.pause();
    else this.play();
  }

  seek(t) {
    this.clock.limit = Math.max(this.clock.limit, this.branch.end);
    this.clock.seek(t);
    this.render(this.clock.now, true);
  }

  setSpeed(value) {
    if (!speedsIn(this.root).includes(value)) return;
    this.clock.speed = value;
    if (this.mode === "live") this.connection?.send({ type: "speed", value });
    this._syncButtons();
  }

  nudgeSpeed(direction) {
    const speeds = speedsIn(this.root);
    const i = speeds.indexOf(this.clock.speed);
    this.setSpeed(speeds[Math.max(0, Math.min(speeds.length - 1, i + direction))]);
  }

  // Steps go row by row, so events that share a time are each visited; the list's filters apply.
  step(direction) {
    this.pause();
    this._refreshEvents();
    const now = this.clock.now;
    const list = this.events;
    const at = this.chosen && Math.abs(this.chosen.t - now) < TIME_EPSILON_S ? list.indexOf(this.chosen) : -1;
    let event;
    if (at >= 0) event = list.filtered[at + direction] || null;
    else event = direction > 0 ? list.nextAfter(now) : list.prevBefore(now);
    if (event) this.choose(event, false);
    // Nothing that way (the start or the end of the run): say so rather than do nothing.
    else this.el("status").textContent = this.strings.get(direction > 0 ? "no-later-event" : "no-earlier-event");
  }

  // Jump to an event: time, highlight on the diagram, its request in the waterfall, narration.
  choose(event, fromList) {
    this.pause();
    this.clock.limit = Math.max(this.clock.limit, this.branch.end);
    this.clock.seek(event.t);
    this.chosen = event;
    for (const [pattern, slot] of this.diagrams) {
      slot.diagram?.highlight(pattern === event.pattern || this.diagrams.size === 1 ? event.el : []);
    }
    if (event.request) this.selectRequest(event.pattern, event.request);
    this.el("narration").textContent = `${this.strings.seconds(event.t, 3)}: ${event.text || event.cause}`;
    this.render(this.clock.now, true);
    this.events.markCurrent(this.events.indexOf(event), !fromList);
  }

  selectRequest(pattern, id) {
    const track = this.branch.tracks.get(pattern);
    const attempts = track?.dotsById.get(id) || [];
    this.request = attempts.length ? { pattern, id } : null;
    this.waterfall.show(attempts, attempts.length ? track.requestEvents(id) : [], this.strings.get(`pattern-${pattern}`));
  }

  // ------------------------------------------------------------------ actions and forks

  // An action at the live head is applied now; anywhere earlier it forks a new branch there.
  act(action) {
    if (this.onAct?.(action) === true) return "page";
    const now = this.clock.now;
    const branch = this.branch;
    const latest = this.branchId === Math.max(...this.store.branches.keys());
    const atHead = this.mode === "live" && latest && this.serverBranch === this.branchId && now >= this.serverHead - HEAD_SLACK_S;
    if (atHead) {
      // While the connection is down the socket keeps the action and sends it after the resume;
      // the learner is told it waits rather than that it was applied (review D13).
      const waiting = this.connection.state !== "open";
      this.connection.send({ type: "action", action });
      const said = waiting ? "action-waiting" : "action-done";
      this._say(this.strings.get(said, { action: this._actionName(action) }));
      this.play();
      return "action";
    }
    this.fork(action, now);
    return "fork";
  }

  fork(action, at = this.clock.now) {
    const parent = this.branch;
    // The server forks from what it has computed: a view ahead of the received frames forks at
    // their end, and the branch's log (hence its permalink) must say the same time.
    at = Math.min(at, parent.end);
    const log = parent.log.filter((a) => a.at_s < at).concat([{ ...action, at_s: at }]);
    this.store.pendingFork = { parent: parent.id, at, action, log };
    this._say(this.strings.get("fork-done", { t: formatSeconds(at) }));
    if (this.mode === "live") {
      // The server forks from the branch it is streaming; bring it back to ours first.
      if (this.serverBranch !== parent.id) this.connection.send({ ...this._resumeMessage(), paused: true });
      this.connection.send({ type: "fork", at, action });
      this.play();
    } else {
      const id = Math.max(...this.store.branches.keys()) + 1;
      const body = { scenario: this.serverScenario || this.scenario, pattern: this.pattern, seed: this.seed ?? 1, lang: this.lang, log };
      this._post(body, id).then((messages) => {
        if (!messages) return;
        for (const m of messages) if (m.type !== "hello") this.handle(m);
        this.play();
      });
    }
  }

  _say(text) {
    this.el("narration").textContent = text;
    const status = this.el("status");
    if (status) status.textContent = text;
  }

  // The branch left behind becomes the comparison, so "what changed" is always one glance away.
  switchBranch(id) {
    if (!this.store.branches.has(id)) return;
    const previous = this.branchId;
    this.branchId = id;
    const branch = this.branch;
    if (this.compareId === null || this.compareId === id) {
      this.compareId = previous !== id ? previous : (branch.parent?.id ?? null);
    }
    this.chosen = null;
    for (const slot of this.diagrams.values()) slot.diagram?.resetStates();
    this.lastWindow.clear();
    this.dirty = { events: true, chart: true, branches: true };
    this._renderBranches();
    this._renderReadouts();
  }

  _renderBranches() {
    const list = this.el("branch-list");
    if (!list || !this.dirty.branches) return;
    this.dirty.branches = false;
    const items = [];
    for (const branch of this.store.branches.values()) {
      const li = document.createElement("li");
      const label = document.createElement("label");
      const radio = document.createElement("input");
      radio.type = "radio";
      radio.name = "branch";
      radio.value = String(branch.id);
      radio.checked = branch.id === this.branchId;
      label.append(radio, ` ${this._branchName(branch)}`);
      li.appendChild(label);
      items.push(li);
    }
    list.replaceChildren(...items);
    const compare = this.el("compare");
    compare.replaceChildren(new Option(this.strings.get("compare-none"), ""));
    for (const branch of this.store.branches.values()) {
      if (branch.id !== this.branchId) compare.add(new Option(this._branchName(branch), String(branch.id)));
    }
    compare.value = this.compareId === null ? "" : String(this.compareId);
    this.el("branches").hidden = this.store.branches.size < 2;
  }

  _branchName(branch) {
    if (!branch.parent) return this.strings.get("branch-original");
    return this.strings.get("branch-fork", { n: branch.id, t: formatSeconds(branch.forkAt), action: this._actionName(branch.action) });
  }

  _actionName(action) {
    if (!action) return "";
    const target = action.task || action.service || action.az || "";
    const key = action.strategy && action.strategy !== "rolling" ? `do-${action.do}-${action.strategy}` : `do-${action.do}`;
    return `${this.strings.has(key) ? this.strings.get(key) : action.do} ${target}`.trim();
  }

  _azName(id) {
    const suffix = /-az-(.+)$/.exec(id)?.[1] || "";
    for (const service of (this.serverScenario || this.scenario)?.services || []) {
      const az = (service.azs || []).find((a) => a.endsWith(suffix));
      if (az) return az;
    }
    return suffix;
  }

  // ------------------------------------------------------------------ rendering

  _allEvents() {
    const events = [];
    for (const track of this.branch.tracks.values()) events.push(...track.events);
    if (this.branch.tracks.size > 1) events.sort((a, b) => a.t - b.t);
    return events;
  }

  _refreshEvents() {
    if (!this.dirty.events) return;
    this.dirty.events = false;
    const events = this._allEvents();
    this.events.setEvents(events);
    this.timeline.setMarkers(events.filter(isMarker).map((e) => ({ t: e.t, kind: e.kind, text: e.text || e.cause, id: e._key })));
    this.events.render(this.clock.now, true);
  }

  render(now, force = false) {
    const branch = this.branch;
    if (!branch) return;
    this.clock.limit = branch.end >= this.store.duration - TIME_EPSILON_S ? this.store.duration : branch.end;
    if (this.clock.now > this.clock.limit) this.clock.now = this.clock.limit;
    if (this.clock.stopAtEnd()) this.root.dataset.ended = "true";
    const gap = branch.missing;
    if (gap && now >= gap.t0 - TIME_EPSILON_S && now < gap.t1 - TIME_EPSILON_S) this.onGap?.(now);
    const minHop = MIN_HOP_WALL_S * Math.min(this.clock.speed, MAX_STRETCH_SPEED);
    // The deployment panel follows the first pattern shown (the strategies run alike in each).
    const firstTrack = branch.tracks.get(this.diagrams.keys().next().value);
    this.deployState.show(firstTrack ? firstTrack.deploymentsAt(now) : null);
    for (const [pattern, slot] of this.diagrams) {
      const track = branch.tracks.get(pattern);
      if (!track) continue;
      const url = track.topologyAt(now);
      if (url && url !== slot.url && !(slot.retryAt > performance.now())) this._showDiagram(pattern, url);
      if (!slot.diagram || slot.diagram.url !== slot.url) continue;
      slot.diagram.applyStates(track.states, now);
      const dots = track.dotsAround(now, minHop * 8);
      if (this.reduced) {
        slot.dots.clear();
        slot.diagram.setActiveHops(slot.dots.hops(dots, now, minHop));
      } else {
        if (slot.diagram.activeHops.size) slot.diagram.setActiveHops(new Map());
        slot.dots.render(dots, now, minHop, this.request?.pattern === pattern ? this.request.id : null);
      }
      const window = track.windowAt(now);
      if (window && this.lastWindow.get(pattern) !== window) {
        this.lastWindow.set(pattern, window);
        slot.diagram.setEdgeLabels(window.metrics.edges, (m, prefix) => prefix + this.strings.get("edge-label", {
          rps: formatNumber(m.rps), err: formatNumber(m.err_pct), p50: formatNumber(m.p50_ms), p99: formatNumber(m.p99_ms),
        }));
      }
      const sample = track.sample;
      const label = slot.figure.querySelector("[data-role=sample]");
      const key = String(sample?.every);
      if (sample && label.dataset.every !== key) {
        label.dataset.every = key;
        label.textContent = sample.every > 1 ? this.strings.get("sample-some", { n: sample.every }) : this.strings.get("sample-all");
      }
    }
    const stamp = performance.now();
    if (force || stamp - this.lastEventsRender > 120) {
      this.lastEventsRender = stamp;
      this._refreshEvents();
      this.events.render(now, force);
      if (this.chosen && Math.abs(this.chosen.t - now) < TIME_EPSILON_S) this.events.markCurrent(this.events.indexOf(this.chosen), false);
      this._renderChart();
      this._renderBranches();
      this._renderReadoutNote(now);
    }
    const compare = this.compareId !== null ? this.store.branches.get(this.compareId) : null;
    if (this._readoutKey(branch, compare, now) !== this.readoutKey) this._renderReadouts();
    this.timeline.update(now, branch.end, branch.parent ? branch.forkAt : null);
    this.chart.update(now, [...branch.tracks.entries()].map(([p, track]) => ({ name: this.strings.get(`pattern-${p}`), window: track.windowAt(now) })));
    this._syncTime(now);
  }

  _renderChart() {
    if (!this.dirty.chart) return;
    this.dirty.chart = false;
    const branch = this.branch;
    const pairs = new Set();
    const series = [];
    for (const [pattern, track] of branch.tracks) {
      for (const w of track.windows.slice(0, 5)) for (const c of w.metrics.clients || []) pairs.add(`${c.service}|${c.to}`);
      series.push({ name: pattern, windows: track.windows, cls: pattern, dashed: false });
    }
    const compare = this.compareId !== null ? this.store.branches.get(this.compareId) : null;
    if (compare) for (const [pattern, track] of compare.tracks) series.unshift({ name: pattern, windows: track.windows, cls: pattern, dashed: true, label: this._branchName(compare) });
    this.chart.setPairs([...pairs]);
    const markers = this._allEvents().filter((e) => e.kind === "action").map((e) => ({ t: e.t, text: e.text || e.cause }));
    this.chart.draw(this.store.duration, series, markers);
  }

  _renderReadouts() {
    const host = this.el("readouts");
    if (!host) return;
    const branch = this.branch;
    const compare = this.compareId !== null ? this.store.branches.get(this.compareId) : null;
    const blocks = [];
    const now = this.clock.now;
    const shown = branch.readoutsAt(now);
    const against = compare ? compare.readoutsAt(now) : new Map();
    this.readoutKey = this._readoutKey(branch, compare, now);
    for (const [pattern, values] of shown) {
      const section = document.createElement("div");
      section.className = "readout";
      section.dataset.pattern = pattern;
      const h = document.createElement("h4");
      h.textContent = `${this.strings.get(`pattern-${pattern}`)} · ${this.strings.get("readout-at", { t: formatSeconds(values.t ?? 0) })}`;
      const table = document.createElement("table");
      const head = table.createTHead().insertRow();
      const columns = ["", this._branchName(branch)];
      if (compare) columns.push(this._branchName(compare));
      for (const text of columns) {
        const th = document.createElement("th");
        th.scope = "col";
        th.textContent = text;
        head.appendChild(th);
      }
      const body = table.createTBody();
      const rows = readoutRows(values, this.strings);
      const others = new Map(against.get(pattern) ? readoutRows(against.get(pattern), this.strings).map((r) => [r.key, r]) : []);
      for (const key of others.keys()) if (!rows.some((r) => r.key === key)) rows.push({ ...others.get(key), value: "—" });
      for (const row of rows) {
        const tr = body.insertRow();
        if (row.counter) tr.className = "readout__counter";
        const th = document.createElement("th");
        th.scope = "row";
        th.textContent = row.label;
        tr.appendChild(th);
        tr.insertCell().textContent = row.value;
        if (compare) tr.insertCell().textContent = others.get(row.key)?.value ?? "—";
      }
      section.append(h, table);
      blocks.push(section);
    }
    host.replaceChildren(...blocks);
    this.el("readouts-empty").hidden = blocks.length > 0;
    const note = this.el("readouts-playhead");
    if (note) note.hidden = blocks.length === 0;
    this._renderReadoutNote(now);
    host.dataset.at = now.toFixed(3);
  }

  // Which readouts the playhead picks; the panel is drawn again only when that changes.
  _readoutKey(branch, compare, now) {
    const key = [branch.id, compare?.id ?? "", this.lang];
    for (const source of [branch, compare]) {
      if (!source) continue;
      for (const [pattern, values] of source.readoutsAt(now)) key.push(`${pattern}@${values.t}`);
    }
    return key.join("|");
  }

  _renderReadoutNote(now) {
    const note = this.el("readouts-playhead");
    if (note) note.textContent = this.strings.get("readouts-playhead", { t: formatSeconds(now) });
  }

  _syncTime(now) {
    const time = this.el("time");
    const text = this.strings.get("time-of", { t: formatSeconds(now), d: formatSeconds(this.store.duration, 0) });
    if (time.textContent !== text) time.textContent = text;
    this.root.dataset.t = now.toFixed(3);
    const waiting = this.clock.waiting;
    if (this.root.dataset.waiting !== String(waiting)) this.root.dataset.waiting = String(waiting);
    this._syncButtons();
  }

  _syncButtons() {
    const play = this.root.querySelector("button[data-control=play]");
    const playing = String(this.clock.playing);
    if (play.getAttribute("aria-pressed") !== playing) {
      play.setAttribute("aria-pressed", playing);
      play.querySelector("[data-role=play-icon]").textContent = this.clock.playing ? "❚❚" : "▶";
      play.querySelector("[data-role=play-label]").textContent = this.strings.get(this.clock.playing ? "pause" : "play");
    }
    for (const button of this.root.querySelectorAll("button[data-control=speed]")) {
      const pressed = String(Number(button.dataset.speed) === this.clock.speed);
      if (button.getAttribute("aria-pressed") !== pressed) button.setAttribute("aria-pressed", pressed);
    }
  }
}
