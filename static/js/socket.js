// The one WebSocket client every page uses: JSON frames, reconnection after a drop with
// capped, jittered exponential back-off, and a bounded queue for what is sent while the
// connection is down (delivered in order once it is back).
//
//   const socket = new Socket("/ws/playground/", { onOpen, onMessage, onReconnecting, onClose });
//   socket.open();
//   socket.send({ type: "ping" });
//
// Callbacks, all optional:
//   onConnecting({attempt})                 a WebSocket is being opened (attempt 0 is the first
//                                           since the connection last held)
//   onOpen({reconnected})                   open; reconnected is true after the first time. What
//                                           onOpen sends goes ahead of the queued messages, so a
//                                           resume or re-join frame comes first.
//   onMessage(frame)                        a parsed JSON frame (anything else is ignored)
//   onReconnecting({code, attempt, delayMs}) dropped; the next try is in delayMs
//   onClose({code})                         closed for good: by close(), or by a final code

// Close codes the server answers with when retrying cannot change the answer.
const CLOSE_FORBIDDEN = 4403;
const CLOSE_NOT_FOUND = 4404;
const CLOSE_ENDED = 4410;   // the study session is over
const CLOSE_REMOVED = 4401;  // the instructor removed this participant from the session
const FINAL_CODES = new Set([CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_ENDED, CLOSE_REMOVED]);
const CLOSE_DROPPED = 4000;  // drop(): the client hangs up as a failing network would

const DEFAULT_BACKOFF = { baseMs: 400, capMs: 8000 };
const STABLE_MS = 5000;      // open this long and the back-off starts over from the base
const QUEUE_LIMIT = 100;
const MAX_ATTEMPT = 30;      // 2 ** attempt stays a finite number

export function isFinalCode(code) {
  return FINAL_CODES.has(code);
}

function wsUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

// Delay before reconnect attempt n (0-based): the base doubling up to the cap, each scaled by
// a random 0.5–1.0 so many screens dropped by one server restart do not all knock at once.
export function backoffDelay(attempt, { baseMs, capMs } = DEFAULT_BACKOFF, random = Math.random) {
  return Math.min(capMs, baseMs * 2 ** attempt) * (0.5 + random() / 2);
}

export class Socket {
  // backoff: {baseMs, capMs}; queueLimit: messages kept while down (0: send() fails instead);
  // isFinal(code): whether a close ends the connection rather than calling for a retry.
  constructor(path, {
    backoff = DEFAULT_BACKOFF, stableMs = STABLE_MS, queueLimit = QUEUE_LIMIT, isFinal = isFinalCode,
    onConnecting = null, onOpen = null, onMessage = null, onReconnecting = null, onClose = null,
  } = {}) {
    this.path = path;
    this.backoff = backoff;
    this.stableMs = stableMs;
    this.queueLimit = queueLimit;
    this.isFinal = isFinal;
    this.handlers = { onConnecting, onOpen, onMessage, onReconnecting, onClose };
    this.state = "idle";   // idle | connecting | open | waiting | closed
    this.ws = null;
    this.queue = [];
    this.attempt = 0;
    this.everOpened = false;
    this.retryTimer = null;
    this.stableTimer = null;
  }

  open() {
    if (this.state === "connecting" || this.state === "open") return;
    clearTimeout(this.retryTimer);
    this.state = "connecting";
    this.handlers.onConnecting?.({ attempt: this.attempt });
    // A path may be a function, read at each try (a room socket names what it holds).
    const ws = new WebSocket(wsUrl(typeof this.path === "function" ? this.path() : this.path));
    this.ws = ws;
    ws.addEventListener("open", () => {
      if (this.ws !== ws) return;
      this.state = "open";
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.stableTimer = setTimeout(() => (this.attempt = 0), this.stableMs);
      this.handlers.onOpen?.({ reconnected });
      for (const message of this.queue.splice(0)) this._write(message);
    });
    ws.addEventListener("message", (event) => {
      if (this.ws !== ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      this.handlers.onMessage?.(frame);
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearTimeout(this.stableTimer);
      if (this.state === "closed" || this.isFinal(event.code)) this._finish(event.code);
      else this._retry(event.code);
    });
  }

  // True when the message went out or waits in the queue; false when it was dropped (the
  // connection is closed for good or was never opened, or the queue is full: the newest
  // message is the one refused, so what is queued keeps its order).
  send(message) {
    if (this.state === "open" && this.ws.readyState === WebSocket.OPEN) {
      this._write(message);
      return true;
    }
    // Connecting, waiting to retry, or open but already closing: keep it for the next connection.
    if (this.state !== "idle" && this.state !== "closed" && this.queue.length < this.queueLimit) {
      this.queue.push(message);
      return true;
    }
    return false;
  }

  // Close for good (no retry); onClose follows.
  close() {
    if (this.state === "closed" || this.state === "idle") return;
    clearTimeout(this.retryTimer);
    if (this.ws) {
      this.state = "closed";  // the close event reports it
      this.queue = [];
      this.ws.close();
    } else {
      this._finish(null);
    }
  }

  // Hang up as a network failure would, so a reconnect follows (used by the browser tests).
  drop() {
    this.ws?.close(CLOSE_DROPPED, "dropped");
  }

  _write(message) {
    this.ws.send(JSON.stringify(message));
  }

  _retry(code) {
    this.state = "waiting";
    const attempt = this.attempt;
    const delayMs = backoffDelay(attempt, this.backoff);
    this.attempt = Math.min(attempt + 1, MAX_ATTEMPT);
    this.handlers.onReconnecting?.({ code, attempt, delayMs });
    this.retryTimer = setTimeout(() => this.open(), delayMs);
  }

  _finish(code) {
    this.state = "closed";
    this.queue = [];
    this.handlers.onClose?.({ code });
  }
}
