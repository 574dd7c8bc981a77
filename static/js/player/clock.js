// Virtual time driven by requestAnimationFrame. The clock never runs past what has been
// buffered: while live, it waits for the next frame instead of inventing time.

// Two times closer than this (seconds) are the same moment: sums of window lengths and speeds
// come a hair off the times the engine wrote.
export const TIME_EPSILON_S = 1e-9;

// The speeds on offer are the speed buttons the server rendered (patterns/catalog.py SPEEDS),
// slowest first; the script keeps no list of its own.
export function speedsIn(root) {
  return [...root.querySelectorAll("button[data-control=speed]")].map((b) => Number(b.dataset.speed));
}

export class Clock {
  constructor(onTick) {
    this.onTick = onTick;
    this.now = 0;
    this.speed = 1;
    this.playing = false;
    this.limit = 0;
    this.duration = 0;
    this.last = null;
    this.frame = null;
    this.tick = this.tick.bind(this);
  }

  start() {
    if (this.frame === null) this.frame = requestAnimationFrame(this.tick);
  }

  stop() {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
  }

  tick(stamp) {
    if (this.playing && this.last !== null) {
      const dt = Math.min(0.25, (stamp - this.last) / 1000);
      this.now = Math.min(this.now + dt * this.speed, this.limit);
    }
    this.last = stamp;
    this.onTick(this.now, stamp);
    this.frame = requestAnimationFrame(this.tick);
  }

  get waiting() {
    return this.playing && this.now >= this.limit && this.limit < this.duration;
  }

  get ended() {
    return this.duration > 0 && this.now >= this.duration - TIME_EPSILON_S;
  }

  // A clock that has played into its end stops there and reads the duration itself: within
  // TIME_EPSILON_S of it counts as the end (see ended), and a float sum a hair short of it
  // (239.99999999999997 s of a 240 s run) is not what the time shows. True when it stopped now.
  stopAtEnd() {
    if (!this.playing || !this.ended) return false;
    this.now = this.duration;
    this.playing = false;
    return true;
  }

  seek(t) {
    this.now = Math.max(0, Math.min(t, this.limit));
  }
}
