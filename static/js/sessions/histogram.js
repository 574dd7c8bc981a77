// A horizontal bar chart as SVG built with DOM calls (no inline style: the CSP forbids it).
// The geometry matches patterns.services.histogram_rows, which draws the report's charts.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 320;
const ROW = 36;
const BAR_MAX = 250;

function node(name, attributes, content) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (content !== undefined) element.textContent = content;
  return element;
}

export function drawHistogram(container, tally, label) {
  const top = Math.max(0, ...tally.counts) || 1;
  const height = Math.max(ROW, tally.counts.length * ROW);
  // role="img" hides the bars' text from screen readers, so the label carries the numbers.
  const summary = tally.labels.map((name, i) => `${name}: ${tally.counts[i]}`).join("; ");
  const svg = node("svg", {
    class: "histogram__svg",
    viewBox: `0 0 ${WIDTH} ${height}`,
    role: "img",
    "aria-label": `${label} (${summary})`,
  });
  tally.labels.forEach((name, i) => {
    const count = tally.counts[i];
    const correct = tally.correct === i;
    const y = i * ROW;
    const width = Math.round((BAR_MAX * count * 10) / top) / 10;
    const group = node("g", { class: correct ? "bar bar--correct" : "bar", "data-count": count });
    group.append(
      node("text", { x: 0, y: y + 12, class: "bar__label" }, `${correct ? "✓ " : ""}${name}`),
      node("rect", { x: 0, y: y + 16, width, height: 14, rx: 2, class: "bar__rect" }),
      node("text", { x: width + 6, y: y + 27, class: "bar__count" }, String(count)),
    );
    svg.append(group);
  });
  container.replaceChildren(svg);
  container.dataset.answered = String(tally.answered);
}
