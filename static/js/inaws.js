// "In AWS" panels. Loaded as an ES module (the CSP forbids inline script); the panels work as
// links and forms without it, this file only fills the playground/lab form from the page's run and
// copies code to the clipboard.

function currentRun(panel) {
  const source = document.getElementById(panel.dataset.inawsSource || "");
  if (source) {
    try {
      const run = JSON.parse(source.textContent);
      if (run && run.scenario) return { scenario: JSON.stringify(run.scenario), pattern: run.pattern || "" };
    } catch (error) { /* fall through to the form's own choices */ }
  }
  // The playground before its first check: the chosen built-in scenario and pattern.
  const select = document.getElementById("scenario");
  const pattern = document.querySelector("input[name=pattern]:checked");
  if (select && select.value) return { scenario: select.value, pattern: pattern ? pattern.value : "" };
  return null;
}

document.body.addEventListener("htmx:configRequest", (event) => {
  const form = event.detail.elt;
  if (!form.classList || !form.classList.contains("inaws__form")) return;
  const panel = form.closest("[data-inaws-source]");
  const run = panel && currentRun(panel);
  const empty = form.querySelector("[data-role=inaws-empty]");
  if (!run) {
    event.preventDefault();
    if (empty) empty.hidden = false;
    return;
  }
  if (empty) empty.hidden = true;
  event.detail.parameters.scenario = run.scenario;
  event.detail.parameters.pattern = run.pattern;
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

// A panel already showing a configuration follows the setup: when the playground's setup check or a
// lab's Check answers again, ask for the configuration again.
document.body.addEventListener("htmx:afterSwap", (event) => {
  const elt = event.detail && event.detail.elt;
  if (!elt || !elt.closest || elt.closest("[data-inaws-source]")) return;
  if (!elt.closest("#setup, #lab-check")) return;
  for (const panel of document.querySelectorAll("[data-inaws-source]")) {
    const out = panel.querySelector(".inaws__out");
    const form = panel.querySelector(".inaws__form");
    if (out && form && out.childElementCount) form.requestSubmit();
  }
});
