// A small SVG chart over time: client success rate (top) and p99 latency (bottom) for one
// caller → callee pair, one line per pattern, the compared branch dashed, actions as markers.
// It plots what the engine counted per window; positions are the only arithmetic here.

import { svgElement } from "./diagram.js";
import { formatSeconds } from "./strings.js";

const W = 640;
const H = 220;
const PAD_L = 44;
const PAD_R = 8;
const TOP = [10, 92];     // success panel y range
const BOTTOM = [122, 200]; // latency panel y range

export class Chart {
  constructor(root, strings, onSeek) {
    this.root = root;
    this.strings = strings;
    this.svg = root.querySelector("svg");
    this.svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    this.pairSelect = root.querySelector("select[data-role=pair]");
    this.readout = root.querySelector("[data-role=chart-readout]");
    this.key = root.querySelector("[data-role=chart-key]");
    this.cursor = null;
    this.duration = 1;
    this.series = [];
    this.pair = "";
    this.pairSelect.addEventListener("change", () => {
      this.pair = this.pairSelect.value;
      this.onChange?.();
    });
    this.svg.addEventListener("click", (e) => {
      const box = this.svg.getBoundingClientRect();
      const x = ((e.clientX - box.left) / box.width) * W;
      onSeek(Math.max(0, ((x - PAD_L) / (W - PAD_L - PAD_R)) * this.duration));
    });
  }

  x(t) {
    return PAD_L + ((W - PAD_L - PAD_R) * t) / this.duration;
  }

  setPairs(pairs) {
    const have = [...this.pairSelect.options].map((o) => o.value).join("|");
    if (have === pairs.join("|")) return;
    this.pairSelect.replaceChildren(...pairs.map((p) => new Option(p.replace("|", " → "), p)));
    if (!pairs.includes(this.pair)) this.pair = pairs.find((p) => p.endsWith("|inventory")) || pairs[0] || "";
    this.pairSelect.value = this.pair;
  }

  // series: [{name, windows, dashed, cls}] ; markers: [{t, text}]
  draw(duration, series, markers) {
    this.duration = Math.max(duration, 0.001);
    this.series = series;
    const svg = this.svg;
    svg.replaceChildren();
    svgElement("title", {}, svg).textContent = this.strings.get("chart-title");
    this._axes(series);
    for (const marker of markers) {
      const x = this.x(marker.t).toFixed(1);
      svgElement("line", { class: "chart__marker", x1: x, x2: x, y1: TOP[0], y2: BOTTOM[1] }, svg);
      const label = svgElement("text", { class: "chart__marker-label", x, y: TOP[0] + 8 }, svg);
      label.textContent = "⚡";
      svgElement("title", {}, label).textContent = `${formatSeconds(marker.t)} s: ${marker.text}`;
    }
    const [caller, callee] = this.pair.split("|");
    let maxLatency = 1;
    const points = series.map((s) => {
      const rows = [];
      for (const w of s.windows) {
        const c = (w.metrics.clients || []).find((r) => r.service === caller && r.to === callee);
        if (c && c.requests > 0) rows.push({ t: w.t0, w, c });
      }
      for (const r of rows) maxLatency = Math.max(maxLatency, r.c.p99_ms || 0);
      return rows;
    });
    const logMax = Math.log10(maxLatency * 1.2);
    const yLatency = (ms) => BOTTOM[1] - ((BOTTOM[1] - BOTTOM[0]) * Math.log10(Math.max(1, ms))) / logMax;
    const ySuccess = (c) => TOP[1] - ((TOP[1] - TOP[0]) * c.ok) / c.requests;
    series.forEach((s, i) => {
      const rows = points[i];
      if (!rows.length) return;
      const success = rows.map((r) => `${this.x(r.t).toFixed(1)},${ySuccess(r.c).toFixed(1)}`).join(" ");
      const latency = rows.map((r) => `${this.x(r.t).toFixed(1)},${yLatency(r.c.p99_ms).toFixed(1)}`).join(" ");
      const cls = `chart__line chart__line--${s.cls}${s.dashed ? " chart__line--compare" : ""}`;
      svgElement("polyline", { class: cls, points: success }, svg);
      svgElement("polyline", { class: cls, points: latency }, svg);
    });
    this._drawKey(series);
    const tick = svgElement("text", { class: "chart__axis", x: PAD_L - 4, y: BOTTOM[0] + 4, "text-anchor": "end" }, svg);
    tick.textContent = `${Math.round(maxLatency * 1.2)} ms`;
    this.cursor = svgElement("line", { class: "chart__cursor", y1: TOP[0], y2: BOTTOM[1] }, svg);
    this.points = points;
  }

  // Which line is which: the pattern's colour and, for the compared branch, a dashed swatch.
  _drawKey(series) {
    if (!this.key) return;
    const items = series.map((s) => {
      const li = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = `chart__swatch chart__swatch--${s.cls}${s.dashed ? " chart__swatch--compare" : ""}`;
      swatch.setAttribute("aria-hidden", "true");
      li.append(swatch, ` ${this.strings.get(`pattern-${s.name}`)}${s.dashed ? ` (${s.label || this.strings.get("compare-branch")})` : ""}`);
      return li;
    });
    this.key.replaceChildren(...items);
  }

  _axes() {
    const svg = this.svg;
    for (const [y0, y1] of [TOP, BOTTOM]) {
      svgElement("rect", { class: "chart__panel", x: PAD_L, y: y0, width: W - PAD_L - PAD_R, height: y1 - y0 }, svg);
    }
    const labels = [
      [TOP[0] + 4, "100 %"], [TOP[1], "0 %"], [BOTTOM[1], "1 ms"],
    ];
    for (const [y, text] of labels) {
      const label = svgElement("text", { class: "chart__axis", x: PAD_L - 4, y: y + 3, "text-anchor": "end" }, svg);
      label.textContent = text;
    }
    const title1 = svgElement("text", { class: "chart__title", x: PAD_L + 4, y: TOP[1] - 4 }, svg);
    title1.textContent = this.strings.get("chart-success");
    const title2 = svgElement("text", { class: "chart__title", x: PAD_L + 4, y: BOTTOM[1] - 4 }, svg);
    title2.textContent = this.strings.get("chart-latency");
    for (let i = 0; i <= 4; i++) {
      const t = (this.duration * i) / 4;
      const label = svgElement("text", { class: "chart__axis", x: this.x(t), y: H - 4, "text-anchor": "middle" }, svg);
      label.textContent = `${formatSeconds(t, 0)} s`;
    }
  }

  // Move the cursor and say, in words, what the engine counted in the current window.
  update(now, current) {
    if (!this.cursor) return;
    const x = this.x(now).toFixed(1);
    this.cursor.setAttribute("x1", x);
    this.cursor.setAttribute("x2", x);
    const [caller, callee] = this.pair.split("|");
    const parts = [];
    for (const { name, window } of current) {
      const c = window && (window.metrics.clients || []).find((r) => r.service === caller && r.to === callee);
      if (!c) continue;
      parts.push(this.strings.get("chart-readout", {
        pattern: name, t0: formatSeconds(window.t0, 0), t1: formatSeconds(window.t1, 0),
        caller, callee, requests: c.requests, ok: c.ok, errors: c.errors, p50: c.p50_ms ?? "—", p99: c.p99_ms ?? "—",
      }));
    }
    const text = parts.join(" · ");
    if (this.readout.textContent !== text) this.readout.textContent = text;
  }
}
