// Buffered frames, per branch and per pattern. The browser computes nothing about the system:
// it only files what the engine recorded so that any virtual time can be shown again.

import { TIME_EPSILON_S } from "./clock.js";

// First index i in the sorted array `items` with key(items[i]) > t (items before it are <= t).
export function upperBound(items, t, key) {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const byT = (item) => item.t;
const dotStart = (dot) => dot.t[0];

function insertSorted(items, item, key) {
  if (!items.length || key(items[items.length - 1]) <= key(item)) items.push(item);
  else items.splice(upperBound(items, key(item), key), 0, item);
}

// One pattern's recording in one branch.
export class Track {
  constructor(pattern) {
    this.pattern = pattern;
    this.dots = [];
    this.states = [];
    this.events = [];
    this.windows = [];  // {t0, t1, metrics, sample}
    this.dotsById = new Map();  // request id -> its attempts (one dot each)
    this.dotKeys = new Set();
    this.end = 0;       // buffered up to this virtual time
    this.maxDotSpan = 0;
    this.sample = null;
    this.skipBefore = -Infinity;  // a fork's copied past: drop re-sent items before it
    this.topologies = [];  // [{t, url}]: the diagram to show from time t on (scale-out re-lays out)
    this.deployments = [];  // [{t, w, list}]: the engine's deployments at the end of a window
  }

  // The deployments the engine reported last at or before t (frames carry them only while one
  // runs, and once when it ends).
  deploymentsAt(t) {
    const i = upperBound(this.deployments, t + TIME_EPSILON_S, byT) - 1;
    return i >= 0 ? this.deployments[i] : null;
  }

  addTopology(t, url) {
    if (!url) return;
    const last = this.topologies[this.topologies.length - 1];
    if (last && last.url === url) return;
    if (last && last.t >= t) this.topologies = this.topologies.filter((x) => x.t < t);
    this.topologies.push({ t, url });
  }

  // A window older than those held (a study session's screen that joined with a snapshot and
  // fetched earlier windows): its diagram goes in time order, keeping the later ones.
  insertTopology(t, url) {
    if (this.topologies.some((x) => x.t === t)) return;
    insertSorted(this.topologies, { t, url }, (x) => x.t);
  }

  // What the windows before a snapshot leave standing (patterns/sessions/stream.py, _Base): each
  // element's net state change, the diagram and the deployments, marked `base` until the
  // windows themselves arrive (forgetBase).
  addBase(base) {
    for (const change of base.states || []) insertSorted(this.states, { ...change, base: true, w: -1 }, byT);
    if (base.svg) this.insertTopology(base.svg.t, base.svg.url);
    if (base.deployments) {
      const d = base.deployments;
      this.deployments = this.deployments.filter((x) => x.t !== d.t);
      insertSorted(this.deployments, { t: d.t, w: d.w, list: d.list }, byT);
    }
  }

  forgetBase() {
    this.states = this.states.filter((change) => !change.base);
  }

  topologyAt(t) {
    const i = upperBound(this.topologies, t + TIME_EPSILON_S, (x) => x.t) - 1;
    return (this.topologies[Math.max(0, i)] || {}).url || null;
  }

  addFrame(frame) {
    // The engine stamps times rounded to the microsecond, so an item at the fork time itself may
    // read a hair below the client's unrounded fork time (45.498 < 45.49800000000009).
    const keep = (t) => t >= this.skipBefore - 1e-6;
    // Each item remembers the window that brought it, so a rewind can drop exactly those.
    for (const dot of frame.dots || []) {
      if (!keep(dot.t[0]) || this.dotKeys.has(`${dot.id}:${dot.attempts}`)) continue;
      dot.w = frame.t0;
      this._addDot(dot);
    }
    for (const [items, list] of [[frame.states, this.states], [frame.events, this.events]]) {
      for (const item of items || []) {
        if (!keep(item.t)) continue;
        item.w = frame.t0;
        insertSorted(list, item, byT);
      }
    }
    const existing = this.windows.findIndex((w) => w.t0 === frame.t0);
    const window = { t0: frame.t0, t1: frame.t1, metrics: frame.metrics || {}, sample: frame.sample };
    if (existing >= 0) this.windows[existing] = window;
    else insertSorted(this.windows, window, (w) => w.t0);
    if (frame.sample && !frame.older) this.sample = frame.sample;
    if (frame.svg_url) {
      if (frame.older) this.insertTopology(frame.t0, frame.svg_url);
      else this.addTopology(frame.t0, frame.svg_url);
    }
    if (frame.deployments && keep(frame.t1)) {
      this.deployments = this.deployments.filter((d) => d.t !== frame.t1);
      insertSorted(this.deployments, { t: frame.t1, w: frame.t0, list: frame.deployments }, byT);
    }
    this.end = Math.max(this.end, frame.t1);
  }

  _addDot(dot) {
    insertSorted(this.dots, dot, dotStart);
    const attempts = this.dotsById.get(dot.id) || [];
    attempts.push(dot);
    attempts.sort((a, b) => (a.attempts ?? 1) - (b.attempts ?? 1));
    this.dotsById.set(dot.id, attempts);
    this.dotKeys.add(`${dot.id}:${dot.attempts}`);
    this.maxDotSpan = Math.max(this.maxDotSpan, dot.t[dot.t.length - 1] - dot.t[0]);
  }

  // A rewind (the shared run of a study session, after an instructor's action): forget what the
  // windows from `t0` on brought; they are sent again.
  truncateFrom(t0) {
    const kept = (item) => !(item.w >= t0);
    const dots = this.dots.filter(kept);
    this.dots = [];
    this.dotsById = new Map();
    this.dotKeys = new Set();
    this.maxDotSpan = 0;
    for (const dot of dots) this._addDot(dot);
    this.states = this.states.filter(kept);
    this.events = this.events.filter(kept);
    this.windows = this.windows.filter((w) => w.t0 < t0);
    this.topologies = this.topologies.filter((x, i) => i === 0 || x.t < t0);
    this.deployments = this.deployments.filter((d) => d.w < t0);
    this.end = this.windows.length ? this.windows[this.windows.length - 1].t1 : 0;
  }

  // A fork's track starts as a copy of its parent's recording before `at`.
  copyBefore(parent, at) {
    for (const dot of parent.dots) if (dot.t[0] < at) this._addDot(dot);
    this.states = parent.states.filter((s) => s.t < at);
    this.events = parent.events.filter((e) => e.t < at);
    this.windows = parent.windows.filter((w) => w.t1 <= at);
    this.sample = parent.sample;
    this.topologies = parent.topologies.filter((x) => x.t < at);
    this.deployments = parent.deployments.filter((d) => d.t <= at);
    this.end = this.windows.length ? this.windows[this.windows.length - 1].t1 : 0;
    this.skipBefore = at;
  }

  eventCountAt(t) {
    return upperBound(this.events, t, byT);
  }

  windowAt(t) {
    const i = upperBound(this.windows, t, (w) => w.t0) - 1;
    return i >= 0 ? this.windows[i] : null;
  }

  // Dots whose (display) flight overlaps time t; `stretch` extends each dot's span.
  dotsAround(t, stretch) {
    const found = [];
    const last = upperBound(this.dots, t, dotStart);
    const earliest = t - this.maxDotSpan - stretch;
    for (let i = last - 1; i >= 0; i--) {
      const dot = this.dots[i];
      if (dot.t[0] < earliest) break;
      found.push(dot);
    }
    return found;
  }

  requestEvents(requestId) {
    return this.events.filter((e) => e.request === requestId);
  }
}

// One line of history: the original run (branch 0) or a fork.
export class Branch {
  constructor(id, { parent = null, forkAt = null, action = null, log = [] } = {}) {
    this.id = id;
    this.parent = parent;
    this.forkAt = forkAt;
    this.action = action;
    this.log = log;          // the action log that reproduces this branch
    this.tracks = new Map();
    this.readouts = new Map();
    this.lastSeq = -1;
    this.seqs = [];          // every frame seq received, in order (the reconnect test reads it)
  }

  track(pattern) {
    let track = this.tracks.get(pattern);
    if (!track) {
      track = new Track(pattern);
      const parentTrack = this.parent?.tracks.get(pattern);
      if (parentTrack) track.copyBefore(parentTrack, this.forkAt);
      this.tracks.set(pattern, track);
    }
    return track;
  }

  // Drop the frames from `seq` on (the window starting at `t`): they are about to be re-sent.
  // pattern -> the latest readouts computed at or before t (patterns with none yet are left out).
  readoutsAt(t) {
    const at = new Map();
    for (const [pattern, list] of this.readouts) {
      let found = null;
      for (const values of list) if ((values.t ?? Infinity) <= t + 1e-6) found = values;
      if (found) at.set(pattern, found);
    }
    return at;
  }

  truncate(seq, t) {
    for (const track of this.tracks.values()) track.truncateFrom(t);
    for (const [pattern, list] of this.readouts) this.readouts.set(pattern, list.filter((v) => (v.t ?? Infinity) <= t));
    this.seqs = this.seqs.filter((s) => s < seq);
    this.lastSeq = Math.min(this.lastSeq, seq - 1);
  }

  get end() {
    let end = Infinity;
    for (const track of this.tracks.values()) end = Math.min(end, track.end);
    return Number.isFinite(end) ? end : 0;
  }
}

export class RunStore {
  constructor() {
    this.reset();
  }

  reset(run = null) {
    this.run = run;
    this.hello = null;
    this.duration = 0;
    this.patterns = [];
    this.branches = new Map();
    this.pendingFork = null;
    this.branches.set(0, new Branch(0));
  }

  branch(id) {
    let branch = this.branches.get(id);
    if (!branch) {
      const fork = this.pendingFork || {};
      const parent = this.branches.get(fork.parent ?? Math.max(...this.branches.keys()));
      branch = new Branch(id, {
        parent,
        forkAt: fork.at ?? 0,
        action: fork.action ?? null,
        log: fork.log ?? [],
      });
      this.branches.set(id, branch);
      this.pendingFork = null;
    }
    return branch;
  }

  addFrame(frame) {
    const branch = this.branch(frame.branch ?? 0);
    if (typeof frame.seq === "number") {
      branch.lastSeq = Math.max(branch.lastSeq, frame.seq);
      branch.seqs.push(frame.seq);
    }
    const pattern = frame.pattern || this.patterns[0] || "elb";
    if (!this.patterns.includes(pattern)) this.patterns.push(pattern);
    branch.track(pattern).addFrame(frame);
    return branch;
  }

  // Readouts arrive every few windows: each pattern keeps them in time order, so the player can
  // show the ones as of its playhead (a later message for the same time replaces the earlier).
  addReadouts(message) {
    const branch = this.branch(message.branch ?? Math.max(...this.branches.keys()));
    const values = message.values || {};
    const t = values.t ?? Infinity;
    const list = branch.readouts.get(message.pattern) || [];
    const i = list.findIndex((v) => (v.t ?? Infinity) >= t);
    if (i < 0) list.push(values);
    else if ((list[i].t ?? Infinity) === t) list[i] = values;
    else list.splice(i, 0, values);
    branch.readouts.set(message.pattern, list);
    return branch;
  }
}
