// A lesson slide's player embed, live on the projector and the phones: the shown slide's run
// plays in its own player; when the slide changes, the old player stops (clock, keys, run)
// before the new one starts.
import { mountEmbed } from "../player/embed.js";

export class SlidePlayers {
  constructor(runUrl) {
    this.template = document.querySelector("template[data-lesson-player]");
    this.runUrl = runUrl;
    this.player = null;
    this.ticket = 0;
  }

  async show(container) {
    this.stop();
    const embed = container.querySelector(".embed-player[data-scenario]");
    if (!embed || !this.template || !this.runUrl) return;
    const ticket = this.ticket;
    const player = await mountEmbed(embed, this.template, this.runUrl, { idPrefix: "slide-", pageKeys: false });
    if (ticket !== this.ticket) {
      player?.destroy();  // the slide changed while this run loaded
      return;
    }
    this.player = player;
    window.kumobenSlidePlayer = player;  // for the browser tests
  }

  stop() {
    this.ticket += 1;
    this.player?.destroy();
    this.player = null;
    window.kumobenSlidePlayer = null;
  }

  // Space on the projector when no shared run is on: the slide's own player plays or pauses.
  toggle() {
    if (!this.player) return false;
    this.player.toggle();
    return true;
  }
}
