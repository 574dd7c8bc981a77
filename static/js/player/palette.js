// The fault palette: click (or Enter on) a task or an AZ on the diagram and pick an engine
// action. Service-wide actions (scale, rolling deployment) sit in a bar below the diagram.

import { elementName } from "./strings.js";

function taskActions(task, form) {
  return {
    kill: { do: "kill_task", task },
    stop: { do: "stop_task", task },
    slow: { do: "slow_task", task, delay_ms: Number(form.delay_ms.value) },
    fail: { do: "fail_task", task, status: Number(form.status.value), probability: 1.0 },
    refuse: { do: "refuse_task", task },
    blackhole: { do: "blackhole_task", task },
    recover: { do: "recover_task", task },
  };
}

export class Palette {
  constructor(root, strings, { onAction, onFilterTask, azName }) {
    this.root = root;
    this.strings = strings;
    this.onAction = onAction;
    this.onFilterTask = onFilterTask;
    this.azName = azName;
    this.title = root.querySelector("[data-role=palette-title]");
    this.form = root.querySelector("form");
    this.target = null;
    this.opener = null;
    this.openerScope = null;
    root.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-fault]");
      if (!button) return;
      e.preventDefault();
      this.choose(button.dataset.fault);
    });
    // A click anywhere else closes the palette, as a menu would.
    document.addEventListener("click", (e) => {
      if (!this.root.hidden && !this.root.contains(e.target) && !e.target.closest?.("[data-fault-target]")) this.close(false);
    });
    root.addEventListener("keydown", (e) => {
      if (e.key === "Escape") {
        e.stopPropagation();
        this.close();
      }
    });
  }

  // Make the diagram's tasks and AZ groups reachable by keyboard and clickable.
  attach(diagram) {
    for (const element of diagram.targets()) {
      element.setAttribute("tabindex", "0");
      element.setAttribute("role", "button");
      element.dataset.faultTarget = "true";
      const name = element.id.startsWith("task-") ? elementName(element.id) : this.azName(element.id);
      element.setAttribute("aria-label", this.strings.get("palette-open", { name }));
    }
    const open = (e) => {
      const target = e.target.closest("[data-fault-target]");
      if (!target) return;
      e.preventDefault();
      this.open(target);
    };
    diagram.svg.addEventListener("click", open);
    diagram.svg.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === " ") {
        e.stopPropagation();
        open(e);
      }
    });
  }

  open(element) {
    const isTask = element.id.startsWith("task-");
    this.target = { id: element.id, task: isTask ? elementName(element.id) : null, az: isTask ? null : this.azName(element.id) };
    this.opener = element;
    this.openerScope = element.closest("figure") || document;
    this.root.dataset.target = isTask ? "task" : "az";
    this.title.textContent = this.strings.get(isTask ? "palette-task" : "palette-az", { name: this.target.task || this.target.az });
    this.root.hidden = false;
    const box = element.getBoundingClientRect();
    const host = this.root.offsetParent?.getBoundingClientRect() || { left: 0, top: 0, width: window.innerWidth };
    const left = Math.max(0, Math.min(box.left - host.left, host.width - this.root.offsetWidth));
    this.root.style.left = `${left}px`;
    this.root.style.top = `${box.bottom - host.top + 6}px`;
    this.root.querySelector("button[data-fault]:not([hidden])")?.focus();
  }

  close(refocus = true) {
    this.root.hidden = true;
    // The diagram may have been drawn anew while the palette was open (a new topology): focus
    // goes back to the same element of the diagram now on screen.
    let opener = this.opener;
    if (opener && !opener.isConnected) opener = this.openerScope?.querySelector(`[id="${CSS.escape(opener.id)}"]`);
    if (refocus) opener?.focus();
    this.opener = null;
  }

  choose(kind) {
    const target = this.target;
    if (!target) return;
    if (kind === "close") return this.close();
    if (kind === "events") {
      this.onFilterTask(target.task);
      return this.close();
    }
    let action;
    if (target.task) action = taskActions(target.task, this.form.elements)[kind];
    else action = kind === "az_outage" ? { do: "az_outage", az: target.az } : { do: "az_recover", az: target.az };
    this.close();
    if (action) this.onAction(action);
  }
}
