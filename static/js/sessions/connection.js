// The room's protocol over the shared socket: pings to keep presence fresh, the server's clock
// offset, and duplicate or stale state frames dropped by their sequence number. The socket
// reconnects by itself; every new connection starts with the room's hello (a full re-sync).
//
// Clicks (instructor commands, a student's answer) go through request(): each gets an id of its
// own and waits in the outbox until the server answers for that id (done, answered or error).
// While the connection is down they wait there, and every new connection sends them again, in
// order; the server does each id once (patterns/sessions/receipts.py), so one that was already
// done before the drop is answered, not repeated (review D13).
import { Socket, isFinalCode } from "../socket.js";

const PING_MS = 25000;
// At most this many clicks wait for the connection (the server takes bursts of 20 frames).
export const OUTBOX_LIMIT = 16;
// A click that waited longer than this is dropped when the connection is back: two minutes on,
// moving the class is more likely to surprise than to help.
export const OUTBOX_MAX_AGE_MS = 120000;
const REPLIES = new Set(["done", "answered", "error"]);
// The server closes with this when it shuts down to restart (patterns/sessions/consumers.py).
const CLOSE_RESTARTING = 4012;
// The instructor removed this participant: told so, never reconnected.
const CLOSE_REMOVED = 4401;

// A click's id: 16 random bytes as base64url (22 characters). getRandomValues, unlike
// randomUUID, works on plain-http pages too (a classroom server on a LAN address).
export function clickId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export class RoomSocket {
  // onOutbox({waiting, sent, dropped}): the clicks waiting for the connection, those the server
  // took after waiting (their replies also reach onFrame), those dropped as too old.
  constructor(path, { onFrame, onStatus, onOutbox = null }) {
    this.onFrame = onFrame;
    this.onStatus = onStatus;
    this.onOutbox = onOutbox;
    this.outbox = new Map(); // id -> {frame, at, waited}: sent or not, no reply yet
    this.seq = -1;
    this.offsetMs = 0; // server clock minus this device's clock
    this.finished = false;
    this.restarting = false; // closed by a server shutting down to restart, not yet back
    this.pinger = null;
    // Extra query parameters for the next connection: the shared run names the frames it holds
    // (sim.js), so a reconnect is sent only what it missed.
    this.resumeQuery = () => "";
    const withQuery = () => {
      const extra = this.resumeQuery();
      return extra ? `${path}${path.includes("?") ? "&" : "?"}${extra}` : path;
    };
    // No queue in the socket: clicks wait in the outbox (request), with their ids; pings and
    // follow frames are not kept (a new connection re-establishes them).
    this.socket = new Socket(withQuery, {
      queueLimit: 0,
      isFinal: (code) => this.finished || isFinalCode(code),
      onOpen: () => {
        clearInterval(this.pinger);
        this.pinger = setInterval(() => this.send({ type: "ping" }), PING_MS);
        this._flush();
      },
      onMessage: (frame) => this.receive(frame),
      onReconnecting: ({ code }) => {
        clearInterval(this.pinger);
        for (const entry of this.outbox.values()) entry.waited = true;
        this._report();
        // Tries made while the server is down fail plainly; it is still restarting until back.
        if (code === CLOSE_RESTARTING) this.restarting = true;
        this.onStatus(this.restarting ? "restarting" : "reconnecting");
      },
      onClose: ({ code } = {}) => {
        clearInterval(this.pinger);
        this.outbox.clear();
        this._report();
        this.onStatus(code === CLOSE_REMOVED ? "removed" : "ended");
      },
    });
  }

  start() {
    this.onStatus("connecting");
    this.socket.open();
  }

  receive(frame) {
    if (frame.server_ms) this.offsetMs = frame.server_ms - Date.now();
    if (REPLIES.has(frame.type) && typeof frame.id === "string") this._replied(frame);
    if (frame.type === "hello") {
      this.seq = frame.seq;
      this.restarting = false;
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

  // True when the frame went out; false while the connection is down (pings, follow, sync:
  // what a reconnect re-establishes by itself).
  send(frame) {
    return this.socket.send(frame);
  }

  // A click: "sent" (on its way), "queued" (waits for the connection), "full" (too many wait
  // already: not kept) or "ended" (the session is over: not kept). The frame gets its id
  // (frame.id). replaces(frame) picks waiting clicks this one makes pointless (an earlier
  // answer to the same poll).
  request(frame, replaces = null) {
    if (this.finished || this.socket.state === "closed") return "ended";
    if (replaces) {
      for (const [id, entry] of this.outbox) if (replaces(entry.frame)) this.outbox.delete(id);
    }
    if (this.outbox.size >= OUTBOX_LIMIT) return "full";
    const id = clickId();
    const entry = { frame: Object.assign(frame, { id }), at: Date.now(), waited: false };
    this.outbox.set(id, entry);
    const sent = this.socket.send(entry.frame);
    entry.waited = !sent;
    this._report();
    return sent ? "sent" : "queued";
  }

  // Every click without a reply goes (again) on a new connection, oldest first; those that
  // waited too long are dropped and counted.
  _flush() {
    const now = Date.now();
    let dropped = 0;
    for (const [id, entry] of this.outbox) {
      if (now - entry.at > OUTBOX_MAX_AGE_MS) {
        this.outbox.delete(id);
        dropped += 1;
      } else {
        this.socket.send(entry.frame);
      }
    }
    this._report({ dropped });
  }

  _replied(frame) {
    const entry = this.outbox.get(frame.id);
    if (!entry) return;
    this.outbox.delete(frame.id);
    this._report({ sent: entry.waited ? 1 : 0 });
  }

  waiting() {
    return this.outbox.size;
  }

  _report({ sent = 0, dropped = 0 } = {}) {
    const down = this.socket.state !== "open";
    this.onOutbox?.({ waiting: down ? this.outbox.size : 0, sent, dropped });
  }

  serverNow() {
    return Date.now() + this.offsetMs;
  }
}
