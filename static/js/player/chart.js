// The clients-over-time chart, drawn by uPlot (vendored in static/vendor/uplot/): client success
// rate (top) and p99 latency on a log scale (bottom) for one caller → callee pair, one line per
// pattern, each pattern with its own colour AND point shape, the compared branch dashed, actions
// as markers. Hover shows what the engine counted in that window; drag across a plot to zoom into
// a time span, double-click to see the whole run again, click to jump there.
// It plots what the engine counted per window; positions are uPlot's, the only arithmetic here is
// ok / requests as a percentage.

import uPlot from "../../vendor/uplot/uPlot.esm.js";
import { formatSeconds } from "./strings.js";

// A pattern is told apart by its shape as well as its colour (the key shows the same glyph).
const SHAPES = { elb: "circle", "app-mesh": "square", "service-discovery": "triangle", "service-connect": "diamond" };
const GLYPHS = { circle: "●", square: "■", triangle: "▲", diamond: "◆" };
const POINT_GAP_PX = 26;    // shapes at most this close on a line, so dense runs stay readable
const AXIS_PX = 52;         // both y axes equally wide, so the two plots line up in time
const DRAG_MIN_PX = 6;      // a shorter drag is a click (jump), not a zoom

let chartCount = 0;

function shapeOf(pattern) {
  return SHAPES[pattern] || "circle";
}

// uPlot's points path builder, drawing a shape instead of its circle at every point that is at
// least POINT_GAP_PX (CSS px) right of the last one drawn.
function shapePoints(shape) {
  return (u, seriesIdx, idx0, idx1) => {
    const path = new Path2D();
    const r = 4 * uPlot.pxRatio;
    const xs = u.data[0];
    const ys = u.data[seriesIdx];
    const scale = u.series[seriesIdx].scale;
    let last = -Infinity;
    for (let i = idx0; i <= idx1; i++) {
      if (ys[i] == null) continue;
      const x = u.valToPos(xs[i], "x", true);
      if (x - last < POINT_GAP_PX * uPlot.pxRatio) continue;
      last = x;
      const y = u.valToPos(ys[i], scale, true);
      if (shape === "square") path.rect(x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7);
      else if (shape === "triangle") {
        path.moveTo(x, y - r * 1.1);
        path.lineTo(x + r, y + r * 0.8);
        path.lineTo(x - r, y + r * 0.8);
        path.closePath();
      } else if (shape === "diamond") {
        path.moveTo(x, y - r * 1.15);
        path.lineTo(x + r, y);
        path.lineTo(x, y + r * 1.15);
        path.lineTo(x - r, y);
        path.closePath();
      } else {
        path.moveTo(x + r, y);
        path.arc(x, y, r, 0, Math.PI * 2);
      }
    }
    return { stroke: path, fill: path, clip: null, flags: 0 };
  };
}

function formatMs(ms) {
  if (ms == null) return "—";
  return Number.isInteger(ms) ? String(ms) : ms.toFixed(ms < 10 ? 2 : 1);
}

function formatPercent(value) {
  if (value == null) return "—";
  return value === 100 || value === 0 ? String(value) : value.toFixed(1);
}

export class Chart {
  constructor(root, strings, onSeek) {
    this.root = root;
    this.strings = strings;
    this.onSeek = onSeek;
    this.plots = root.querySelector("[data-role=chart-plots]");
    this.pairSelect = root.querySelector("select[data-role=pair]");
    this.readout = root.querySelector("[data-role=chart-readout]");
    this.key = root.querySelector("[data-role=chart-key]");
    this.plots.setAttribute("aria-label", strings.get("chart-title"));
    this.syncKey = `kumoben-chart-${++chartCount}`;
    this.charts = [];          // [success, latency] uPlot instances
    this.signature = "";
    this.duration = 1;
    this.zoom = null;          // [min, max] while zoomed in, else the whole run
    this.series = [];
    this.rows = [];            // rows[series][index] = {w, c} behind each plotted point
    this.markers = [];
    this.pair = "";
    this.hoverIdx = null;
    this.now = 0;
    this.current = [];
    this.pairSelect.addEventListener("change", () => {
      this.pair = this.pairSelect.value;
      this.onChange?.();
    });
    this.resize = new ResizeObserver(() => this._fit());
    this.resize.observe(this.plots);
  }

  setPairs(pairs) {
    const have = [...this.pairSelect.options].map((o) => o.value).join("|");
    if (have === pairs.join("|")) return;
    this.pairSelect.replaceChildren(...pairs.map((p) => new Option(p.replace("|", " → "), p)));
    if (!pairs.includes(this.pair)) this.pair = pairs.find((p) => p.endsWith("|inventory")) || pairs[0] || "";
    this.pairSelect.value = this.pair;
  }

  // series: [{name, windows, dashed, cls, label}] ; markers: [{t, text}]
  draw(duration, series, markers) {
    if (Math.max(duration, 0.001) !== this.duration) this.zoom = null;   // another run: all of it
    this.duration = Math.max(duration, 0.001);
    this.series = series;
    this.markers = markers;
    const [caller, callee] = this.pair.split("|");
    const byT = series.map((s) => {
      const rows = new Map();
      for (const w of s.windows) {
        const c = (w.metrics.clients || []).find((r) => r.service === caller && r.to === callee);
        if (c && c.requests > 0) rows.set(w.t0, { w, c });
      }
      return rows;
    });
    const xs = [...new Set(byT.flatMap((rows) => [...rows.keys()]))].sort((a, b) => a - b);
    this.rows = byT.map((rows) => xs.map((t) => rows.get(t) || null));
    let maxLatency = 1;
    let minLatency = Infinity;
    for (const rows of this.rows) {
      for (const r of rows) {
        if (!r || r.c.p99_ms == null) continue;
        maxLatency = Math.max(maxLatency, r.c.p99_ms);
        minLatency = Math.min(minLatency, Math.max(1, r.c.p99_ms));
      }
    }
    // Log scale from the power of ten below the fastest window to a little above the slowest.
    this.latencyRange = [10 ** Math.floor(Math.log10(Math.min(minLatency, maxLatency))), maxLatency * 1.2];
    const success = [xs, ...this.rows.map((rows) => rows.map((r) => (r ? (100 * r.c.ok) / r.c.requests : null)))];
    const latency = [xs, ...this.rows.map((rows) => rows.map((r) => (r && r.c.p99_ms != null ? Math.max(1, r.c.p99_ms) : null)))];
    const signature = [this.pair, ...series.map((s) => `${s.name}/${s.dashed}/${s.label || ""}`)].join("|");
    if (signature !== this.signature || !this.charts.length) {
      this.signature = signature;
      this._build(success, latency);
    } else {
      this.charts[0].setData(success, false);
      this.charts[1].setData(latency, false);
      this.charts[1].setScale("ms", { min: this.latencyRange[0], max: this.latencyRange[1] });
    }
    this._applyX();
    this._drawKey();
    this._showReadout();
  }

  // Move the playhead and say, in words, what the engine counted in the current window
  // (while the pointer is over the chart the readout follows the pointer instead).
  update(now, current) {
    this.now = now;
    this.current = current;
    for (const u of this.charts) {
      const line = u.root.querySelector(".chart__playhead");
      const [min, max] = [u.scales.x.min, u.scales.x.max];
      const inside = min != null && now >= min && now <= max;
      line.hidden = !inside;
      if (inside) line.style.transform = `translateX(${u.valToPos(now, "x").toFixed(1)}px)`;
    }
    if (this.hoverIdx === null) this._showReadout();
  }

  _build(success, latency) {
    for (const u of this.charts) u.destroy();
    this.plots.replaceChildren();
    const css = getComputedStyle(this.root);
    const colour = (name) => css.getPropertyValue(`--${name}`).trim() || css.color;
    const ink = css.getPropertyValue("--ink-soft").trim() || css.color;
    const grid = css.getPropertyValue("--line").trim() || "#ddd";
    const bad = css.getPropertyValue("--bad").trim() || "#b00";
    const font = `12px ${css.fontFamily}`;
    const width = Math.max(200, this.plots.clientWidth);
    const phone = width < 480;
    const seriesOpts = (scale, unit) => this.series.map((s, i) => ({
      label: this._seriesName(s),
      scale,
      stroke: colour(s.cls),
      width: s.dashed ? 1.5 : 2,
      dash: s.dashed ? [6, 4] : undefined,
      alpha: s.dashed ? 0.65 : 1,
      spanGaps: true,
      points: { show: true, size: 8, width: 1, fill: colour(s.cls), stroke: colour(s.cls), paths: shapePoints(shapeOf(s.name)) },
      value: (u, v, si, idx) => (idx == null ? "" : unit(this.rows[i][idx])),
    }));
    const markerHook = (withGlyph) => (u) => this._drawMarkers(u, bad, withGlyph);
    const common = (title, scale, unit, yOpts, xAxis) => ({
      title,
      width,
      height: phone ? 130 : 150,
      legend: { show: false },
      padding: [8, 24, xAxis ? 0 : 10, 0],   // fixed, so both plots' time axes line up
      cursor: {
        y: false,
        sync: { key: this.syncKey },
        drag: { x: true, y: false, dist: DRAG_MIN_PX, setScale: false },   // setSelect zooms both
        bind: { dblclick: () => null },   // our own double-click resets both plots to the whole run
      },
      scales: { x: { time: false, auto: false }, [scale]: yOpts },
      axes: [
        { show: xAxis, stroke: ink, font, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid }, values: (u, splits) => splits.map((v) => this.strings.seconds(v, 0)) },
        {
          scale, stroke: ink, font, size: AXIS_PX, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid },
          // uPlot leaves a log axis's crowded splits null: those get no label.
          values: (u, splits) => splits.map((v) => (v == null ? "" : yOpts.distr === 3 ? this.strings.get("unit-ms-tick", { n: v }) : `${v} %`)),
        },
      ],
      series: [{ label: "t" }, ...seriesOpts(scale, unit)],
      hooks: {
        draw: [markerHook(!xAxis)],
        setSelect: [(u) => this._zoomed(u)],
        setCursor: [(u) => this._hover(u.cursor.idx)],
      },
    });
    const top = new uPlot(common(this.strings.get("chart-success"), "pct", (r) => (r ? `${formatPercent((100 * r.c.ok) / r.c.requests)} %` : "—"),
      { auto: false, range: [0, 100] }, false), success, this.plots);
    const bottom = new uPlot(common(this.strings.get("chart-latency"), "ms", (r) => (r ? this.strings.get("unit-ms", { n: formatMs(r.c.p99_ms) }) : "—"),
      { distr: 3, log: 10, auto: false, range: () => this.latencyRange }, true), latency, this.plots);
    this.charts = [top, bottom];
    for (const u of this.charts) {
      const line = document.createElement("div");
      line.className = "chart__playhead";
      line.hidden = true;
      u.over.append(line);
      let downX = null;
      u.over.addEventListener("mousedown", (e) => (downX = e.clientX));
      u.over.addEventListener("click", (e) => {
        if (downX === null || Math.abs(e.clientX - downX) >= DRAG_MIN_PX) return;
        this.onSeek(Math.max(0, u.posToVal(u.cursor.left, "x")));
      });
      u.over.addEventListener("dblclick", () => {
        this.zoom = null;
        this._applyX();
      });
      u.over.addEventListener("mouseleave", () => this._hover(null));
    }
  }

  _fit() {
    const width = this.plots.clientWidth;
    if (!width) return;
    for (const u of this.charts) if (Math.abs(u.width - width) > 1) u.setSize({ width, height: u.height });
  }

  // The x range: the zoomed span, else the whole run.
  _applyX() {
    const [min, max] = this.zoom || [0, this.duration];
    for (const u of this.charts) u.setScale("x", { min, max });
    this.root.dataset.zoomed = this.zoom ? "true" : "false";
    this.update(this.now, this.current);
  }

  // A drag across either plot selected a span: zoom both plots to it and drop the selection.
  _zoomed(u) {
    const { left, width } = u.select;
    if (width < DRAG_MIN_PX) return;
    const min = Math.max(0, u.posToVal(left, "x"));
    const max = Math.min(this.duration, u.posToVal(left + width, "x"));
    for (const chart of this.charts) chart.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    if (max - min < 1e-6) return;
    this.zoom = [min, max];
    this._applyX();
  }

  _hover(idx) {
    const next = idx == null ? null : idx;
    if (next === this.hoverIdx) return;
    this.hoverIdx = next;
    this._drawKeyValues();
    this._showReadout();
  }

  _drawMarkers(u, colour, withGlyph) {
    const ctx = u.ctx;
    const { top, height } = u.bbox;
    ctx.save();
    ctx.strokeStyle = colour;
    ctx.fillStyle = colour;
    ctx.lineWidth = uPlot.pxRatio;
    ctx.setLineDash([3 * uPlot.pxRatio, 2 * uPlot.pxRatio]);
    for (const marker of this.markers) {
      if (marker.t < u.scales.x.min || marker.t > u.scales.x.max) continue;
      const x = Math.round(u.valToPos(marker.t, "x", true));
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      if (withGlyph) {
        // A flag on the top plot (the readout says ⚡ and what the action was).
        const r = 5 * uPlot.pxRatio;
        ctx.beginPath();
        ctx.moveTo(x - r, top);
        ctx.lineTo(x + r, top);
        ctx.lineTo(x, top + r * 1.6);
        ctx.closePath();
        ctx.fill();
      }
    }
    ctx.restore();
  }

  _seriesName(s) {
    return `${this.strings.get(`pattern-${s.name}`)}${s.dashed ? ` (${s.label || this.strings.get("compare-branch")})` : ""}`;
  }

  // Which line is which: the pattern's colour, its shape and, for the compared branch, a dashed
  // swatch; while hovering, each item also shows that window's success rate and p99.
  _drawKey() {
    if (!this.key) return;
    const items = this.series.map((s) => {
      const li = document.createElement("li");
      li.dataset.pattern = s.name;
      if (s.dashed) li.dataset.compare = "true";
      const swatch = document.createElement("span");
      swatch.className = `chart__swatch chart__swatch--${s.cls}${s.dashed ? " chart__swatch--compare" : ""}`;
      swatch.setAttribute("aria-hidden", "true");
      swatch.textContent = GLYPHS[shapeOf(s.name)];
      const value = document.createElement("span");
      value.className = "chart__value";
      value.dataset.role = "chart-value";
      li.append(swatch, ` ${this._seriesName(s)} `, value);
      return li;
    });
    this.key.replaceChildren(...items);
    this._drawKeyValues();
  }

  _drawKeyValues() {
    if (!this.key) return;
    const values = this.key.querySelectorAll("[data-role=chart-value]");
    this.series.forEach((s, i) => {
      const row = this.hoverIdx === null ? null : this.rows[i]?.[this.hoverIdx];
      const text = row ? this.strings.get("chart-value", {
        ok: formatPercent((100 * row.c.ok) / row.c.requests), p99: formatMs(row.c.p99_ms),
      }) : "";
      if (values[i] && values[i].textContent !== text) values[i].textContent = text;
    });
  }

  // The readout: the hovered window when the pointer is on the chart, else the playhead's window.
  _showReadout() {
    const [caller, callee] = this.pair.split("|");
    const parts = [];
    const say = (name, window, c) => this.strings.get("chart-readout", {
      pattern: name, t0: formatSeconds(window.t0, 0), t1: formatSeconds(window.t1, 0),
      caller, callee, requests: c.requests, ok: c.ok, errors: c.errors, p50: c.p50_ms ?? "—", p99: c.p99_ms ?? "—",
    });
    if (this.hoverIdx !== null) {
      let span = null;
      this.series.forEach((s, i) => {
        const row = this.rows[i]?.[this.hoverIdx];
        if (!row) return;
        span = span || row.w;
        parts.push(say(this._seriesName(s), row.w, row.c));
      });
      if (span) {
        for (const m of this.markers) if (m.t >= span.t0 && m.t < span.t1) parts.push(`⚡ ${this.strings.seconds(m.t)}: ${m.text}`);
      }
    } else {
      for (const { name, window } of this.current) {
        const c = window && (window.metrics.clients || []).find((r) => r.service === caller && r.to === callee);
        if (c) parts.push(say(name, window, c));
      }
    }
    const text = parts.join(" · ");
    this.root.dataset.readout = this.hoverIdx === null ? "playhead" : "hover";
    if (this.readout.textContent !== text) this.readout.textContent = text;
  }
}
