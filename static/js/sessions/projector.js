// The projector screen: what the room sees. It follows the room state like every screen; its
// keyboard runs a one-screen class (→/← slides, Space play or pause, R reveal, F full screen).
// The server never sends this page a right answer before the reveal, so nothing here hides one.
import { RoomSocket } from "./connection.js";
import {
  Countdown, SimClock, SlideView, pollWords, showError, showHighlight, showLeaders, showOutbox, showStatus,
  showTally, text,
} from "./ui.js";
import { SharedSim } from "./sim.js";
import { SlidePlayers } from "./slides.js";

const root = document.getElementById("projector");
const slidePlayers = new SlidePlayers(root.dataset.runUrl);
const slides = new SlideView(root, (container) => slidePlayers.show(container));
const socket = new RoomSocket(root.dataset.wsPath, { onFrame, onStatus, onOutbox: showOutbox });
const clock = new SimClock(socket);
const shared = new SharedSim({ role: "projector", socket, clock });
const countdown = new Countdown(document.getElementById("poll-countdown"), socket);
const LETTERS = "ABCDEF";
let state = null;
let target = null;  // the slide last asked for, so two quick presses move two slides

function onStatus(status) {
  showStatus(status);
  if (status === "ended") document.getElementById("ended").hidden = false;
}

// Every command is a click with an id of its own: while the connection is down it waits, said
// under the connection status, and goes once the connection is back (RoomSocket.request).
function send(frame) {
  const outcome = socket.request(frame);
  if (outcome === "full") showError({ field: "connection", reason: text("outbox-full") });
  else if (outcome === "ended") showError({ field: "connection", reason: text("ended") });
}

function goTo(slide) {
  const last = slides.total || 500;
  target = Math.min(Math.max(1, slide), last);
  send({ type: "slide", slide: target, step: 0 });
}

function showStarted(started) {
  root.dataset.started = String(started);
  document.getElementById("welcome").hidden = started;
}

function showPoll(poll) {
  const card = document.getElementById("poll");
  card.hidden = poll === null;
  if (poll === null) return;
  const words = pollWords(poll);
  const revealed = poll.state === "revealed";
  card.dataset.state = poll.state;
  document.getElementById("poll-prompt").textContent = `Q${poll.number}. ${words.prompt}`;
  const list = document.getElementById("poll-choices");
  list.hidden = poll.kind !== "choice";
  list.replaceChildren(...words.choices.map((choice, index) => {
    const item = document.createElement("li");
    const right = revealed && poll.correct === index;
    item.className = right ? "projector__choice projector__choice--correct" : "projector__choice";
    const letter = document.createElement("span");
    letter.className = "projector__letter";
    letter.textContent = LETTERS[index];
    item.append(letter, ` ${choice}`);
    if (right) item.append(" ✓");
    return item;
  }));
  // A number's right answer, said once it is revealed (a choice's is marked in the list).
  const answer = document.getElementById("poll-answer");
  const number = revealed && poll.kind === "numeric" && poll.correct !== null;
  answer.hidden = !number;
  if (number) answer.textContent = `✓ ${text("answer-is")} ${poll.correct}${poll.unit ? " " + poll.unit : ""}`;
}

function applyState(next) {
  const pollChanged = state?.poll?.id !== next.poll?.id;
  state = next;
  if (target === next.slide) target = null;
  slides.show(next.slide);
  showStarted(Boolean(next.started));
  showHighlight(next.highlight);
  clock.update(next.sim);
  shared.state(next.sim);
  if (pollChanged) {
    document.getElementById("poll-histogram").replaceChildren();
    document.getElementById("poll-answered").textContent = "0";
  }
  showPoll(next.poll);
  countdown.set(next.poll);
}

function showLobby(lobby) {
  document.getElementById("count-joined").textContent = String(lobby.joined);
  document.getElementById("lobby-names").replaceChildren(
    ...lobby.participants.map((person) => {
      const item = document.createElement("li");
      item.textContent = person.nickname;
      return item;
    }),
  );
}

function onFrame(frame) {
  if (shared.handle(frame)) return;
  if (frame.type === "hello") target = null;
  if (frame.type === "hello" || frame.type === "state") applyState(frame.state);
  else if (frame.type === "lobby") showLobby(frame);
  else if (frame.type === "tally") {
    if (state?.poll?.id !== frame.poll) return;
    document.getElementById("poll-answered").textContent = String(frame.answered);
    showTally(frame);
  } else if (frame.type === "leaderboard") showLeaders(frame.leaders);
  else if (frame.type === "error") {
    target = null;
    showError(frame);
  }
}

function toggleFullscreen() {
  if (!document.fullscreenEnabled) return;
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen().catch(() => {});
}

// Keys typed into the slide's own player stay there (it has its own), and so do form fields.
document.addEventListener("keydown", (event) => {
  if (!state || event.altKey || event.ctrlKey || event.metaKey) return;
  if (event.target.closest("input, select, textarea, [data-role=player]")) return;
  const key = event.key;
  if (key === "ArrowRight" || key === "PageDown") goTo((target ?? state.slide) + 1);
  else if (key === "ArrowLeft" || key === "PageUp") goTo((target ?? state.slide) - 1);
  else if (key === " ") {
    if (event.target.closest("button, summary, a")) return;  // Space presses the focused control
    if (state.sim.run) send({ type: state.sim.playing ? "pause" : "play" });
    else if (!slidePlayers.toggle()) return;
  } else if (key === "r" || key === "R") {
    if (state.poll?.state !== "open") return;
    send({ type: "poll.reveal" });
  } else if (key === "f" || key === "F") toggleFullscreen();
  else return;
  event.preventDefault();
});

slidePlayers.show(document.getElementById("slide"));
socket.start();
