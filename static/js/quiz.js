// Predict questions: the quiz's small player runs the question's engine run and waits, paused at
// the moment to predict; the learner answers, then presses Play to see what happened. The step
// page carries the player's markup in a <template> (as for a step's own player); a graded quiz
// swapped in by htmx brings a new predict question, set up the same way.
async function initQuizPlayer(slot) {
  const template = document.querySelector("template[data-lesson-player]");
  const story = document.querySelector("[data-lesson-story]");
  const runUrl = story?.dataset.runUrl;
  if (!template || !runUrl || slot.dataset.ready) return;
  slot.dataset.ready = "1";
  let spec;
  let Player;
  try {
    spec = JSON.parse(slot.dataset.quizPlayer);
    ({ Player } = await import("./player/player.js"));
  } catch {
    return;
  }
  const root = document.importNode(template.content, true).querySelector("[data-role=player]");
  slot.querySelector(".quiz-player__fallback")?.remove();
  slot.appendChild(root);
  const player = new Player(root, { runUrl });
  window.kumobenPlayer = player;  // for the browser tests, as on the other player pages
  if (await player.runInstant(spec.scenario, spec.pattern)) player.seek(spec.at);
}

function initAll(root) {
  for (const slot of root.querySelectorAll("[data-quiz-player]")) initQuizPlayer(slot);
}

initAll(document);
document.body.addEventListener("htmx:afterSwap", (event) => initAll(event.target));
