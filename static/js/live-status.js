// The live-connection indicator: opens the status WebSocket, pings once, shows the result.
// State is told by text and by the icon's shape (● connected, ✕ closed), not by colour alone.
import { Socket } from "./socket.js";

const ICONS = { connecting: "○", connected: "●", closed: "✕" };

function show(element, state) {
  const texts = document.getElementById("live-status-texts");
  const label = texts?.content.querySelector(`[data-state="${state}"]`);
  element.dataset.state = state;
  element.querySelector(".live-status__icon").textContent = ICONS[state];
  const text = element.querySelector(".live-status__text");
  if (label) text.textContent = label.textContent;
  text.dataset.state = state;
}

export function startLiveStatus(element) {
  // The indicator reports on one connection: any close is final, shown as closed.
  const socket = new Socket(element.dataset.wsPath, {
    isFinal: () => true,
    onMessage: (frame) => {
      if (frame.type === "hello") {
        element.dataset.layer = frame.layer;
        socket.send({ type: "ping", id: 1 });
      } else if (frame.type === "pong") {
        show(element, "connected");
      }
    },
    onClose: () => show(element, "closed"),
  });
  socket.open();
  return socket;
}
