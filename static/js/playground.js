// The playground page: starts the player (live over the WebSocket or as an instant run) on the run
// the server made of the setup form, wires the service actions, the permalink and the exports.

import { DeployControls } from "./player/deploy.js";
import { Player } from "./player/player.js";

const page = document.getElementById("playground");
const playerRoot = document.getElementById("player");

const player = new Player(playerRoot, {
  wsPath: page.dataset.wsPath,
  runUrl: page.dataset.runUrl,
  onMessage: (message) => heard(message),
});
window.kumobenPlayer = player;  // for the browser tests and the frame benchmark

// ------------------------------------------------------------------ the setup form
// The server renders and checks the form (htmx posts it on every change and on a start button;
// views.setup answers #setup-fields again). The page only adds rows to the system editor,
// keeps the open sections open across a swap, and starts the run the server hands back.

const setupForm = () => document.getElementById("setup");

function addRow(kind) {
  const form = setupForm();
  const system = form.querySelector("[data-role=system]");
  const prefix = kind === "service" ? "services" : "calls";
  const total = form.elements[`${prefix}-TOTAL_FORMS`];
  const index = Number(total.value);
  const html = system.querySelector(`[data-role=${kind}-template]`).innerHTML.replaceAll("__prefix__", String(index));
  const rows = document.createElement("tbody");
  rows.innerHTML = html;  // our own server-rendered template; no script can be in it under the CSP
  const row = rows.firstElementChild;
  system.querySelector(`[data-role=${kind}-rows]`).appendChild(row);
  total.value = String(index + 1);
  edits++;
  form.querySelector("[data-role=use-system]").checked = true;
  row.querySelector("input")?.focus();
}

page.addEventListener("click", (e) => {
  const button = e.target.closest("#setup button[data-add-row]");
  if (button) addRow(button.dataset.addRow);
});
// Editing the system means running it; ticked before htmx reads the form for this change.
page.addEventListener("input", (e) => {
  const box = setupForm().querySelector("[data-role=use-system]");
  if (e.target !== box && e.target.closest("[data-role=system]")) box.checked = true;
}, true);

// An answer to fields the visitor has edited since is not swapped in (it would undo the edit);
// their own change sends the form again.
let edits = 0;
let editsSent = 0;
page.addEventListener("input", (e) => { if (e.target.closest("#setup")) edits++; }, true);
document.body.addEventListener("htmx:beforeSend", (e) => {
  if (e.target.id === "setup") editsSent = edits;
});

let openSections = [];
document.body.addEventListener("htmx:beforeSwap", (e) => {
  if (e.detail.target.id !== "setup-fields") return;
  if (edits !== editsSent) {
    e.detail.shouldSwap = false;
    return;
  }
  openSections = [...e.detail.target.querySelectorAll("details[open]")].map((d) => d.dataset.pattern || d.dataset.role);
});
document.body.addEventListener("htmx:afterSwap", (e) => {
  const fields = e.target;
  if (fields.id !== "setup-fields") return;
  for (const details of fields.querySelectorAll("details")) {
    if (openSections.includes(details.dataset.pattern || details.dataset.role)) details.open = true;
  }
  const data = document.getElementById("setup-run");
  const run = data ? JSON.parse(data.textContent) : null;
  if (run?.start) {
    start(run.start, run.scenario, run.pattern);
    // An instant run over the server's budget starts live; the server's note says why.
    if (run.note) setupForm().querySelector("[data-role=setup-status]").textContent = run.note;
  } else if (fields.dataset.refused) fields.querySelector("[aria-invalid=true]")?.focus();
});

function showError(text) {
  setupForm().querySelector("[data-role=setup-status]").textContent = text;
  const playerStatus = playerRoot.querySelector("[data-role=status]");
  if (playerStatus) playerStatus.textContent = `✕ ${text}`;
}

// The error slot of the setup field an engine path names, as the server's form places it
// (forms.PlaygroundSetup._place): the traffic as a whole is the rate field's, a setting is the
// field of a settings section on screen holding it or its parent object.
function errorSlotFor(field) {
  const path = field.replace(/^scenario\./, "");
  const form = setupForm();
  const own = form.querySelector("[data-role=use-system]")?.checked;
  const simple = path === "traffic" && !own ? "rps" : path;
  if (["rps", "seed", "pattern", "scenario"].includes(simple)) return form.querySelector(`[data-error-for="${simple}"]`);
  if (!path.startsWith("settings.")) return null;
  const slots = [...form.querySelectorAll("details.settings:not([hidden]) [data-error-for]")];
  for (let at = path; at.includes("."); at = at.slice(0, at.lastIndexOf("."))) {
    const slot = slots.find((s) => s.dataset.errorFor.endsWith(`-${at}`));
    if (slot) return slot;
  }
  return null;
}

// A refusal from the socket or the instant run beside its field (else in the form's status).
function showRefusal(field, reason) {
  const slot = field ? errorSlotFor(field) : null;
  if (!slot) return false;
  slot.textContent = reason;
  slot.hidden = false;
  const input = slot.closest(".field")?.querySelector("input, select");
  slot.closest("details")?.setAttribute("open", "");
  if (input) {
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
  return true;
}

// ------------------------------------------------------------------ messages from the engine

let lastRun = [];

function heard(message) {
  if (deploy?.heard(message) || setNowHeard(message)) return;
  if (message.type === "error") {
    const reason = message.reason || message.error || "";
    showError(message.field ? `${message.field.replace(/^scenario\./, "")}: ${reason}` : reason);
    showRefusal(message.field, reason);
    return;
  }
  if (message.type === "hello") {
    fillServices(message.scenario);
    deploy?.setPatterns(message.patterns || [message.pattern]);
    updateExports(message);
  }
  if (message.type === "log" && message.applied?.do === "set" && fixedSetting(message.applied.setting)) {
    player.showWhatIf([message.applied.setting], true);
  }
  lastRun.push(message);
  if (message.permalink) updatePermalink(message.permalink);
}

let currentToken = null;
let runToken = null;  // the permalink of the run shown: the exports draw it at the playhead

function updatePermalink(token) {
  currentToken = token;
  runToken = token;
  const link = page.querySelector("[data-role=permalink]");
  const url = new URL(page.dataset.pageUrl, window.location.href);
  url.searchParams.set("run", token);
  link.href = url.pathname + url.search;
  link.removeAttribute("aria-disabled");
}

// SVG, PNG and DOT of each diagram shown (the diagram endpoints), then the run's JSON.
function updateExports(hello) {
  runToken = hello.permalink || null;
  const urls = hello.svg_urls || (hello.svg_url ? { [hello.pattern || "diagram"]: hello.svg_url } : {});
  const list = page.querySelector("[data-role=exports]");
  const jsonItem = list.querySelector("[data-export=json]").closest("li");
  for (const item of [...list.children]) if (item !== jsonItem) item.remove();
  const several = Object.keys(urls).length > 1;
  for (const [pattern, url] of Object.entries(urls)) {
    for (const kind of ["svg", "png", "dot"]) {
      const link = document.createElement("a");
      link.className = "btn";
      link.dataset.export = kind;
      link.dataset.pattern = pattern;
      link.dataset.topologyUrl = url.replace(/\.svg(\?|$)/, `.${kind}$1`);
      pointAtPlayhead(link);
      for (const type of ["pointerenter", "focus", "click"]) link.addEventListener(type, () => pointAtPlayhead(link));
      link.textContent = several ? `${player.strings.get(`pattern-${pattern}`)} ${kind.toUpperCase()}` : kind.toUpperCase();
      const item = document.createElement("li");
      item.appendChild(link);
      list.insertBefore(item, jsonItem);
    }
  }
  jsonItem.querySelector("a").removeAttribute("aria-disabled");
}

// An export draws the run at the playhead, in the page's language (the server plays the permalink
// up to `at`); before the run has a permalink it is the diagram as served.
function pointAtPlayhead(link) {
  const { pattern } = link.dataset;
  const kind = link.dataset.export;
  if (!runToken) {
    link.href = link.dataset.topologyUrl;
    link.download = `kumoben-${pattern}.${kind}`;
    return;
  }
  const at = player.clock.now.toFixed(3);
  const url = new URL(`${page.dataset.pageUrl}export/${pattern}.${kind}`, window.location.href);
  url.searchParams.set("run", runToken);
  url.searchParams.set("at", at);
  url.searchParams.set("lang", player.lang);
  link.href = url.pathname + url.search;
  link.download = `kumoben-${pattern}-${Number(at).toFixed(1)}s.${kind}`;
}

const jsonLink = page.querySelector("[data-export=json]");
jsonLink.addEventListener("click", () => {
  const blob = new Blob([JSON.stringify(lastRun)], { type: "application/json" });
  if (jsonLink.dataset.url) URL.revokeObjectURL(jsonLink.dataset.url);
  jsonLink.dataset.url = URL.createObjectURL(blob);
  jsonLink.href = jsonLink.dataset.url;
});

// ------------------------------------------------------------------ service actions

const serviceBar = playerRoot.querySelector("[data-role=service-bar]");
const desired = new Map();

function fillServices(scenario) {
  if (!serviceBar || !scenario?.services) return;
  const select = serviceBar.querySelector("select");
  const keep = select.value;
  select.replaceChildren(...scenario.services.map((s) => new Option(s.name, s.name)));
  desired.clear();
  for (const s of scenario.services) desired.set(s.name, s.tasks);
  select.value = scenario.services.some((s) => s.name === keep) ? keep : scenario.services.find((s) => s.name === "inventory")?.name || scenario.services[0].name;
  serviceBar.hidden = false;
}

serviceBar?.addEventListener("click", (e) => {
  const button = e.target.closest("button[data-service-action]");
  if (!button) return;
  const service = serviceBar.querySelector("select").value;
  const kind = button.dataset.serviceAction;
  if (kind === "deploy") return player.act({ do: "deploy", service });
  const count = Math.max(0, (desired.get(service) ?? 0) + (kind === "scale-out" ? 1 : -1));
  desired.set(service, count);
  player.act({ do: "scale", service, count });
});

// A deployment with a strategy, and its rollback: the server's form, sent as an engine action.
const deployForm = playerRoot.querySelector("[data-role=deploy-now]");
const deploy = deployForm ? new DeployControls(deployForm, {
  serviceOf: () => serviceBar.querySelector("select").value,
  act: (action) => player.act(action),
}) : null;

// Whether "change a setting now" marks a setting as one AWS fixes (a what-if).
function fixedSetting(setting) {
  return [...playerRoot.querySelectorAll("[data-role=set-now] option[data-aws=fixed]")].some((o) => o.value === setting);
}

// A setting changed mid-run is an engine action too: applied now at the live head, or a fork.
const setNow = playerRoot.querySelector("[data-role=set-now]");
const setNowError = setNow?.querySelector("[data-role=set-now-error]");
let setNowPending = false;

// The engine's answer to a "change a setting now": an error beside the value, naming its path.
function setNowHeard(message) {
  if (!setNowPending || (message.type !== "error" && message.type !== "log")) return false;
  setNowPending = false;
  if (message.type === "log" || !String(message.field || "").startsWith("action")) return false;
  if (!setNowError) return false;
  setNowError.textContent = `${message.field}: ${message.reason}`;
  setNow.elements.value.setAttribute("aria-invalid", "true");
  setNow.elements.value.focus();
  return true;
}
setNow?.addEventListener("submit", (e) => {
  e.preventDefault();
  const raw = setNow.elements.value.value.trim();
  if (!raw) return;
  let value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw === "true" ? true : raw === "false" ? false : raw;
  if (/^[[{]/.test(raw)) {
    try { value = JSON.parse(raw); } catch { /* the engine names what is wrong with the text */ }
  }
  if (setNowError) setNowError.textContent = "";
  setNow.elements.value.removeAttribute("aria-invalid");
  setNowPending = true;
  // A field of an object setting (envoy.retry_policy.num_retries) is sent as it is: the server
  // applies it as the whole object with that one field changed (patterns/player/playback.py).
  player.act({ do: "set", setting: setNow.elements.setting.value, value });
});

// ------------------------------------------------------------------ start

async function start(mode, scenario, pattern) {
  setupForm().querySelector("[data-role=setup-status]").textContent = "";
  lastRun = [];
  if (mode === "instant") await player.runInstant(scenario, pattern);
  else player.startLive(scenario, pattern);
  playerRoot.scrollIntoView({ block: "start", behavior: "auto" });
  playerRoot.querySelector("button[data-control=play]").focus({ preventScroll: true });
}

// A link replays its run: the server checked it (scenario, seed, pattern, log and the playhead t).
// With a playhead the whole run is fetched at once and left paused there, as the page that linked
// here showed it; without one it starts live.
const opened = document.getElementById("opened-run");
if (opened) openRun(JSON.parse(opened.textContent));

async function openRun(run) {
  const form = setupForm();
  const radio = form.querySelector(`input[name=pattern][value="${run.pattern}"]`);
  if (radio) radio.checked = true;
  form.elements.seed.value = run.seed;
  if (run.name !== null && [...form.elements.scenario.options].some((o) => o.value === run.name)) {
    form.elements.scenario.value = run.name;
  }
  updatePermalink(run.token);
  const scenario = { permalink: run.token, seed: run.seed };
  if (run.t === null) return start("live", scenario, run.pattern);
  lastRun = [];
  if (await player.runInstant(scenario, run.pattern)) {
    player.pause();
    player.seek(run.t);
  } else {
    start("live", scenario, run.pattern);  // longer than an instant run may be: play it live
  }
}

// The run's link at the playhead: the language switch keeps the run and where it was.
function linkHere() {
  const token = currentToken;
  if (!token) return null;
  const url = new URL(page.dataset.pageUrl, window.location.href);
  url.searchParams.set("run", token);
  url.searchParams.set("t", String(Math.round(player.clock.now * 1000) / 1000));
  return url.pathname + url.search;
}

document.querySelector("form.lang-switch")?.addEventListener("submit", (e) => {
  const here = linkHere();
  if (here) e.target.elements.next.value = here;
});
const permalinkLink = page.querySelector("[data-role=permalink]");
for (const kind of ["pointerdown", "focus", "contextmenu"]) {
  permalinkLink.addEventListener(kind, () => {
    const here = linkHere();
    if (here) permalinkLink.href = here;
  });
}
