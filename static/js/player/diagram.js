// One inlined graphviz SVG: state classes on the stable ids, edge geometry for the dots,
// per-edge metric labels, highlights. Ids repeat when four diagrams share a page, so every
// lookup goes through this diagram's own map rather than document.getElementById.

const SVG_NS = "http://www.w3.org/2000/svg";
const SAMPLES = 48;

export function svgElement(name, attrs = {}, parent = null) {
  const element = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attrs)) element.setAttribute(key, value);
  if (parent) parent.appendChild(element);
  return element;
}

// Parse in an inert document and drop anything the CSP would refuse once the SVG is live.
function parseSvg(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  const svg = doc.documentElement;
  if (svg.nodeName !== "svg") throw new Error("not an SVG document");
  for (const bad of svg.querySelectorAll("script, foreignObject")) bad.remove();
  for (const element of [svg, ...svg.querySelectorAll("*")]) {
    for (const attr of [...element.attributes]) {
      if (attr.name === "style" || attr.name.startsWith("on")) element.removeAttribute(attr.name);
    }
  }
  return document.importNode(svg, true);
}

// The badge each state writes into a task, as {state, badge} entries, most severe first: the
// server's table (patterns/player/states.py), which the player partial carries as JSON, so the
// player, the legend and a lesson's static diagram draw the same glyphs.
export function serverBadges(scope = document) {
  const script = scope.querySelector("#player-badges") || document.getElementById("player-badges");
  return script ? JSON.parse(script.textContent) : [];
}

// When a task carries several states, the first of `badges` it has wins: the most severe one.
export function badgeFor(classList, badges) {
  for (const { state, badge } of badges) if (classList.contains(state)) return badge;
  return "";
}

export function edgeEnds(edgeId) {
  const [a, b] = edgeId.replace(/^edge-/, "").split("--");
  return [a, b];
}

export class Diagram {
  constructor(container, svgText, { label = "", badges = null } = {}) {
    this.container = container;
    this.badges = badges || serverBadges(container.closest("[data-role=player]") || document);
    this.svg = parseSvg(svgText);
    this.svg.removeAttribute("width");
    this.svg.removeAttribute("height");
    // A group, not an image: the tasks and AZs inside are buttons (the fault palette), and the
    // children of role="img" would be hidden from screen readers.
    this.svg.setAttribute("role", "group");
    if (label) this.svg.setAttribute("aria-label", label);
    this.svg.classList.add("diagram-svg");
    container.replaceChildren(this.svg);
    this.graph = this.svg.querySelector("g.graph") || this.svg;
    this.byId = new Map();
    for (const element of this.svg.querySelectorAll("[id]")) this.byId.set(element.id, element);
    this.initialClass = new Map();
    for (const [id, element] of this.byId) this.initialClass.set(id, element.getAttribute("class") || "");
    this.geometry = new Map();
    this.stateIndex = 0;
    this.highlighted = [];
    this.activeHops = new Set();
    this.overlay = svgElement("g", { class: "player-overlay" }, this.graph);
    this.labelLayer = svgElement("g", { class: "edge-labels", "aria-hidden": "true" }, this.overlay);
    this.dotLayer = svgElement("g", { class: "dots", "aria-hidden": "true" }, this.overlay);
    this.labels = new Map();
  }

  el(id) {
    return this.byId.get(id) || null;
  }

  // The tasks and AZ groups a learner can click for the fault palette.
  targets() {
    return [...this.byId.values()].filter((e) => /^task-|^svc-.+-az-/.test(e.id));
  }

  // A lookup table of points along an edge's path, built once: getPointAtLength per animation
  // frame for 200 dots would cost more than the rest of the frame together.
  pathPoints(edgeId) {
    let points = this.geometry.get(edgeId);
    if (points !== undefined) return points;
    const path = this.el(edgeId)?.querySelector("path");
    points = null;
    if (path) {
      const length = path.getTotalLength();
      points = new Float32Array((SAMPLES + 1) * 2);
      for (let i = 0; i <= SAMPLES; i++) {
        const p = path.getPointAtLength((length * i) / SAMPLES);
        points[i * 2] = p.x;
        points[i * 2 + 1] = p.y;
      }
    }
    this.geometry.set(edgeId, points);
    return points;
  }

  // Position at fraction f (0..1) of an edge; dir -1 walks it from head to tail.
  pointOn(edgeId, f, dir, out) {
    const points = this.pathPoints(edgeId);
    if (!points) return false;
    const g = Math.min(1, Math.max(0, dir < 0 ? 1 - f : f)) * SAMPLES;
    const i = Math.min(SAMPLES - 1, Math.floor(g));
    const r = g - i;
    out.x = points[i * 2] + (points[i * 2 + 2] - points[i * 2]) * r;
    out.y = points[i * 2 + 1] + (points[i * 2 + 3] - points[i * 2 + 1]) * r;
    return true;
  }

  // Apply the recorded state changes up to time t. Forward moves are incremental; going back
  // restores the classes the SVG was served with and replays from the start.
  applyStates(states, t) {
    let i = this.stateIndex;
    if (i > states.length || (i > 0 && states[i - 1].t > t)) {
      this.resetStates();
      i = 0;
    }
    while (i < states.length && states[i].t <= t) {
      const change = states[i];
      const element = this.el(change.el);
      if (element) {
        for (const name of change.remove || []) element.classList.remove(name);
        for (const name of change.add || []) element.classList.add(name);
      }
      i++;
    }
    if (i !== this.stateIndex) this.updateBadges();
    this.stateIndex = i;
  }

  updateBadges() {
    for (const badge of this.svg.querySelectorAll("g[id^='task-'] > text.badge")) {
      const glyph = badgeFor(badge.parentNode.classList, this.badges);
      if (badge.textContent !== glyph) badge.textContent = glyph;
    }
  }

  resetStates() {
    for (const [id, cls] of this.initialClass) {
      const element = this.byId.get(id);
      const keep = [...element.classList].filter((c) => c === "highlight" || c === "hop-active" || c.startsWith("hop-"));
      element.setAttribute("class", cls);
      for (const c of keep) element.classList.add(c);
    }
    this.stateIndex = 0;
  }

  highlight(ids) {
    for (const element of this.highlighted) element.classList.remove("highlight");
    this.highlighted = [];
    for (const id of ids || []) {
      const element = this.el(id);
      if (element) {
        element.classList.add("highlight");
        this.highlighted.push(element);
      }
    }
  }

  // Reduced motion: mark the edges requests are on instead of moving a dot along them.
  setActiveHops(hops) {
    for (const [id, outcome] of this.activeHops) {
      if (hops.get(id) === outcome) continue;
      this.el(id)?.classList.remove("hop-active", `hop-${outcome}`);
    }
    for (const [id, outcome] of hops) this.el(id)?.classList.add("hop-active", `hop-${outcome}`);
    this.activeHops = hops;
  }

  // Per-edge labels: rps · error % · p50/p99. A call between services (edge-svc-a--svc-b) has
  // no path of its own, so its label sits under the callee's cluster, one line per caller.
  setEdgeLabels(edges, format) {
    const seen = new Set();
    const stacked = new Map();
    for (const [id, m] of Object.entries(edges || {})) {
      if (!m || !m.rps) continue;
      const at = this._labelPoint(id, stacked);
      if (!at) continue;
      seen.add(id);
      let label = this.labels.get(id);
      if (!label) {
        label = svgElement("text", { class: "edge-label", "text-anchor": "middle" }, this.labelLayer);
        label.dataset.edge = id;
        this.labels.set(id, label);
      }
      label.setAttribute("x", at.x.toFixed(1));
      label.setAttribute("y", at.y.toFixed(1));
      label.classList.toggle("edge-label--errors", Boolean(m.err_pct));
      label.textContent = format(m, at.prefix);
    }
    for (const [id, label] of this.labels) {
      if (!seen.has(id)) {
        label.remove();
        this.labels.delete(id);
      }
    }
  }

  _labelPoint(id, stacked) {
    const mid = { x: 0, y: 0 };
    if (this.pointOn(id, 0.5, 1, mid)) return { x: mid.x, y: mid.y - 3, prefix: "" };
    const [a, b] = edgeEnds(id);
    const callee = this.el(b);
    if (!callee || typeof callee.getBBox !== "function") return null;
    const box = callee.getBBox();
    const n = stacked.get(b) || 0;
    stacked.set(b, n + 1);
    return { x: box.x + box.width / 2, y: box.y + box.height + 9 + n * 10, prefix: `${a.replace(/^svc-/, "")} → ${b.replace(/^svc-/, "")}: ` };
  }

}
