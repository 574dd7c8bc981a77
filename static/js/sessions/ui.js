// Small helpers shared by the console, the projector and the student room.

import { TIME_EPSILON_S } from "../player/clock.js";

const ICONS = { connecting: "○", connected: "●", reconnecting: "◌", restarting: "↻", ended: "■", removed: "✕" };

export function text(key) {
  const template = document.getElementById("session-texts");
  return template?.content.querySelector(`[data-key="${key}"]`)?.textContent ?? key;
}

export function showStatus(status) {
  const element = document.getElementById("conn");
  element.dataset.state = status;
  element.querySelector(".conn__icon").textContent = ICONS[status];
  element.querySelector(".conn__text").textContent = text(status === "ended" ? "ended" : status);
}

// The clicks waiting for the connection (RoomSocket's outbox), said under the connection
// status; once the connection is back, how many went out and how many were too old to send.
const outbox = { sent: 0, dropped: 0, timer: null };
export function showOutbox({ waiting, sent, dropped }) {
  const element = document.getElementById("outbox");
  if (!element) return;
  if (waiting > 0) {
    clearTimeout(outbox.timer);
    outbox.sent = 0;
    outbox.dropped = 0;
    element.dataset.state = "waiting";
    element.textContent = `◔ ${text("outbox-waiting").replace("%s", String(waiting))}`;
    element.hidden = false;
    return;
  }
  outbox.sent += sent;
  outbox.dropped += dropped;
  if (sent === 0 && dropped === 0) {
    if (element.dataset.state === "waiting") element.hidden = true;
    return;
  }
  const said = [];
  if (outbox.sent) said.push(`✓ ${text("outbox-sent").replace("%s", String(outbox.sent))}`);
  if (outbox.dropped) said.push(`✗ ${text("outbox-dropped").replace("%s", String(outbox.dropped))}`);
  element.dataset.state = outbox.dropped ? "dropped" : "sent";
  element.textContent = said.join(" ");
  element.hidden = false;
  clearTimeout(outbox.timer);
  outbox.timer = setTimeout(() => {
    element.hidden = true;
    outbox.sent = 0;
    outbox.dropped = 0;
  }, 8000);
}

let errorTimer = null;
export function showError(frame) {
  const element = document.getElementById("command-error");
  element.textContent = `⚠ ${frame.field}: ${frame.reason}`;
  element.hidden = false;
  clearTimeout(errorTimer);
  errorTimer = setTimeout(() => { element.hidden = true; }, 6000);
}

// Slides come from the server as the same fragment the page was rendered with.
const SLIDE_RETRY_MS = 1000;

export class SlideView {
  // onShown(container): after a slide is on screen (and for the one the page was rendered with).
  constructor(root, onShown = null) {
    this.onShown = onShown;
    this.root = root;
    this.url = root.dataset.slideUrl;
    this.total = Number(root.dataset.slides) || 0;
    this.shown = Number(document.querySelector("#slide .slide")?.dataset.slide) || 1;  // on screen
    this.wanted = this.shown;  // on screen or on its way
    this.request = 0;
  }

  async show(number) {
    if (number === this.wanted) return;
    this.wanted = number;
    const ticket = ++this.request;
    try {
      const response = await fetch(this.url.replace(/\/0\/$/, `/${number}/`), {
        headers: { "HX-Request": "true" },
      });
      if (!response.ok) throw new Error(`slide ${number} answered ${response.status}`);
      const html = await response.text();
      if (ticket !== this.request) return;
      document.getElementById("slide").innerHTML = html;
      this.shown = number;
      this.onShown?.(document.getElementById("slide"));
    } catch {
      // A failed fetch (the server restarting, the network gone) is tried again until it
      // works or another slide is wanted.
      if (ticket !== this.request) return;
      this.wanted = this.shown;
      setTimeout(() => { if (ticket === this.request) this.show(number); }, SLIDE_RETRY_MS);
    }
  }
}

// The shared simulation's clock, extrapolated between frames while it plays.
export class SimClock {
  constructor(socket) {
    this.socket = socket;
    this.sim = null;
    this.run = null;
    this.duration = Infinity;  // the run's length once its hello arrives: the clock stops there
    setInterval(() => this.render(), 100);
  }

  // The run's length (sim.hello's duration_s): the shared clock stops at the end of the run.
  setDuration(run, seconds) {
    this.run = run;
    this.duration = Number.isFinite(seconds) ? seconds : Infinity;
    this.update(this.sim);
  }

  get ended() {
    return Boolean(this.sim?.run) && this.sim.run === this.run && this.now() >= this.duration - TIME_EPSILON_S;
  }

  update(sim) {
    this.sim = sim;
    if (!sim) return;
    this.shownState = null;
    this.render();
  }

  now() {
    const sim = this.sim;
    if (!sim) return 0;
    const limit = sim.run && sim.run === this.run ? this.duration : Infinity;
    if (!sim.playing) return Math.min(sim.vt, limit);
    return Math.min(limit, sim.vt + Math.max(0, this.socket.serverNow() / 1000 - sim.since) * sim.speed);
  }

  render() {
    if (!this.sim) return;
    document.getElementById("sim-clock").textContent = text("seconds").replace("{t}", this.now().toFixed(1));
    // Playing, paused, or at the end of the run (the clock has stopped there).
    const state = this.ended ? "ended" : this.sim.playing ? "playing" : "paused";
    if (state === this.shownState) return;
    this.shownState = state;
    const element = document.getElementById("sim-state");
    element.dataset.state = state;
    element.textContent = state === "ended" ? `■ ${text("run-ended")}`
      : state === "playing" ? `▶ ${text("playing")} ${this.sim.speed}×` : `❚❚ ${text("paused")}`;
  }
}

export function showHighlight(el) {
  document.getElementById("highlight-readout").textContent = el ?? "—";
}

// The server draws the histogram (tally.html, an SVG from sessions/_histogram.html); the page
// only swaps it in, parsed through a template element so no script in it could run.
export function showTally(tally) {
  const container = document.getElementById("poll-histogram");
  const template = document.createElement("template");
  template.innerHTML = tally.html;
  container.replaceChildren(template.content);
  container.dataset.answered = String(tally.answered);
}

export function showLeaders(leaders) {
  const list = document.getElementById("leaderboard");
  list.replaceChildren(
    ...leaders.map((leader) => {
      const item = document.createElement("li");
      const name = document.createElement("span");
      name.textContent = leader.nickname;
      const score = document.createElement("strong");
      score.textContent = String(leader.score);
      item.append(name, " ", score);
      return item;
    }),
  );
  list.hidden = leaders.length === 0;
}

// A poll's words in this page's language: a lesson question opened unedited carries them in
// every language (texts); anything else is shown as the instructor wrote it.
export function pollWords(poll) {
  const lang = document.documentElement.lang === "ja" ? "ja" : "en";
  const words = poll.texts?.[lang];
  return words ? { prompt: words.prompt, choices: words.choices } : { prompt: poll.prompt, choices: poll.choices };
}

// A timed poll's countdown, read from the server's clock (the socket's offset), so every screen
// reaches zero together whatever its own clock says. onChange(closed) runs when it closes.
export class Countdown {
  constructor(element, socket, onChange = () => {}) {
    this.element = element;
    this.socket = socket;
    this.onChange = onChange;
    this.closesAt = null;
    this.closed = false;
    setInterval(() => this.render(), 250);
  }

  set(poll) {
    this.closesAt = poll && poll.state === "open" ? poll.closes_at_ms ?? null : null;
    this.render();
  }

  left() {
    return this.closesAt === null ? null : Math.max(0, Math.ceil((this.closesAt - this.socket.serverNow()) / 1000));
  }

  render() {
    const left = this.left();
    this.element.hidden = left === null;
    const closed = left === 0;
    if (left !== null) {
      this.element.dataset.state = closed ? "closed" : "running";
      this.element.textContent = closed ? `■ ${text("time-up")}` : `◔ ${text("seconds-left").replace("%s", String(left))}`;
    }
    if (closed !== this.closed) {
      this.closed = closed;
      this.onChange(closed);
    }
  }
}
