// The student's room: follows the instructor's slide, simulation clock and highlight while
// "following"; answers polls; reconnects by itself and resumes at the room's current state.
import { RoomSocket } from "./connection.js";
import {
  Countdown, SimClock, SlideView, pollWords, showError, showHighlight, showLeaders, showStatus,
  showTally, text,
} from "./ui.js";
import { SharedSim } from "./sim.js";
import { SlidePlayers } from "./slides.js";

const root = document.getElementById("room");
const slidePlayers = new SlidePlayers(root.dataset.runUrl);
const slides = new SlideView(root, (container) => slidePlayers.show(container));
const socket = new RoomSocket(root.dataset.wsPath, { onFrame, onStatus, onOutbox });
const clock = new SimClock(socket);
let state = null;
let following = true;
let myAnswer = null;
let pollId = null;
let refused = null;  // the server's reason for not taking this student's last answer
let waiting = null;  // the answer frame that waits for the connection (it has its id)
const shared = new SharedSim({ role: "student", socket, clock, onUnfollow: () => setFollowing(false) });
// A timed poll closes on the server's clock; the buttons follow it (the server refuses late
// answers whatever a screen shows).
const countdown = new Countdown(document.getElementById("poll-countdown"), socket, () => {
  if (state?.poll) showPoll(state.poll);
});

function onStatus(status) {
  showStatus(status);
  if (status === "ended" || status === "removed") {
    document.getElementById(status).hidden = false;
    document.getElementById("follow").disabled = true;
  }
  // After a reconnect the server must know whether this student still follows.
  if (status === "connected" && !following) socket.send({ type: "follow", value: false });
}

function showFollow() {
  const button = document.getElementById("follow");
  // The label says what a click does, so the button carries no aria-pressed state.
  button.dataset.following = String(following);
  button.querySelector(".follow__icon").textContent = following ? "◎" : "◉";
  button.querySelector(".follow__text").textContent = text(following ? "unfollow" : "refollow");
  const line = document.getElementById("follow-state");
  line.dataset.state = following ? "following" : "exploring";
  line.querySelector("span:last-child").textContent = text(following ? "following" : "not-following");
  line.querySelector("span:first-child").textContent = following ? "◉" : "◌";
  document.getElementById("own-nav").hidden = following;
}

function applyState(next) {
  state = next;
  showPoll(next.poll); // polls reach everyone, following or not
  if (following) {
    slides.show(next.slide);
    showHighlight(next.highlight);
    clock.update(next.sim);
  }
  // After the clock: the shared player syncs to the clock's new anchors at once.
  shared.state(next.sim);
}

function choiceButton(label, index) {
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button choice";
  button.dataset.choice = String(index);
  button.setAttribute("aria-pressed", "false");
  button.textContent = label;
  return button;
}

function showPoll(poll) {
  const card = document.getElementById("poll");
  card.hidden = poll === null;
  if (poll === null) {
    pollId = null;
    return;
  }
  if (poll.id !== pollId) {
    pollId = poll.id;
    refused = null;
    if (waiting && waiting.poll !== poll.id) waiting = null;
    if (myAnswer && myAnswer.poll !== poll.id) myAnswer = null;
    const words = pollWords(poll);
    document.getElementById("poll-prompt").textContent = words.prompt;
    document.getElementById("poll-histogram").replaceChildren();
    document.getElementById("poll-feedback").textContent = "";
    document.getElementById("poll-value").value = "";
    const choices = document.getElementById("poll-choices");
    choices.replaceChildren(...words.choices.map(choiceButton));
    choices.hidden = poll.kind !== "choice";
    document.getElementById("poll-number").hidden = poll.kind !== "numeric";
    document.getElementById("poll-unit").textContent = poll.unit ? `(${poll.unit})` : "";
    // A new question is what the student should look at now, wherever they had scrolled;
    // focusing its prompt also has screen readers read it out. Not while they are typing.
    if (!document.activeElement?.matches("input, textarea, select")) {
      document.getElementById("poll-prompt").focus();
    }
  }
  countdown.set(poll);
  const revealed = poll.state === "revealed";
  const closed = revealed || countdown.closed;
  card.dataset.state = poll.state;
  for (const button of document.querySelectorAll("#poll-choices .choice")) {
    const index = Number(button.dataset.choice);
    button.disabled = closed;
    // The choice waiting to be sent shows as chosen; the feedback line says it is not sent yet.
    const chosen = waiting && waiting.choice !== undefined ? waiting.choice : myAnswer?.choice;
    button.setAttribute("aria-pressed", String(chosen === index));
    button.classList.toggle("choice--correct", revealed && poll.correct === index);
  }
  document.querySelector("#poll-number input").disabled = closed;
  document.querySelector("#poll-number button").disabled = closed;
  if (myAnswer && myAnswer.value !== null && myAnswer.value !== undefined && !refused && !waiting) {
    document.getElementById("poll-value").value = String(myAnswer.value);
  }
  showFeedback(poll);
}

function showFeedback(poll) {
  const feedback = document.getElementById("poll-feedback");
  if (refused && poll.state !== "revealed") {
    // Why the server did not take the answer, said where the student is looking.
    feedback.textContent = `✗ ${refused}`;
    feedback.dataset.result = "refused";
    return;
  }
  if (waiting && poll.state !== "revealed") {
    feedback.textContent = `◔ ${text("answer-waiting")}`;
    feedback.dataset.result = "waiting";
    return;
  }
  if (poll.state !== "revealed") {
    feedback.textContent = myAnswer ? `✓ ${text("answered")}` : "";
    feedback.dataset.result = "";
    return;
  }
  if (poll.correct === null) {
    feedback.textContent = "";
    return;
  }
  if (!myAnswer) {
    feedback.textContent = text("no-answer");
    feedback.dataset.result = "none";
    return;
  }
  const right = poll.kind === "choice" ? myAnswer.choice === poll.correct : null;
  if (right === null) {
    feedback.textContent = `${text("correct")}: ${poll.correct}${poll.unit ? " " + poll.unit : ""}`;
    feedback.dataset.result = "shown";
  } else {
    feedback.textContent = right ? `✓ ${text("right")}` : `✗ ${text("wrong")}`;
    feedback.dataset.result = right ? "right" : "wrong";
  }
}

function onFrame(frame) {
  if (shared.handle(frame)) return;
  if (frame.type === "hello") {
    myAnswer = frame.answer;
    applyState(frame.state);
    if (frame.tally) showTally(frame.tally);
  } else if (frame.type === "state") applyState(frame.state);
  else if (frame.type === "answered") {
    if (waiting?.id === frame.id) waiting = null;
    myAnswer = frame;
    refused = null;
    if (state?.poll) showPoll(state.poll);
  } else if (frame.type === "tally") showTally(frame);
  else if (frame.type === "leaderboard") showLeaders(frame.leaders);
  else if (frame.type === "error" && ["value", "choice", "poll", "id"].includes(frame.field) && state?.poll) {
    if (waiting?.id === frame.id) waiting = null;
    refused = frame.reason;
    showPoll(state.poll);
  } else if (frame.type === "error") showError(frame);
}

function setFollowing(value) {
  following = value;
  socket.send({ type: "follow", value: following });
  showFollow();
  if (following && state) applyState(state);
  shared.setFollowing(following);
}

document.getElementById("follow").addEventListener("click", () => setFollowing(!following));

document.getElementById("own-nav").addEventListener("click", (event) => {
  const button = event.target.closest("[data-own]");
  if (!button) return;
  const step = button.dataset.own === "next" ? 1 : -1;
  const last = slides.total || 500;
  slides.show(Math.min(Math.max(1, slides.wanted + step), last));
});

// An answer is a click with an id of its own (RoomSocket.request): while the connection is down
// it waits, the student is told so, and it goes once the connection is back; a newer answer to
// the same poll replaces one still waiting. Refused only when the session is over or too much
// waits already.
function sendAnswer(frame) {
  const outcome = socket.request(frame, (queued) => queued.type === "answer" && queued.poll === frame.poll);
  waiting = outcome === "queued" ? frame : null;
  refused = outcome === "sent" || outcome === "queued" ? null : text("answer-not-sent");
  if (state?.poll) showPoll(state.poll);
}

// The connection dropped before the server answered for an answer already sent: it waits too.
// An answer too old to send when the connection came back is dropped: the student answers again.
function onOutbox({ waiting: count, dropped }) {
  if (count > 0 && !waiting) {
    const entries = [...socket.outbox.values()].filter((entry) => entry.frame.type === "answer");
    waiting = entries.at(-1)?.frame ?? null;
  } else if (dropped && waiting && !socket.outbox.has(waiting.id)) {
    waiting = null;
    refused = text("answer-not-sent");
  } else return;
  if (state?.poll) showPoll(state.poll);
}

document.getElementById("poll-choices").addEventListener("click", (event) => {
  const button = event.target.closest(".choice");
  if (!button || pollId === null) return;
  sendAnswer({ type: "answer", poll: pollId, choice: Number(button.dataset.choice) });
});

// The number goes as typed (full-width digits, a decimal comma): the server reads it, or says
// plainly why it cannot.
document.getElementById("poll-number").addEventListener("submit", (event) => {
  event.preventDefault();
  if (pollId === null) return;
  sendAnswer({ type: "answer", poll: pollId, value: document.getElementById("poll-value").value });
});

showFollow();
slidePlayers.show(document.getElementById("slide"));
socket.start();
