// UI text comes from the page (translated by Django); modules never hard-code words.
// <template id="player-strings"><span data-key="play">Play</span>…</template>

export class Strings {
  constructor(template) {
    this.map = new Map();
    for (const span of template?.content.querySelectorAll("[data-key]") || []) {
      this.map.set(span.dataset.key, span.textContent);
    }
  }

  has(key) {
    return this.map.has(key);
  }

  // "Fork at {t} s" with {t: "75.0"} -> "Fork at 75.0 s"
  get(key, vars = {}) {
    const text = this.map.get(key) ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
  }

  // A time in seconds with its unit in the page's language: "61.250 s", "61.250 秒".
  seconds(t, digits = 1) {
    return this.get("unit-seconds", { t: formatSeconds(t, digits) });
  }

  // A duration given in seconds, written in milliseconds: "18.6 ms", "18.6 ミリ秒".
  ms(seconds) {
    return this.get("unit-ms", { n: (seconds * 1000).toFixed(1) });
  }
}

export function formatSeconds(t, digits = 1) {
  return Number(t).toFixed(digits);
}

// A short name for an element id: task-inventory-2 -> inventory-2; edge-a--b -> a → b.
export function elementName(id) {
  if (id.startsWith("edge-")) return id.slice(5).split("--").join(" → ");
  return id.replace(/^task-/, "");
}

// The service an element belongs to, when its id says (task-inventory-2 -> inventory).
export function serviceOf(id) {
  let match = /^task-(.+)-\d+$/.exec(id);
  if (match) return match[1];
  match = /^(?:svc|tg|vs|vr|vn|dns-cache)-([a-z][a-z0-9-]*?)(?:-az-.+)?$/.exec(id);
  return match ? match[1] : null;
}

export function taskOf(id) {
  return /^task-(.+-\d+)$/.exec(id)?.[1] ?? null;
}
