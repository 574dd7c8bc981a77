// Labs and progress. Loaded as an ES module (the CSP forbids inline script).
// - A lab page: the Check form works without this file (a plain POST); htmx swaps the verdict in,
//   and this file replays the run the engine judged in the embedded playground player.
// - A lesson step whose read the server could not record without creating a session: report it.

import { csrfToken } from "./csrf.js";

function reportRead(story) {
  const body = new URLSearchParams({ lesson: story.dataset.lesson, step: story.dataset.step });
  fetch(story.dataset.reportRead, {
    method: "POST",
    headers: { "X-CSRFToken": csrfToken() },
    body,
    credentials: "same-origin",
  }).catch(() => {});
}

async function initLab(lab) {
  const root = document.getElementById("player");
  if (!root) return;
  const { Player } = await import("./player/player.js");
  const { followPlayhead } = await import("./player/links.js");
  const player = new Player(root, { runUrl: lab.dataset.runUrl });
  window.kumobenPlayer = player;  // for the browser tests
  followPlayhead(lab, player);
  const explore = lab.querySelector("[data-role=lab-explore]");
  let shown = null;

  function replay() {
    const data = document.getElementById("lab-run");
    if (!data || data.textContent === shown) return;
    shown = data.textContent;
    const run = JSON.parse(shown);
    if (!run) return;
    explore.querySelector("a").href = run.explore;
    explore.hidden = false;
    player.runInstant({ ...run.scenario, seed: run.seed }, run.pattern).then((ok) => {
      // After a Check the player waits at the moment that decided it (t of the verdict's link).
      if (ok && run.t) {
        player.pause();
        player.seek(run.t);
      }
    });
  }

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.target.id === "lab-check" || event.target.closest?.("#lab-check") || document.getElementById("lab-check")) {
      replay();
      document.querySelector("[data-testid=verdict]")?.focus?.();
    }
  });
  replay();
}

const story = document.querySelector("[data-lesson-story][data-report-read]");
if (story) reportRead(story);
const lab = document.querySelector("[data-lab]");
if (lab) {
  // A hint just revealed (the page reloads at #hint-N): move the keyboard focus to it.
  const revealed = /^#hint-\d+$/.test(window.location.hash) && document.querySelector(window.location.hash);
  if (revealed) revealed.focus();
  initLab(lab);
}
