// "In AWS" panels. Loaded as an ES module (the CSP forbids inline script); the panels work as
// links and forms without it. This file fills a panel's form from the run on screen (the page's
// player: its scenario, live log and playhead; else the playground's or lab's setup), asks again
// when the playhead crosses an action, and copies code to the clipboard.

const FOLLOW_MS = 500;

// The playhead, rounded down to 0.1 s so an action is folded in only once the player shows it.
function playhead(t) {
  return Math.max(0, Math.floor(t * 10) / 10);
}

function playerRun() {
  const player = window.kumobenPlayer;
  const state = player && typeof player.runState === "function" ? player.runState() : null;
  if (!state || !state.scenario) return null;
  const scenario = typeof state.scenario === "string" ? state.scenario : JSON.stringify(state.scenario);
  const actions = [...(Array.isArray(state.scenario.actions) ? state.scenario.actions : []), ...state.log];
  const at = playhead(state.t);
  const applied = actions.filter((a) => typeof a.at_s === "number" && a.at_s <= at).length;
  return {
    started: state.started,
    scenario,
    pattern: state.pattern || "",
    log: state.log.length ? JSON.stringify(state.log) : "",
    at: String(at),
    // Changes when the playhead crosses an action or the log grows: the panel asks again then.
    folded: `${applied}/${actions.length}`,
  };
}

function setupRun(panel) {
  const source = document.getElementById(panel.dataset.inawsSource || "");
  if (source) {
    try {
      const run = JSON.parse(source.textContent);
      if (run && run.scenario) return { object: run.scenario, scenario: JSON.stringify(run.scenario), pattern: run.pattern || "", log: "", at: "0", folded: "" };
      if (run === null) return null;  // a lab before its first Check: nothing chosen yet
    } catch (error) { /* fall through to the form's own choices */ }
  }
  // The playground before its first check: the chosen built-in scenario and pattern.
  const select = document.getElementById("scenario");
  const pattern = document.querySelector("input[name=pattern]:checked");
  if (select && select.value) return { scenario: select.value, pattern: pattern ? pattern.value : "", log: "", at: "0", folded: "" };
  return null;
}

// The same scenario apart from its seed (the lab's player adds the seed to the lab's run).
function sameScenario(a, b) {
  if (!a || !b || typeof a !== "object" || typeof b !== "object") return false;
  const strip = (s) => JSON.stringify({ ...s, seed: null });
  return strip(a) === strip(b);
}

// The player's run when it runs the setup on screen (a lesson: always); the setup, at its start,
// once it has been changed and not run yet, or before any run.
function currentRun(panel) {
  const run = playerRun();
  if (panel.hasAttribute("data-inaws-embed")) return run;  // null: the form's own values
  const setup = setupRun(panel);
  if (run && (!setup || !setup.object || sameScenario(run.started, setup.object))) return run;
  return setup;
}

// How the services are reached, as a lab's learner chose it (appProtocol, load balancer Type and
// Scheme, a front door): sent with whichever run the panel shows, so it renders their choice.
function sourceWire(panel) {
  const source = document.getElementById(panel.dataset.inawsSource || "");
  if (!source) return {};
  try {
    const run = JSON.parse(source.textContent);
    return run && run.wire && typeof run.wire === "object" ? run.wire : {};
  } catch (error) {
    return {};
  }
}

function panelOf(form) {
  return form.closest("[data-inaws-source], [data-inaws-embed]");
}

document.body.addEventListener("htmx:configRequest", (event) => {
  const form = event.detail.elt;
  if (!form.classList || !form.classList.contains("inaws__form")) return;
  const panel = panelOf(form);
  if (!panel) return;
  const run = currentRun(panel);
  const empty = form.querySelector("[data-role=inaws-empty]");
  if (!run) {
    if (panel.hasAttribute("data-inaws-embed")) return;  // send the lesson's scenario at 0 s
    event.preventDefault();
    if (empty) empty.hidden = false;
    return;
  }
  if (empty) empty.hidden = true;
  Object.assign(event.detail.parameters, sourceWire(panel), { scenario: run.scenario, pattern: run.pattern, log: run.log, at: run.at });
  panel.dataset.folded = run.folded;
});

document.addEventListener("click", (event) => {
  const button = event.target.closest ? event.target.closest("[data-copy]") : null;
  if (!button) return;
  const target = document.getElementById(button.dataset.copy);
  if (!target || !navigator.clipboard) return;
  const label = button.textContent;
  navigator.clipboard.writeText(target.textContent).then(() => {
    button.textContent = button.dataset.copied || label;
    window.setTimeout(() => { button.textContent = label; }, 2000);
  }).catch(() => {});
});

function refresh(panel) {
  const out = panel.querySelector(".inaws__out");
  const form = panel.querySelector(".inaws__form");
  if (out && form && out.childElementCount && !form.classList.contains("htmx-request")) form.requestSubmit();
}

// A panel already showing a configuration follows the setup: when the playground's setup check or a
// lab's Check answers again, ask for the configuration again.
document.body.addEventListener("htmx:afterSwap", (event) => {
  const elt = event.detail && event.detail.elt;
  if (!elt || !elt.closest || elt.closest("[data-inaws-source], [data-inaws-embed]")) return;
  if (!elt.closest("#setup, #lab-check")) return;
  for (const panel of document.querySelectorAll("[data-inaws-source]")) refresh(panel);
});

// ... and the playhead: once it passes an action (or an action joins the log), the configuration
// at the new playhead replaces the old one.
window.setInterval(() => {
  if (!window.kumobenPlayer) return;
  for (const panel of document.querySelectorAll("[data-inaws-source], [data-inaws-embed]")) {
    if (panel.dataset.folded === undefined) continue;
    const run = currentRun(panel);
    if (run && panel.dataset.folded !== run.folded) refresh(panel);
  }
}, FOLLOW_MS);
