// The room's WebSocket: reconnects by itself with capped, jittered back-off, pings to keep
// presence fresh, and drops duplicate or stale state frames by their sequence number.

const CLOSE_FORBIDDEN = 4403;
const CLOSE_NOT_FOUND = 4404;
const CLOSE_ENDED = 4410;
const PING_MS = 25000;
const MAX_DELAY_MS = 8000;

function wsUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

// Delay before reconnect attempt n (0-based): 0.4 s doubling up to 8 s, each scaled by a
// random 0.5–1.0 so 300 phones do not all knock at the same instant after a restart.
export function backoff(attempt, random = Math.random) {
  return Math.min(MAX_DELAY_MS, 400 * 2 ** attempt) * (0.5 + random() / 2);
}

export class RoomSocket {
  constructor(path, { onFrame, onStatus }) {
    this.path = path;
    this.onFrame = onFrame;
    this.onStatus = onStatus;
    this.attempt = 0;
    this.seq = -1;
    this.offsetMs = 0; // server clock minus this device's clock
    this.finished = false;
    this.socket = null;
    this.pinger = null;
  }

  start() {
    this.onStatus("connecting");
    this.open();
  }

  open() {
    const socket = new WebSocket(wsUrl(this.path));
    this.socket = socket;
    socket.addEventListener("message", (event) => this.receive(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => this.closed(event.code));
    socket.addEventListener("open", () => {
      this.attempt = 0;
      clearInterval(this.pinger);
      this.pinger = setInterval(() => this.send({ type: "ping" }), PING_MS);
    });
  }

  receive(frame) {
    if (frame.server_ms) this.offsetMs = frame.server_ms - Date.now();
    if (frame.type === "hello") {
      this.seq = frame.seq;
      this.onStatus("connected");
    } else if (frame.type === "state") {
      if (frame.seq <= this.seq) return; // already applied (a duplicate after a resync)
      if (frame.seq > this.seq + 1) {
        // A gap: something was missed while reconnecting. Ask for the whole state again.
        this.send({ type: "sync" });
        return;
      }
      this.seq = frame.seq;
    } else if (frame.type === "ended") {
      this.finished = true;
    }
    this.onFrame(frame);
  }

  closed(code) {
    clearInterval(this.pinger);
    if (this.finished || code === CLOSE_ENDED) {
      this.finished = true;
      this.onStatus("ended");
      return;
    }
    if (code === CLOSE_FORBIDDEN || code === CLOSE_NOT_FOUND) {
      this.onStatus("ended");
      return;
    }
    this.onStatus("reconnecting");
    const delay = backoff(this.attempt);
    this.attempt = Math.min(this.attempt + 1, 10);
    setTimeout(() => this.open(), delay);
  }

  send(frame) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  serverNow() {
    return Date.now() + this.offsetMs;
  }
}
