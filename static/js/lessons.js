// Story mode and presenter mode for lessons. Loaded as an ES module (the CSP forbids inline script).
// Story mode works without this file (Back/Continue are real links); it only adds keys and focus.
import { mountEmbed } from "./player/embed.js";
import { followPlayhead } from "./player/links.js";

// Story mode leaves PageUp/PageDown to scroll a long step; presenter mode takes them (clickers
// send them) and leaves ↑ ↓ and Space to scroll a slide that is taller than the screen.
const STORY_NEXT = new Set(["ArrowRight"]);
const STORY_PREV = new Set(["ArrowLeft"]);
const DECK_NEXT = new Set(["ArrowRight", "PageDown"]);
const DECK_PREV = new Set(["ArrowLeft", "PageUp"]);

// Keys typed into a form control or inside an embedded player belong to them, not to the lesson.
function ownsKeys(target) {
  return target instanceof Element &&
    target.closest("input, textarea, select, [contenteditable], .embed-player, .embed-comparison") !== null;
}

function plainKey(event) {
  return !(event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey);
}

function initStory(root) {
  document.addEventListener("keydown", (event) => {
    if (!plainKey(event) || ownsKeys(event.target)) return;
    const rel = STORY_NEXT.has(event.key) ? "next" : STORY_PREV.has(event.key) ? "prev" : null;
    if (rel === null) return;
    const link = root.querySelector(`.step-nav a[rel~="${rel}"]`);
    if (link === null) return;
    event.preventDefault();
    window.location.assign(link.href);
  });
  // Arriving from another step of the same lesson: put focus on the new step's heading so keyboard
  // and screen-reader users start reading there rather than at the top of the page.
  let from = null;
  try {
    from = document.referrer ? new URL(document.referrer) : null;
  } catch {
    from = null;
  }
  if (from !== null && from.origin === window.location.origin && from.pathname === window.location.pathname) {
    root.querySelector("#step-title")?.focus({ preventScroll: false });
  }
}

// The deck's live player: the shown slide's player embed runs; the one of the slide left behind
// stops (its clock, keys and run) and gives its place back to the static summary.
class DeckPlayer {
  constructor(deck) {
    this.template = document.querySelector("template[data-lesson-player]");
    this.runUrl = deck.dataset.runUrl;
    this.embed = null;
    this.player = null;
    this.ticket = 0;
  }

  async show(slide) {
    this.stop();
    const embed = slide.querySelector(".embed-player[data-scenario]");
    if (!embed || !this.template || !this.runUrl) return;
    const ticket = ++this.ticket;
    this.embed = embed;
    const player = await mountEmbed(embed, this.template, this.runUrl, { pageKeys: false });
    if (ticket !== this.ticket) {
      player?.destroy();  // another slide was shown while this one's run loaded
      player?.root.remove();
      return;
    }
    this.player = player;
    if (player) window.kumobenPlayer = player;  // for the browser tests
  }

  stop() {
    this.ticket += 1;
    if (this.player) {
      this.player.destroy();
      this.player.root.remove();
      window.kumobenPlayer = null;
    }
    if (this.embed) {
      this.embed.classList.remove("embed-player--live");
      const summary = this.embed.querySelector(".embed-player__fallback .readout");
      if (summary) summary.hidden = false;
    }
    this.player = null;
    this.embed = null;
  }
}

function initDeck(deck) {
  const livePlayer = new DeckPlayer(deck);
  const slides = Array.from(deck.querySelectorAll("[data-slide]"));
  const total = slides.length;
  const prev = document.querySelector("[data-deck-prev]");
  const next = document.querySelector("[data-deck-next]");
  const status = document.querySelector("[data-deck-status]");
  const exit = document.querySelector("[data-deck-exit]");
  const fullscreen = document.querySelector("[data-deck-fullscreen]");
  document.body.classList.add("deck-js");

  function fromHash() {
    const match = /^#slide-(\d+)$/.exec(window.location.hash);
    const number = match ? Number(match[1]) : Number(deck.dataset.start || "1");
    return Math.min(Math.max(number, 1), total);
  }

  let current = 0;
  function show(number, { focus = true } = {}) {
    const previous = current;
    current = Math.min(Math.max(number, 1), total);
    slides.forEach((slide, index) => { slide.hidden = index + 1 !== current; });
    if (current !== previous) livePlayer.show(slides[current - 1]);
    prev.href = `#slide-${Math.max(current - 1, 1)}`;
    next.href = `#slide-${Math.min(current + 1, total)}`;
    prev.toggleAttribute("aria-disabled", current === 1);
    next.toggleAttribute("aria-disabled", current === total);
    status.textContent = slides[current - 1].querySelector(".slide__number").textContent;
    const exitUrl = new URL(exit.href);
    exitUrl.searchParams.set("step", String(current));
    exit.href = exitUrl.toString();
    history.replaceState(null, "", `#slide-${current}`);
    if (focus) slides[current - 1].querySelector("h2").focus({ preventScroll: true });
    document.documentElement.scrollTop = 0;
  }

  prev.addEventListener("click", (event) => { event.preventDefault(); show(current - 1); });
  next.addEventListener("click", (event) => { event.preventDefault(); show(current + 1); });
  window.addEventListener("hashchange", () => show(fromHash()));

  document.addEventListener("keydown", (event) => {
    if (!plainKey(event) || ownsKeys(event.target)) return;
    const key = event.key;
    if (DECK_NEXT.has(key)) show(current + 1);
    else if (DECK_PREV.has(key)) show(current - 1);
    else if (key === "Home") show(1);
    else if (key === "End") show(total);
    else if (key === "f" || key === "F") toggleFullscreen();
    else return;
    event.preventDefault();
  });

  function toggleFullscreen() {
    if (!document.fullscreenEnabled) return;
    if (document.fullscreenElement) document.exitFullscreen();
    else document.documentElement.requestFullscreen().catch(() => {});
  }
  if (document.fullscreenEnabled) {
    fullscreen.hidden = false;
    fullscreen.addEventListener("click", toggleFullscreen);
  }

  show(fromHash(), { focus: false });
}

// A step's player embed becomes the playground's trace player (player/embed.js).
async function initPlayer(story) {
  const embed = story.querySelector(".embed-player[data-scenario]");
  const template = document.querySelector("template[data-lesson-player]");
  if (!embed || !template || !story.dataset.runUrl) return;
  story.querySelector(".step").classList.add("step--player-live");
  const player = await mountEmbed(embed, template, story.dataset.runUrl);
  if (!player) return;
  window.kumobenPlayer = player;  // for the browser tests, as on the playground and lab pages
  followPlayhead(story, player);  // "Explore from here" opens the playground at its playhead
}

const story = document.querySelector("[data-lesson-story]");
if (story) {
  initStory(story);
  initPlayer(story);
}
const deck = document.querySelector("[data-deck]");
if (deck) initDeck(deck);
