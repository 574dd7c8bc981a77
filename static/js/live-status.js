// The live-connection indicator: opens the status WebSocket, pings once, shows the result.
// State is told by text and by the icon's shape (● connected, ✕ closed), not by colour alone.

const ICONS = { connecting: "○", connected: "●", closed: "✕" };

function wsUrl(path) {
  const scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${window.location.host}${path}`;
}

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
  const socket = new WebSocket(wsUrl(element.dataset.wsPath));
  socket.addEventListener("message", (event) => {
    const frame = JSON.parse(event.data);
    if (frame.type === "hello") {
      element.dataset.layer = frame.layer;
      socket.send(JSON.stringify({ type: "ping", id: 1 }));
    } else if (frame.type === "pong") {
      show(element, "connected");
    }
  });
  socket.addEventListener("close", () => show(element, "closed"));
  return socket;
}
