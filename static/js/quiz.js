// Predict questions: the quiz's player is the lesson-sized one (player/embed.js: the diagram,
// play/pause, the scrubber and the watch line; the event list, speeds and readouts open in place
// behind its details button). It runs the question's engine run and waits, paused at the moment
// to predict; the learner answers, then presses Play to see what happened. The step page (and the
// standalone quiz page, where a quiz graded without htmx lands) carries the player's markup in a
// <template> (as for a step's own player); a graded quiz swapped in by htmx brings a new predict
// question, set up the same way.
import { mountEmbed } from "./player/embed.js";

let mounted = 0;
const players = new Set();  // stopped once htmx has swapped their question away

async function initQuizPlayer(slot) {
  const template = document.querySelector("template[data-lesson-player]");
  // A lesson step's story, or the standalone quiz page (a quiz graded without htmx).
  const runUrl = document.querySelector("[data-lesson-story], [data-quiz-page]")?.dataset.runUrl;
  if (!template || !runUrl || slot.dataset.ready) return;
  slot.dataset.ready = "1";
  let spec;
  try {
    spec = JSON.parse(slot.dataset.quizPlayer);
  } catch {
    return;
  }
  // What mountEmbed reads off a lesson embed: the scenario, its seed, the pattern and the start.
  const { seed = 1, ...scenario } = spec.scenario || {};
  slot.dataset.scenarioJson = JSON.stringify(scenario);
  slot.dataset.seed = String(seed);
  slot.dataset.pattern = spec.pattern;
  slot.dataset.start = String(spec.at);
  mounted += 1;
  // Its own ids (the step may hold another player); its keys work from inside it only, so the
  // arrows and space keep choosing answers in the rest of the quiz.
  const player = await mountEmbed(slot, template, runUrl, { idPrefix: `quiz${mounted}-`, pageKeys: false });
  if (!player) return;
  slot.querySelector(".quiz-player__fallback")?.remove();
  players.add(player);
  window.kumobenPlayer = player;  // for the browser tests, as on the other player pages
}

function initAll(root) {
  for (const slot of root.querySelectorAll("[data-quiz-player]")) initQuizPlayer(slot);
}

initAll(document);
document.body.addEventListener("htmx:afterSwap", (event) => {
  for (const player of players) {
    if (!player.root.isConnected) {
      player.destroy();
      players.delete(player);
    }
  }
  initAll(event.target);
});
