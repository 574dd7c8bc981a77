// "Start a deployment" and "Rollback" in the playground's player: the form is the server's
// (patterns/playground/forms.py DeployForm); this module only shows the fields of the chosen
// strategy, disables the strategies a pattern refuses, builds the engine action and puts an
// engine error beside the field its path names ("action.canary_percent" -> canary_percent).

const SHIFTING = ["blue_green", "linear", "canary"];

export class DeployControls {
  constructor(form, { serviceOf, act }) {
    this.form = form;
    this.serviceOf = serviceOf;
    this.act = act;
    this.strategy = form.querySelector("select[name$=strategy]");
    this.alarm = form.querySelector("input[type=checkbox][data-key=alarm]");
    this.pending = false;  // an action of this form is waiting for its answer
    this.strategy.addEventListener("change", () => this.sync());
    this.alarm?.addEventListener("change", () => this.sync());
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.send(this.action());
    });
    form.querySelector("button[data-deploy=rollback]").addEventListener("click", () => {
      this.send({ do: "rollback", service: this.serviceOf() });
    });
    this.sync();
  }

  // Rows of parameters that do not apply are hidden and their inputs disabled (never sent).
  sync() {
    const strategy = this.strategy.value;
    const alarmOn = Boolean(this.alarm?.checked && this.alarm.dataset.strategies.split(" ").includes(strategy));
    for (const row of this.form.querySelectorAll("[data-strategies]:not(input):not(select)")) {
      const applies = row.dataset.strategies.split(" ").includes(strategy);
      row.hidden = !applies;
      const needsAlarm = row.dataset.needs === "alarm";
      for (const input of row.querySelectorAll("input, select")) input.disabled = !applies || (needsAlarm && !alarmOn);
    }
  }

  // patterns: the patterns of the run; one that refuses the shifting strategies disables them.
  setPatterns(patterns) {
    const refused = patterns.filter((p) => this.form.querySelector(`[data-refusal-for="${p}"]`));
    for (const note of this.form.querySelectorAll("[data-refusal-for]")) note.hidden = !refused.includes(note.dataset.refusalFor);
    const describedBy = refused.map((p) => this.form.querySelector(`[data-refusal-for="${p}"]`)).map((n) => {
      n.id = n.id || `deploy-refusal-${n.dataset.refusalFor}`;
      return n.id;
    });
    for (const option of this.strategy.options) option.disabled = refused.length > 0 && SHIFTING.includes(option.value);
    if (describedBy.length) this.strategy.setAttribute("aria-describedby", describedBy.join(" "));
    else this.strategy.removeAttribute("aria-describedby");
    if (this.strategy.selectedOptions[0]?.disabled) this.strategy.value = "rolling";
    this.form.hidden = false;
    this.sync();
  }

  action() {
    const action = { do: "deploy", service: this.serviceOf() };
    const strategy = this.strategy.value;
    if (strategy === "rolling") return action;
    action.strategy = strategy;
    for (const input of this.form.querySelectorAll("input[type=number][data-key]")) {
      if (input.disabled || input.value.trim() === "") continue;
      const key = input.dataset.key;
      const value = Number(input.value);
      if (key.startsWith("alarm.")) {
        action.alarm = action.alarm || {};
        action.alarm[key.slice(6)] = value;
      } else action[key] = value;
    }
    return action;
  }

  send(action) {
    this.clearErrors();
    this.pending = true;
    this.act(action);
  }

  clearErrors() {
    for (const slot of this.form.querySelectorAll("[data-error-for]")) slot.textContent = "";
    for (const input of this.form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  }

  // An answer from the server: a log (applied) clears, an error with an action path is shown
  // beside its field. Returns true when the error was placed here.
  heard(message) {
    if (message.type === "log" && this.pending) {
      this.pending = false;
      this.clearErrors();
      return false;
    }
    if (message.type !== "error" || !this.pending || !String(message.field || "").startsWith("action")) return false;
    this.pending = false;
    const key = message.field.replace(/^action\.?/, "");
    const slot = this.form.querySelector(`[data-error-for="${CSS.escape(key)}"]`) || this.form.querySelector("[data-error-for=form]");
    slot.textContent = `${message.field}: ${message.reason}`;
    const input = this.form.querySelector(`[data-key="${CSS.escape(key)}"]`) || (key === "strategy" ? this.strategy : null);
    if (input) {
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }
    return true;
  }
}
