// Moving request dots. While an attempt is under way it is a small ring (in flight); when the
// engine ends it, colour AND shape carry the outcome: ● ok, ◆ retried, ✕ failed with its
// code (502/503/504), ⊘ connection refused. Elements are pooled; positions come from each
// diagram's precomputed edge geometry, so a frame with 200 dots is a few hundred setAttribute calls.

import { svgElement } from "./diagram.js";

const CIRCLE = "M-5,0a5,5 0 1,0 10,0a5,5 0 1,0 -10,0Z";
const SHAPES = {
  flight: "M-4,0a4,4 0 1,0 8,0a4,4 0 1,0 -8,0Z",
  ok: CIRCLE,
  retried: "M0,-6.5L6.5,0L0,6.5L-6.5,0Z",
  failed: "M-4.5,-4.5L4.5,4.5M4.5,-4.5L-4.5,4.5",
  refused: `${CIRCLE}M-3.5,3.5L3.5,-3.5`,
};

const CODES = {
  http_500: "500", http_502: "502", http_503: "503", http_504: "504",
  connect_refused: "", connect_timeout: "T/O", timeout: "T/O", reset: "RST",
  no_healthy_upstream: "503", dns_nxdomain: "DNS",
};

// Outcome -> {kind, code}: kind picks shape and colour, code is printed beside failed dots.
export function outcomeStyle(outcome) {
  if (outcome === "ok") return { kind: "ok", code: "" };
  if (outcome === "retried") return { kind: "retried", code: "" };
  if (outcome === "connect_refused") return { kind: "refused", code: "" };
  const code = CODES[outcome] ?? (outcome.startsWith("http_") ? outcome.slice(5) : "✕");
  return { kind: "failed", code };
}

// Screen-time floor per hop: a 20 ms hop at 1× would last one animation frame, so each hop is
// drawn over at least MIN_HOP_WALL_S of screen time (labelled on the page; exact times stay in
// the event list). Example: at 2× a 20 ms hop is drawn over 0.35 × 2 = 0.7 virtual seconds.
export const MIN_HOP_WALL_S = 0.35;

// Display times of each vertex: d[0] = t[0], d[i+1] = max(t[i+1], d[i] + minHop). A vertex is
// never drawn before the engine's time, and exactly at it once the hops before leave room: a
// request sent at 30 s through an instant ALB hop and a 10 s connect timeout is drawn at the
// ALB at 30.35 s and ends (its 504) at 40 s, the engine's time; three 20 ms hops at 2× still
// take 0.7 s each.
export function displayTimes(t, minHop) {
  const d = new Array(t.length);
  d[0] = t[0];
  for (let i = 1; i < t.length; i++) d[i] = Math.max(t[i], d[i - 1] + minHop);
  return d;
}

// Which hop a dot is on at time now, and how far along it: {hop, f} or null when not in flight.
export function locate(dot, now, minHop, linger) {
  const d = displayTimes(dot.t, minHop);
  const last = d.length - 1;
  if (now < d[0] || now > d[last] + linger) return null;
  if (now >= d[last]) return { hop: last - 1, f: 1 };
  let hop = 0;
  while (hop < last - 1 && now >= d[hop + 1]) hop++;
  const span = d[hop + 1] - d[hop];
  return { hop, f: span > 0 ? (now - d[hop]) / span : 1 };
}

// How long an outcome's mark stays where the attempt ended: failures a full hop floor, so a
// learner sees them; a success half of one.
export function lingerFor(kind, minHop) {
  return kind === "ok" ? minHop / 2 : minHop;
}

// What to draw for a dot at time now: null (not on screen), or where it is and which mark. Until
// the engine's end time of the attempt the dot is "in flight" whatever its outcome: a 504 after a
// 10 s connect timeout travels (waits) for 10 s and shows its ✕ at 10 s, not when it was sent.
export function dotAt(dot, now, minHop) {
  const style = outcomeStyle(dot.outcome);
  const where = locate(dot, now, minHop, lingerFor(style.kind, minHop));
  if (!where) return null;
  const arrived = where.hop === dot.t.length - 2 && where.f >= 1;
  return { hop: where.hop, f: where.f, kind: arrived ? style.kind : "flight", code: arrived ? style.code : "" };
}

export class DotLayer {
  constructor(diagram) {
    this.diagram = diagram;
    this.pool = [];
    this.visible = 0;
    this.point = { x: 0, y: 0 };
  }

  _element(i) {
    let item = this.pool[i];
    if (!item) {
      const g = svgElement("g", { class: "dot" }, this.diagram.dotLayer);
      const shape = svgElement("path", { class: "dot__shape" }, g);
      const code = svgElement("text", { class: "dot__code", x: "7", y: "-5" }, g);
      item = { g, shape, code, kind: "", label: null, request: null };
      this.pool.push(item);
    }
    return item;
  }

  // Draw `dots` at virtual time now; returns how many are on screen.
  render(dots, now, minHop, selected) {
    let n = 0;
    const p = this.point;
    for (const dot of dots) {
      const style = dotAt(dot, now, minHop);
      const where = style;
      if (!where) continue;
      const edge = dot.path[where.hop];
      if (!this.diagram.pointOn(edge, where.f, dot.dir?.[where.hop] ?? 1, p)) continue;
      const item = this._element(n++);
      if (item.kind !== style.kind) {
        item.kind = style.kind;
        item.g.setAttribute("class", `dot dot--${style.kind}`);
        item.shape.setAttribute("d", SHAPES[style.kind]);
      }
      if (item.label !== style.code) {
        item.label = style.code;
        item.code.textContent = style.code;
      }
      if (item.request !== dot.id) {
        item.request = dot.id;
        item.g.dataset.request = dot.id;
      }
      item.g.classList.toggle("dot--selected", dot.id === selected);
      item.g.setAttribute("transform", `translate(${p.x.toFixed(1)},${p.y.toFixed(1)})`);
      if (item.hidden) {
        item.g.removeAttribute("display");
        item.hidden = false;
      }
    }
    for (let i = n; i < this.visible; i++) {
      this.pool[i].g.setAttribute("display", "none");
      this.pool[i].hidden = true;
    }
    this.visible = n;
    return n;
  }

  clear() {
    this.render([], 0, 0, null);
  }

  // Reduced motion: the edge each request is on, with its outcome, and no moving shapes.
  hops(dots, now, minHop) {
    const hops = new Map();
    for (const dot of dots) {
      const where = dotAt(dot, now, minHop);
      if (where) hops.set(dot.path[where.hop], where.kind);
    }
    return hops;
  }
}
