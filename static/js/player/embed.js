// A lesson's player embed made live: the playground's trace player, lesson-sized (the diagram,
// play/pause and the scrubber; the embed's watch line says what to look at), running the embed's
// scenario as an instant run and left paused at the step's start (data-start, the moment that
// matters) so the learner (or the instructor) presses Play. "Explore" on the page opens the whole
// playground. Story mode, the lesson presenter and study-session slides share it. The page carries the
// player's markup in a <template data-lesson-player>; until it is cloned in, and whenever the run
// cannot be fetched, the embed shows the engine's static summary instead.

const REFERENCES = ["for", "aria-labelledby", "aria-describedby", "aria-controls", "list"];

// Ids in the clone get a prefix, so a page that also holds another player (a study session's
// shared run) keeps every id unique and every label pointing at its own control.
function prefixIds(root, prefix) {
  const ids = new Set([...root.querySelectorAll("[id]")].map((element) => element.id));
  if (root.id) ids.add(root.id);
  const rename = (value) => value.split(/\s+/).map((id) => (ids.has(id) ? prefix + id : id)).join(" ");
  for (const element of [root, ...root.querySelectorAll("*")]) {
    if (element.id) element.id = prefix + element.id;
    for (const name of REFERENCES) {
      if (element.hasAttribute(name)) element.setAttribute(name, rename(element.getAttribute(name)));
    }
  }
}

function scenarioOf(embed) {
  if (!embed.dataset.scenarioJson) return embed.dataset.scenario;  // a built-in's name
  try {
    return { ...JSON.parse(embed.dataset.scenarioJson), seed: Number(embed.dataset.seed || "1") };
  } catch {
    return null;
  }
}

// What the step is about, on the diagram: the target of the scenario's first action at or after
// the start (else the last one before it), as diagram ids: the task, else its service.
function lookAt(scenario, start) {
  const actions = [...(scenario?.actions || [])].sort((a, b) => a.at_s - b.at_s);
  const action = actions.find((a) => a.at_s >= start) || actions[actions.length - 1];
  if (!action) return [];
  if (action.task) return [`task-${action.task}`, `svc-${action.task.replace(/-\d+$/, "")}`];
  return action.service ? [`svc-${action.service}`] : [];
}

// Returns the Player (stop it with destroy() when its slide goes away), or null.
export async function mountEmbed(embed, template, runUrl, { idPrefix = "", pageKeys = true } = {}) {
  const scenario = scenarioOf(embed);
  if (!embed || !template || !runUrl || scenario === null) return null;
  let Player;
  try {
    ({ Player } = await import("./player.js"));
  } catch {
    return null;
  }
  if (!embed.isConnected) return null;  // its slide was taken away meanwhile
  const root = document.importNode(template.content, true).querySelector("[data-role=player]");
  if (idPrefix) prefixIds(root, idPrefix);
  const summary = embed.querySelector(".embed-player__fallback .readout");
  root.classList.add("player--compact");
  // The rest of the trace player (event list, speeds, readouts) opens in place for a step whose
  // narration points at it; "Explore" gives the whole playground.
  const details = embed.querySelector("[data-role=details]")?.cloneNode(true);
  if (details) {
    root.querySelector(".player__bar").append(details);
    details.hidden = false;
    details.addEventListener("click", () => {
      const open = root.classList.toggle("player--compact");
      details.setAttribute("aria-expanded", String(!open));
    });
  }
  embed.classList.add("embed-player--live");
  if (summary) summary.hidden = true;
  embed.appendChild(root);
  const player = new Player(root, { runUrl, pageKeys });
  const start = Number(embed.dataset.start || "0");
  player.firstView = (diagram) => lookAt(player.serverScenario || player.scenario, start).map((id) => diagram.el(id)).find(Boolean) || null;
  if (!(await player.runInstant(scenario, embed.dataset.pattern))) {
    // The run failed (offline, or the engine refused it): keep the player's error status
    // visible but give the reader the numbers the server already rendered.
    if (summary) summary.hidden = false;
    return player;
  }
  if (Number.isFinite(start) && start > 0 && player.clock.now === 0) {
    player.startAt = start;
    player.seek(start);
  }
  return player;
}
