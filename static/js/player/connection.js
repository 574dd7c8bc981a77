// The playground WebSocket: reconnects after a drop and asks the server to resume after the
// last frame it holds, so nothing is lost or duplicated.

const BACKOFF_MS = [250, 500, 1000, 2000, 4000];

export function wsUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

export class Connection {
  constructor(path, { onMessage, onState, resumeMessage }) {
    this.path = path;
    this.onMessage = onMessage;
    this.onState = onState;
    this.resumeMessage = resumeMessage;
    this.socket = null;
    this.queue = [];
    this.attempt = 0;
    this.closedByUs = false;
    this.everOpened = false;
  }

  open() {
    this.closedByUs = false;
    this.onState("connecting");
    const socket = new WebSocket(wsUrl(this.path));
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      const resume = this.everOpened ? this.resumeMessage() : null;
      this.everOpened = true;
      this.onState("connected");
      if (resume) socket.send(JSON.stringify(resume));
      for (const message of this.queue.splice(0)) socket.send(JSON.stringify(message));
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.onMessage(message);
    });
    socket.addEventListener("close", () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.closedByUs) {
        this.onState("closed");
        return;
      }
      this.onState("reconnecting");
      const delay = BACKOFF_MS[Math.min(this.attempt++, BACKOFF_MS.length - 1)];
      setTimeout(() => this.open(), delay);
    });
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
    else {
      this.queue.push(message);
      if (!this.socket) this.open();
    }
  }

  // For tests and for leaving the page: close without reconnecting.
  close() {
    this.closedByUs = true;
    this.socket?.close();
  }

  // Drop the connection as a network failure would (used by the reconnect test).
  drop() {
    this.socket?.close(4000, "dropped");
  }
}
