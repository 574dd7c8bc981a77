// The room's protocol over the shared socket: pings to keep presence fresh, the server's clock
// offset, and duplicate or stale state frames dropped by their sequence number. The socket
// reconnects by itself; every new connection starts with the room's hello (a full re-sync).
import { Socket, isFinalCode } from "../socket.js";

const PING_MS = 25000;
// The server closes with this when it shuts down to restart (patterns/sessions/consumers.py).
const CLOSE_RESTARTING = 4012;

export class RoomSocket {
  constructor(path, { onFrame, onStatus }) {
    this.onFrame = onFrame;
    this.onStatus = onStatus;
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
    // No queue: a command sent while down fails at once, so the page can say so.
    this.socket = new Socket(withQuery, {
      queueLimit: 0,
      isFinal: (code) => this.finished || isFinalCode(code),
      onOpen: () => {
        clearInterval(this.pinger);
        this.pinger = setInterval(() => this.send({ type: "ping" }), PING_MS);
      },
      onMessage: (frame) => this.receive(frame),
      onReconnecting: ({ code }) => {
        clearInterval(this.pinger);
        // Tries made while the server is down fail plainly; it is still restarting until back.
        if (code === CLOSE_RESTARTING) this.restarting = true;
        this.onStatus(this.restarting ? "restarting" : "reconnecting");
      },
      onClose: () => {
        clearInterval(this.pinger);
        this.onStatus("ended");
      },
    });
  }

  start() {
    this.onStatus("connecting");
    this.socket.open();
  }

  receive(frame) {
    if (frame.server_ms) this.offsetMs = frame.server_ms - Date.now();
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

  // True when the frame went out; false while the connection is down.
  send(frame) {
    return this.socket.send(frame);
  }

  serverNow() {
    return Date.now() + this.offsetMs;
  }
}
