// Zoom, pan and focus for one inlined diagram. The view is the SVG's viewBox: the element keeps
// the frame's width, so zooming never makes the page scroll sideways; the frame clips instead.
//
// The first view is legible where the screen allows: on a wide frame the diagram is scaled so its
// smallest text is at least LEGIBLE_PX tall (12 px), and when that is larger than the whole
// diagram fitted to the width, the frame shows its top and says that Fit shows the rest. A phone
// gets the fitted diagram and a hint that it can be zoomed.

export const LEGIBLE_PX = 12;
// Below this frame width (CSS px) the first view fits the diagram to the width (a phone).
export const PHONE_FRAME_PX = 600;
const MAX_SCALE_OVER_LEGIBLE = 4;
const STEP = 1.25;       // one press of + or −, one wheel notch
const PAN_PX = 60;       // one arrow press, in screen pixels
const DRAG_SLOP_PX = 4;  // a press that moves less than this is a click on a task, not a drag

// The smallest text the SVG draws, in its own units (graphviz writes font-size attributes; the
// player's overlay text is sized by CSS in the same units).
export function smallestFont(svg) {
  let smallest = Infinity;
  for (const text of svg.querySelectorAll("text")) {
    if (!text.textContent.trim()) continue;
    const size = parseFloat(text.getAttribute("font-size")) || parseFloat(getComputedStyle(text).fontSize);
    if (size > 0 && size < smallest) smallest = size;
  }
  return Number.isFinite(smallest) ? smallest : 10;
}

// The services a focus keeps: the service, the ones it calls and the ones that call it.
export function focusSet(service, traffic) {
  const keep = new Set([service]);
  for (const call of traffic || []) {
    if (call.from === service) keep.add(call.to);
    if (call.to === service) keep.add(call.from);
  }
  return keep;
}

export class Viewport {
  constructor(figure, svg, { onChange = null } = {}) {
    this.figure = figure;
    this.frame = figure.querySelector("[data-role=svg]");
    this.svg = svg;
    this.onChange = onChange;
    const box = svg.viewBox.baseVal;
    this.full = box && box.width ? { x: box.x, y: box.y, w: box.width, h: box.height } : svg.getBBox();
    this.minFont = smallestFont(svg);
    this.pointers = new Map();
    this.focused = "";
    this._bind();
    this.reset();
  }

  get legibleScale() {
    return LEGIBLE_PX / this.minFont;
  }

  get fitScale() {
    return this.width / this.full.w;
  }

  // The tallest the frame may grow: most of the screen (half of it in a lesson-sized player, so
  // its scrubber and Play stay in view under it), never less than 20rem.
  get maxHeight() {
    const share = this.figure.closest(".player--compact") ? 0.5 : 0.72;
    return Math.max(320, Math.round(window.innerHeight * share));
  }

  // The first view: legible on a wide frame, fitted on a phone.
  reset() {
    this.width = this.frame.clientWidth || this.full.w;
    const phone = this.width < PHONE_FRAME_PX;
    const scale = phone ? this.fitScale : Math.max(this.fitScale, this.legibleScale);
    this.height = Math.min(this.full.h * scale, this.maxHeight);
    this.scale = scale;
    this.cx = this.full.x + this.full.w / 2;
    this.cy = this.full.y + this.height / scale / 2;  // the top of the diagram
    this.mode = phone ? "fit" : scale > this.fitScale + 1e-6 ? "legible" : "fit";
    this._apply();
  }

  // The whole diagram in the frame, whatever its text size.
  fit() {
    this.width = this.frame.clientWidth || this.full.w;
    const scale = Math.min(this.fitScale, this.maxHeight / this.full.h);
    this.height = this.full.h * scale;
    this.scale = scale;
    this.cx = this.full.x + this.full.w / 2;
    this.cy = this.full.y + this.full.h / 2;
    this.mode = "fit";
    this._apply();
  }

  // Bring `element` into the middle of a view that shows only part of the diagram, at the same
  // zoom (a lesson player opens on the task its step is about).
  centerOn(element) {
    if (!element || this.figure.dataset.view === "whole") return;
    const screen = this.svg.getScreenCTM();
    const own = element.getScreenCTM();
    if (!screen || !own) return;
    const box = element.getBBox();
    const middle = new DOMPoint(box.x + box.width / 2, box.y + box.height / 2).matrixTransform(screen.inverse().multiply(own));
    this.cx = middle.x;
    this.cy = middle.y;
    this._apply();
  }

  // Zoom by `factor` keeping the diagram point under (px, py) (frame pixels) where it is.
  zoom(factor, px = this.width / 2, py = this.height / 2) {
    const min = Math.min(this.fitScale, this.maxHeight / this.full.h);
    const max = Math.max(this.legibleScale * MAX_SCALE_OVER_LEGIBLE, min);
    const scale = Math.min(max, Math.max(min, this.scale * factor));
    if (Math.abs(scale - this.scale) < 1e-9) return;
    const x = this.cx + (px - this.width / 2) / this.scale;
    const y = this.cy + (py - this.height / 2) / this.scale;
    if (this.height < this.maxHeight && scale > this.scale) {
      this.height = Math.min(this.full.h * scale, this.maxHeight);
    }
    this.scale = scale;
    this.cx = x - (px - this.width / 2) / scale;
    this.cy = y - (py - this.height / 2) / scale;
    this.mode = "zoomed";
    this._apply();
  }

  pan(dx, dy) {
    this.cx += dx / this.scale;
    this.cy += dy / this.scale;
    if (this.mode === "fit") this.mode = "zoomed";
    this._apply();
  }

  // Dim everything but `service`, its callers and its callees ("" clears the focus).
  focus(service, traffic) {
    this.focused = service || "";
    const keep = this.focused ? focusSet(this.focused, traffic) : null;
    this.svg.classList.toggle("diagram--focus", keep !== null);
    for (const element of this.svg.querySelectorAll("[data-svc], [data-from]")) {
      let kept = true;
      if (keep) {
        if (element.dataset.svc) kept = keep.has(element.dataset.svc);
        else kept = [element.dataset.from, element.dataset.to].every((s) => keep.has(s) || !s || /^alb|^r53|^cloudmap/.test(s));
      }
      element.classList.toggle("is-focus", Boolean(keep) && kept);
    }
    this.figure.dataset.focus = this.focused;
    this.onChange?.(this);
  }

  // The diagram's smallest text as drawn now, in CSS pixels.
  smallestTextPx() {
    return this.minFont * this.scale;
  }

  _clamp() {
    const halfW = this.width / this.scale / 2;
    const halfH = this.height / this.scale / 2;
    const { x, y, w, h } = this.full;
    this.cx = w <= halfW * 2 ? x + w / 2 : Math.min(x + w - halfW, Math.max(x + halfW, this.cx));
    this.cy = h <= halfH * 2 ? y + h / 2 : Math.min(y + h - halfH, Math.max(y + halfH, this.cy));
  }

  _apply() {
    this._clamp();
    const w = this.width / this.scale;
    const h = this.height / this.scale;
    this.svg.setAttribute("viewBox", `${(this.cx - w / 2).toFixed(2)} ${(this.cy - h / 2).toFixed(2)} ${w.toFixed(2)} ${h.toFixed(2)}`);
    this.svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    this.svg.style.height = `${Math.round(this.height)}px`;
    const whole = w >= this.full.w - 0.5 && h >= this.full.h - 0.5;
    this.figure.dataset.view = whole ? "whole" : this.mode;
    this.figure.dataset.scale = this.scale.toFixed(3);
    this.figure.dataset.small = String(this.smallestTextPx() < LEGIBLE_PX - 0.01);
    const level = this.figure.querySelector("[data-role=zoom-level]");
    if (level) level.textContent = `${Math.round(this.scale * 100)} %`;
    this.onChange?.(this);
  }

  _frameXY(event) {
    const rect = this.frame.getBoundingClientRect();
    return [event.clientX - rect.left, event.clientY - rect.top];
  }

  _bind() {
    const frame = this.frame;
    this._onKey = (e) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const pan = { ArrowLeft: [-PAN_PX, 0], ArrowRight: [PAN_PX, 0], ArrowUp: [0, -PAN_PX], ArrowDown: [0, PAN_PX] }[e.key];
      if (e.key === "+" || e.key === "=") this.zoom(STEP);
      else if (e.key === "-" || e.key === "_") this.zoom(1 / STEP);
      else if (e.key === "0" || e.key === "f" || e.key === "F") this.fit();
      else if (pan) this.pan(...pan);
      else return;
      // The player's own keys (+/− speed, ←/→ events) stay for the rest of the page.
      e.preventDefault();
      e.stopPropagation();
    };
    frame.addEventListener("keydown", this._onKey);
    // A wheel zooms when the diagram has focus or with Ctrl (a trackpad pinch); otherwise the page
    // scrolls as usual, so reading a lesson never gets caught in a diagram.
    this._onWheel = (e) => {
      if (!e.ctrlKey && !frame.contains(document.activeElement)) return;
      e.preventDefault();
      this.zoom(e.deltaY < 0 ? STEP : 1 / STEP, ...this._frameXY(e));
    };
    frame.addEventListener("wheel", this._onWheel, { passive: false });
    frame.addEventListener("pointerdown", (e) => {
      if (e.pointerType === "mouse" && e.button !== 0) return;
      this.pointers.set(e.pointerId, { x: e.clientX, y: e.clientY, x0: e.clientX, y0: e.clientY });
      this.dragged = false;
    });
    frame.addEventListener("pointermove", (e) => {
      const p = this.pointers.get(e.pointerId);
      if (!p) return;
      if (this.pointers.size === 2) {
        const [a, b] = [...this.pointers.values()];
        const before = Math.hypot(a.x - b.x, a.y - b.y);
        p.x = e.clientX;
        p.y = e.clientY;
        const after = Math.hypot(a.x - b.x, a.y - b.y);
        const rect = frame.getBoundingClientRect();
        if (before > 0) this.zoom(after / before, (a.x + b.x) / 2 - rect.left, (a.y + b.y) / 2 - rect.top);
        this.dragged = true;
        e.preventDefault();
        return;
      }
      if (!this.dragged && Math.hypot(e.clientX - p.x0, e.clientY - p.y0) < DRAG_SLOP_PX) return;
      if (this.mode === "fit" || this.figure.dataset.view === "whole") return;  // nothing to pan to
      if (!this.dragged) frame.setPointerCapture?.(e.pointerId);
      this.dragged = true;
      this.pan(p.x - e.clientX, p.y - e.clientY);
      p.x = e.clientX;
      p.y = e.clientY;
    });
    const up = (e) => {
      this.pointers.delete(e.pointerId);
    };
    frame.addEventListener("pointerup", up);
    frame.addEventListener("pointercancel", up);
    // The click that ends a drag is not a click on the task under it.
    frame.addEventListener("click", (e) => {
      if (this.dragged) {
        e.stopPropagation();
        e.preventDefault();
        this.dragged = false;
      }
    }, true);
  }
}
