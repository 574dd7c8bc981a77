// The playground page: turns the setup form into a scenario, starts the player (live over the
// WebSocket or as an instant run), wires the service actions, the permalink and the exports.

import { csrfToken } from "./csrf.js";
import { Player } from "./player/player.js";

const page = document.getElementById("playground");
const form = document.getElementById("setup");
const playerRoot = document.getElementById("player");
const builtins = JSON.parse(document.getElementById("builtin-scenarios").textContent);
const statusLine = form.querySelector("[data-role=setup-status]");

const player = new Player(playerRoot, {
  wsPath: page.dataset.wsPath,
  runUrl: page.dataset.runUrl,
  onMessage: (message) => heard(message),
});
window.kumobenPlayer = player;  // for the browser tests and the frame benchmark

function clone(value) {
  return JSON.parse(JSON.stringify(value));
}

// ------------------------------------------------------------------ the scenario from the form

function fieldValue(name) {
  const element = form.elements[name];
  return element ? element.value : "";
}

function setPath(target, path, value) {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] ??= {};
  node[keys[keys.length - 1]] = value;
}

// The settings forms name their fields by the scenario path (settings.alb.deregistration_delay_s).
function settingsFromForm(scenario) {
  for (const element of form.querySelectorAll("[name^='settings.']")) {
    if (element.disabled || element.value === "" || element.closest("details[hidden]")) continue;
    if (element.dataset.initial !== undefined && element.value === element.dataset.initial) continue;
    let value = element.value;
    if (element.type === "checkbox") value = element.checked;
    else if (element.type === "number" || /^-?\d+(\.\d+)?$/.test(value)) value = Number(value);
    setPath(scenario, element.name, value);
  }
}

// ------------------------------------------------------------------ the system editor

const system = form.querySelector("[data-role=system]");
const useSystem = form.querySelector("[data-role=use-system]");

function addRow(kind) {
  const body = system.querySelector(`[data-role=${kind}-rows]`);
  const prefix = kind === "service" ? "services" : "calls";
  const total = form.elements[`${prefix}-TOTAL_FORMS`];
  const index = Number(total.value);
  const html = system.querySelector(`[data-role=${kind}-template]`).innerHTML.replaceAll("__prefix__", String(index));
  const rows = document.createElement("tbody");
  rows.innerHTML = html;  // our own server-rendered template; no script can be in it under the CSP
  const row = rows.firstElementChild;
  body.appendChild(row);
  total.value = String(index + 1);
  useSystem.checked = true;
  row.querySelector("input")?.focus();
}

system?.addEventListener("click", (e) => {
  const button = e.target.closest("button[data-add-row]");
  if (button) addRow(button.dataset.addRow);
});
system?.addEventListener("input", (e) => {
  if (e.target !== useSystem) useSystem.checked = true;
});

// Kept rows in order, so an engine path such as services[1].tasks finds its row again.
function keptRows(kind) {
  return [...system.querySelectorAll(`[data-row=${kind}]`)].filter((row) => !row.querySelector("input[name$='-DELETE']")?.checked);
}

function rowPrefix(row) {
  return row.querySelector("input[name$='-DELETE']").name.replace(/-DELETE$/, "");
}

function systemFromForm() {
  const value = (row, field) => form.elements[`${rowPrefix(row)}-${field}`];
  const services = keptRows("service").map((row) => {
    const out = { name: value(row, "name").value.trim(), tasks: Number(value(row, "tasks").value) };
    const azs = [...row.querySelectorAll("input[type=checkbox][name$='-azs']:checked")].map((box) => box.value);
    if (azs.length) out.azs = azs;
    const start = value(row, "app_start_s").value;
    if (start !== "") out.app_start_s = Number(start);
    return out;
  });
  const traffic = keptRows("call").map((row) => ({
    from: value(row, "source").value.trim(), to: value(row, "target").value.trim(), rps: Number(value(row, "rps").value),
  }));
  return { services, traffic };
}

// An engine path -> the name of the field that holds it.
function fieldForPath(path) {
  const match = /^(services|traffic)\[(\d+)\]\.(\w+)/.exec(path);
  if (!match || !useSystem?.checked) return path;
  const [, list, index, key] = match;
  const rows = keptRows(list === "services" ? "service" : "call");
  const row = rows[Number(index)];
  if (!row) return list;
  const name = list === "traffic" ? { from: "source", to: "target", rps: "rps" }[key] || key : key;
  return `${rowPrefix(row)}-${name}`;
}

function showSettingsFor(pattern) {
  for (const details of form.querySelectorAll("details.settings[data-pattern]")) {
    const own = details.dataset.pattern;
    details.hidden = !(own === "common" || pattern === "all" || own === pattern);
  }
}

form.addEventListener("change", (e) => {
  if (e.target.name === "pattern") showSettingsFor(e.target.value);
});
showSettingsFor(form.elements.pattern.value);

function scenarioFromForm() {
  const name = fieldValue("scenario");
  const entry = builtins[name] || builtins[""];
  const scenario = clone(entry.raw);
  const pattern = form.elements.pattern.value;
  if (pattern !== "all") scenario.pattern = pattern;
  else delete scenario.pattern;
  scenario.seed = Number(fieldValue("seed"));
  const rps = Number(fieldValue("rps"));
  if (entry.traffic && entry.traffic.some((call) => call.rps !== rps)) {
    scenario.traffic = entry.traffic.map((call) => ({ ...call, rps }));
  }
  settingsFromForm(scenario);
  if (useSystem?.checked) {
    const own = systemFromForm();
    scenario.services = own.services;
    scenario.traffic = own.traffic;
    scenario.actions = (scenario.actions || []).filter((a) => !a.task && !a.service);
  }
  return { scenario, pattern };
}

// ------------------------------------------------------------------ errors beside the fields

function clearErrors() {
  for (const error of form.querySelectorAll("[data-error-for]")) {
    error.hidden = true;
    error.textContent = "";
    error.closest(".field")?.classList.remove("field--invalid");
  }
}

// "traffic[0].rps" -> the rps field; "settings.alb.x" -> that field; else the status line.
function showError(path, reason) {
  const field = fieldForPath(path.replace(/^scenario\./, ""));
  const candidates = [field, field.replace(/^scenario\./, ""), field.replace(/\[\d+\]/g, "").split(".").pop()];
  for (const name of candidates) {
    const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
    if (slot) {
      slot.textContent = reason;
      slot.hidden = false;
      slot.closest(".field")?.classList.add("field--invalid");
      form.elements[name]?.focus?.();
      return;
    }
  }
  const text = `${field}: ${reason}`;
  statusLine.textContent = text;
  const playerStatus = playerRoot.querySelector("[data-role=status]");
  if (playerStatus) playerStatus.textContent = `✕ ${text}`;
}

function checkForm() {
  clearErrors();
  const rps = Number(fieldValue("rps"));
  const seed = Number(fieldValue("seed"));
  let ok = true;
  if (!(rps > 0 && rps <= 10000)) {
    showError("rps", form.querySelector("[data-error-for=rps]").dataset.message || "0 < rps ≤ 10000");
    ok = false;
  }
  if (!Number.isInteger(seed) || seed < 0) {
    showError("seed", form.querySelector("[data-error-for=seed]").dataset.message || "seed ≥ 0");
    ok = false;
  }
  return ok;
}

// ------------------------------------------------------------------ messages from the engine

let lastRun = [];

function heard(message) {
  if (message.type === "error") {
    showError(message.field || "", message.reason || message.error || "");
    return;
  }
  if (message.type === "hello") {
    fillServices(message.scenario);
    updateExports(message);
  }
  lastRun.push(message);
  if (message.permalink) updatePermalink(message.permalink);
}

function updatePermalink(token) {
  const link = page.querySelector("[data-role=permalink]");
  const url = new URL(page.dataset.pageUrl, window.location.href);
  url.searchParams.set("run", token);
  link.href = url.pathname + url.search;
  link.removeAttribute("aria-disabled");
}

// SVG, PNG and DOT of each diagram shown (the diagram endpoints), then the run's JSON.
function updateExports(hello) {
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
      link.href = url.replace(/\.svg(\?|$)/, `.${kind}$1`);
      link.download = `kumoben-${pattern}.${kind}`;
      link.textContent = several ? `${player.strings.get(`pattern-${pattern}`)} ${kind.toUpperCase()}` : kind.toUpperCase();
      const item = document.createElement("li");
      item.appendChild(link);
      list.insertBefore(item, jsonItem);
    }
  }
  jsonItem.querySelector("a").removeAttribute("aria-disabled");
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

// A setting changed mid-run is an engine action too: applied now at the live head, or a fork.
const setNow = playerRoot.querySelector("[data-role=set-now]");
setNow?.addEventListener("submit", (e) => {
  e.preventDefault();
  const raw = setNow.elements.value.value.trim();
  if (!raw) return;
  const value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw === "true" ? true : raw === "false" ? false : raw;
  player.act({ do: "set", setting: setNow.elements.setting.value, value });
});

// ------------------------------------------------------------------ start

function describeScenario() {
  const option = form.elements.scenario.selectedOptions[0];
  form.querySelector("[data-role=scenario-text]").textContent = option?.dataset.text || "";
  const pattern = option?.dataset.pattern;
  if (pattern) {
    const radio = form.querySelector(`input[name=pattern][value="${pattern}"]`);
    if (radio) radio.checked = true;
  }
}

form.elements.scenario.addEventListener("change", describeScenario);
describeScenario();

async function start(mode, scenario, pattern) {
  statusLine.textContent = "";
  lastRun = [];
  if (mode === "instant") await player.runInstant(scenario, pattern);
  else player.startLive(scenario, pattern);
  playerRoot.scrollIntoView({ block: "start", behavior: "auto" });
  playerRoot.querySelector("button[data-control=play]").focus({ preventScroll: true });
}

// The engine checks the scenario before anything runs; its reasons land beside the fields.
async function validate(scenario, pattern, mode) {
  try {
    const response = await fetch(page.dataset.validateUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify({ scenario, pattern, seed: scenario.seed, mode }),
      credentials: "same-origin",
    });
    if (response.ok) return true;
    const error = await response.json().catch(() => ({}));
    showError(error.field || "", error.reason || String(response.status));
    return false;
  } catch {
    return true;  // the run itself will report a network failure
  }
}

form.addEventListener("submit", async (e) => {
  e.preventDefault();
  if (!checkForm()) return;
  const mode = e.submitter?.value === "instant" ? "instant" : "live";
  const { scenario, pattern } = scenarioFromForm();
  if (!(await validate(scenario, pattern, mode))) return;
  start(mode, scenario, pattern);
});

// A permalink replays its run: the server decodes the token (scenario, seed, pattern, log).
const opened = document.getElementById("opened-run");
if (opened) {
  const run = JSON.parse(opened.textContent);
  const radio = form.querySelector(`input[name=pattern][value="${run.pattern}"]`);
  if (radio) radio.checked = true;
  form.elements.seed.value = run.seed;
  updatePermalink(run.token);
  start("live", { permalink: run.token, seed: run.seed }, run.pattern);
}
