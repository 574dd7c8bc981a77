// Small helpers shared by the presenter and the student room.

const ICONS = { connecting: "○", connected: "●", reconnecting: "◌", ended: "■" };

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
  constructor(root) {
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
    setInterval(() => this.render(), 100);
  }

  update(sim) {
    this.sim = sim;
    document.getElementById("sim-state").textContent = sim.playing
      ? `▶ ${text("playing")} ${sim.speed}×`
      : `❚❚ ${text("paused")}`;
    this.render();
  }

  now() {
    const sim = this.sim;
    if (!sim) return 0;
    if (!sim.playing) return sim.vt;
    return sim.vt + Math.max(0, this.socket.serverNow() / 1000 - sim.since) * sim.speed;
  }

  render() {
    if (this.sim) document.getElementById("sim-clock").textContent = `${this.now().toFixed(1)} s`;
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
