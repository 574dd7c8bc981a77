// The instructor's console: sends the commands and shows the lobby, polls and results. The
// projector screen (projector.js) follows the same room state.
import { RoomSocket } from "./connection.js";
import {
  Countdown, SimClock, SlideView, showError, showHighlight, showLeaders, showOutbox, showStatus, showTally, text,
} from "./ui.js";
import { SharedSim } from "./sim.js";

const root = document.getElementById("presenter");
const slides = new SlideView(root);
const socket = new RoomSocket(root.dataset.wsPath, { onFrame, onStatus: showStatus, onOutbox: showOutbox });
const clock = new SimClock(socket);
const shared = new SharedSim({ role: "instructor", socket, clock });
const countdown = new Countdown(document.getElementById("poll-countdown"), socket);
let state = null;
// The slide last asked for: a clicker pressed twice before the first answer arrives still
// moves two slides.
let target = null;

// Every command is a click with an id of its own: while the connection is down it waits, said
// under the connection status, and goes once the connection is back (RoomSocket.request).
function send(frame) {
  const outcome = socket.request(frame);
  if (outcome === "full") showError({ field: "connection", reason: text("outbox-full") });
  else if (outcome === "ended") showError({ field: "connection", reason: text("ended") });
}

function goTo(slide, step = 0) {
  const last = slides.total || 500;
  target = Math.min(Math.max(1, slide), last);
  send({ type: "slide", slide: target, step });
  syncControls();
}

// A control that would change nothing is disabled (and says so to a screen reader): no previous
// slide on the first, no step back at step 0, no pause while paused, nothing to clear, no second
// reveal. A disabled control that had the focus hands it to its partner, so a keyboard user goes on.
function enable(command, on, partner) {
  const button = document.querySelector(`[data-command="${command}"]`);
  if (!on && document.activeElement === button && partner) {
    document.querySelector(`[data-command="${partner}"]`).focus();
  }
  button.disabled = !on;
}

function syncControls() {
  if (!state) return;
  const slide = current();
  enable("prev", slide > 1, "next");
  enable("next", !slides.total || slide < slides.total, "prev");
  enable("step-back", state.step > 0, "step-next");
  enable("play", !state.sim.playing, "pause");
  enable("pause", state.sim.playing, "play");
  enable("unhighlight", Boolean(state.highlight));
  if (state.poll) enable("poll.reveal", state.poll.state !== "revealed", "poll.close");
}

function current() {
  return target ?? state.slide;
}

const COMMANDS = {
  prev: () => goTo(current() - 1),
  next: () => goTo(current() + 1),
  "step-back": () => goTo(state.slide, Math.max(0, state.step - 1)),
  "step-next": () => goTo(state.slide, state.step + 1),
  play: () => send({ type: "play" }),
  pause: () => send({ type: "pause" }),
  unhighlight: () => send({ type: "highlight", el: null }),
  "poll.reveal": () => send({ type: "poll.reveal" }),
  "poll.close": () => send({ type: "poll.close" }),
};

function applyState(next) {
  state = next;
  if (target === next.slide) target = null;
  slides.show(next.slide);
  document.getElementById("step-readout").textContent = String(next.step);
  showHighlight(next.highlight);
  clock.update(next.sim);
  // After the clock: the shared player syncs to the clock's new anchors at once.
  shared.state(next.sim);
  document.getElementById("sim-speed").value = String(next.sim.speed);
  const poll = next.poll;
  document.getElementById("poll-form").hidden = poll !== null;
  document.getElementById("poll-live").hidden = poll === null;
  if (poll) {
    document.getElementById("poll-live-prompt").textContent = `Q${poll.number}. ${poll.prompt}`;
    const revealed = poll.state === "revealed";
    // What the room sees of this poll now: the answer hidden, or shown on every screen.
    const line = document.getElementById("poll-live-state");
    line.dataset.state = poll.state;
    line.textContent = `${revealed ? "✓" : "◉"} ${text(revealed ? "poll-revealed" : "poll-open")}`;
  }
  countdown.set(poll);
  showLock(Boolean(next.locked));
  syncControls();
}

function showLobby(lobby) {
  document.getElementById("count-joined").textContent = String(lobby.joined);
  document.getElementById("count-online").textContent = String(lobby.online);
  document.getElementById("count-following").textContent = String(lobby.following);
  document.getElementById("lobby-list").replaceChildren(
    ...lobby.participants.map((person) => {
      const item = document.createElement("li");
      const status = person.following ? "following" : person.online ? "online" : "offline";
      item.dataset.state = status;
      const name = document.createElement("span");
      name.className = "lobby__name";
      name.textContent = person.nickname;
      const label = document.createElement("span");
      label.className = "visually-hidden";
      const said = text(status === "following" ? "following" : status === "online" ? "not-following-short" : "offline");
      // Japanese text takes full-width brackets with no space before them.
      label.textContent = document.documentElement.lang === "ja" ? `（${said}）` : ` (${said})`;
      name.append(label);
      item.append(name, removeButton(person));
      return item;
    }),
  );
}

function removeButton(person) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "lobby__remove";
  button.dataset.remove = String(person.id);
  button.dataset.nickname = person.nickname;
  button.dataset.testid = "remove";
  button.setAttribute("aria-label", text("remove-name").replace("{name}", person.nickname));
  const icon = document.createElement("span");
  icon.setAttribute("aria-hidden", "true");
  icon.textContent = "✕";
  button.append(icon);
  return button;
}

// The lobby lock: the button says what a click does, the line below says how the lobby is.
function showLock(locked) {
  const button = document.getElementById("lobby-lock");
  button.dataset.locked = String(locked);
  button.querySelector(".lobby__lock-icon").textContent = locked ? "🔓" : "🔒";
  button.querySelector(".lobby__lock-text").textContent = text(locked ? "unlock" : "lock");
  document.getElementById("lobby-lock-state").textContent = text(locked ? "lobby-locked" : "lobby-open");
}

document.getElementById("lobby-lock").addEventListener("click", (event) => {
  send({ type: "lobby", locked: event.currentTarget.dataset.locked !== "true" });
});

// Removing someone asks first (a modal dialog: Esc or Cancel keeps them, focus returns).
const removeDialog = document.getElementById("remove-dialog");
let removing = null;
document.getElementById("lobby-list").addEventListener("click", (event) => {
  const button = event.target.closest("[data-remove]");
  if (!button) return;
  removing = { id: Number(button.dataset.remove), opener: button };
  document.getElementById("remove-title").textContent = text("remove-title").replace("{name}", button.dataset.nickname);
  removeDialog.returnValue = "";
  removeDialog.showModal();
});
removeDialog.addEventListener("close", () => {
  if (removeDialog.returnValue === "remove" && removing) send({ type: "remove", participant: removing.id });
  if (removing?.opener.isConnected) removing.opener.focus();
  else document.getElementById("lobby-lock").focus();
  removing = null;
});

function onFrame(frame) {
  if (shared.handle(frame)) return;
  if (frame.type === "hello") target = null;
  if (frame.type === "hello" || frame.type === "state") applyState(frame.state);
  else if (frame.type === "lobby") showLobby(frame);
  else if (frame.type === "tally") {
    document.getElementById("poll-answered").textContent = String(frame.answered);
    showTally(frame);
  } else if (frame.type === "leaderboard") showLeaders(frame.leaders);
  else if (frame.type === "error") {
    target = null;
    showError(frame);
  }
}

// The lesson question the form was last filled from: sent along, the server shows it in each
// student's language when the form still says exactly what the lesson does.
let preset = null;

function pollFrame(form) {
  const data = new FormData(form);
  const frame = { type: "poll.open", kind: data.get("kind"), prompt: data.get("prompt"), scored: data.get("scored") === "on" };
  const seconds = String(data.get("seconds") ?? "").trim();
  // Sent as typed: the server says why a timer it cannot take is refused.
  if (seconds !== "") frame.seconds = /^\d+$/.test(seconds) ? Number(seconds) : seconds;
  if (preset) {
    frame.ref = preset.ref;
    frame.seed = Number(document.getElementById("poll-seed").value);
  }
  if (frame.kind === "choice") {
    const inputs = [...form.querySelectorAll('input[name="choice"]')];
    const marked = form.querySelector('input[name="correct"]:checked');
    frame.choices = [];
    inputs.forEach((input, i) => {
      if (!input.value.trim()) return;
      if (marked && Number(marked.value) === i) frame.correct = frame.choices.length;
      frame.choices.push(input.value.trim());
    });
  } else {
    const correct = String(data.get("correct_number") ?? "").trim();
    if (correct !== "") frame.correct = Number(correct);
    frame.tolerance = Number(data.get("tolerance") || 0);
    frame.unit = data.get("unit");
  }
  return frame;
}

root.addEventListener("click", (event) => {
  const button = event.target.closest("[data-command], [data-goto]");
  if (!button || !state) return;
  if (button.dataset.goto) goTo(Number(button.dataset.goto));
  else COMMANDS[button.dataset.command]?.();
});

document.getElementById("sim-speed").addEventListener("change", (event) => {
  send({ type: "speed", value: Number(event.target.value) });
});

document.getElementById("highlight-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = document.getElementById("highlight-el").value.trim();
  send({ type: "highlight", el: value || null });
});

const pollForm = document.getElementById("poll-form");
pollForm.addEventListener("change", () => {
  const numeric = pollForm.querySelector('input[name="kind"]:checked').value === "numeric";
  document.getElementById("poll-choices").hidden = numeric;
  document.getElementById("poll-numeric").hidden = !numeric;
});
// A question from the lesson's quiz fills the form; the instructor can still edit it.
const presets = JSON.parse(document.getElementById("lesson-polls")?.textContent || "[]");
document.getElementById("poll-preset")?.addEventListener("change", (event) => {
  preset = event.target.value === "" ? null : presets[Number(event.target.value)] ?? null;
  if (!preset) return;
  pollForm.elements.prompt.value = preset.prompt;
  pollForm.querySelector('input[name="kind"][value="choice"]').checked = true;
  pollForm.querySelectorAll('input[name="choice"]').forEach((input, i) => { input.value = preset.choices[i] ?? ""; });
  pollForm.querySelectorAll('input[name="correct"]').forEach((radio, i) => { radio.checked = preset.correct === i; });
  // Several right answers: a poll takes one, so it cannot be scored (the server would say so).
  if (preset.correct === null) pollForm.elements.scored.checked = false;
  pollForm.dispatchEvent(new Event("change"));
});
// The question bank's "Use this question" fills the form as the menu does, then hands the
// instructor the question to check before asking the class.
document.getElementById("question-bank")?.addEventListener("click", (event) => {
  const button = event.target.closest("[data-preset]");
  const menu = document.getElementById("poll-preset");
  if (!button || !menu) return;
  menu.value = button.dataset.preset;
  menu.dispatchEvent(new Event("change"));
  document.getElementById("poll-prompt").focus();
});
pollForm.addEventListener("submit", (event) => {
  event.preventDefault();
  send(pollFrame(pollForm));
  document.getElementById("poll-histogram").replaceChildren();
  document.getElementById("poll-answered").textContent = "0";
});

// Presentation clickers send PageDown/PageUp; arrows work too, except while typing.
document.addEventListener("keydown", (event) => {
  if (!state || event.target.closest("input, select, textarea, button, summary")) return;
  if (event.key === "PageDown" || event.key === "ArrowRight") goTo(current() + 1);
  else if (event.key === "PageUp" || event.key === "ArrowLeft") goTo(current() - 1);
  else return;
  event.preventDefault();
});

socket.start();
