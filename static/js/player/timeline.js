// The scrub bar: a native range input (keyboard and screen reader for free), the buffered
// extent, and marker buttons for actions and key control-plane events.

import { formatSeconds } from "./strings.js";

// Causes worth a marker on the timeline besides actions.
export const KEY_CAUSES = new Set([
  "task_killed", "task_stopped", "sigterm_sent", "unhealthy_threshold_reached", "healthy_threshold_reached",
  "target_draining", "deregistration_delay_elapsed", "outlier_ejected", "outlier_returned",
  "dns_record_removed", "dns_propagated", "cloud_map_deregistered", "eds_push", "az_outage",
  "az_recovered", "deployment_started", "deployment_finished", "container_health_failed",
  "fail_open_all_unhealthy", "panic_mode",
]);

export function isMarker(event) {
  return event.kind === "action" || KEY_CAUSES.has(event.cause);
}

export class Timeline {
  constructor(root, strings, onSeek) {
    this.root = root;
    this.strings = strings;
    this.range = root.querySelector("input[type=range]");
    this.buffered = root.querySelector("[data-role=buffered]");
    this.markers = root.querySelector("[data-role=markers]");
    this.fork = root.querySelector("[data-role=fork-mark]");
    this.duration = 1;
    this.markerKey = "";
    this.range.addEventListener("input", () => onSeek(Number(this.range.value)));
    this.markers.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-t]");
      if (button) onSeek(Number(button.dataset.t), button.dataset.event);
    });
  }

  setDuration(duration) {
    this.duration = Math.max(duration, 0.001);
    this.range.max = String(duration);
    this.range.step = "0.1";
  }

  update(now, bufferedEnd, forkAt) {
    if (document.activeElement !== this.range || Math.abs(Number(this.range.value) - now) > 0.05) {
      this.range.value = String(now);
    }
    this.range.setAttribute("aria-valuetext", this.strings.get("time-of", { t: formatSeconds(now), d: formatSeconds(this.duration, 0) }));
    this.buffered.style.width = `${(100 * Math.min(bufferedEnd, this.duration)) / this.duration}%`;
    if (forkAt === null || forkAt === undefined) this.fork.hidden = true;
    else {
      this.fork.hidden = false;
      this.fork.style.left = `${(100 * forkAt) / this.duration}%`;
    }
  }

  // markers: [{t, kind, text, id}] (already picked); redrawn only when they change.
  setMarkers(markers) {
    const key = markers.map((m) => `${m.t}:${m.kind}`).join("|");
    if (key === this.markerKey) return;
    this.markerKey = key;
    const items = document.createDocumentFragment();
    let lastPct = -10;
    for (const marker of markers) {
      const pct = (100 * marker.t) / this.duration;
      if (marker.kind !== "action" && pct - lastPct < 0.8) continue;  // keep them clickable
      lastPct = pct;
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = `marker marker--${marker.kind === "action" ? "action" : "control"}`;
      button.dataset.t = String(marker.t);
      button.dataset.event = marker.id;
      button.textContent = marker.kind === "action" ? "⚡" : "▲";
      const label = `${this.strings.seconds(marker.t)}: ${marker.text}`;
      button.setAttribute("aria-label", label);
      button.title = label;
      button.style.left = `${pct}%`;
      li.appendChild(button);
      items.appendChild(li);
    }
    this.markers.replaceChildren(items);
  }
}
