// The session's shared simulation in the playground player. The room socket carries the
// player's own messages with a "sim." prefix (sim.hello, sim.frame, sim.log, sim.status); the
// room state's `sim` part carries the shared clock, which a following player tracks.
//
// Instructor: the player's play, pause and speed buttons and its task actions become session
// commands (clicks with an id that wait out a dropped connection: RoomSocket.request).
// Projector: play, pause and speed do too; acting on a task belongs to the console. Student:
// following, the view tracks the shared clock; touching the player's time controls (or acting
// on a task, which forks a private branch through the playground's run endpoint) unfollows, and
// re-following returns to the shared branch at the shared time.
import { Player } from "../player/player.js";

const SYNC_MS = 200;
const SHARED_BRANCH = 0;
// A sim.older request with no answer (a dropped connection) is sent again after this long.
const OLDER_RETRY_MS = 5000;

export class SharedSim {
  constructor({ role, socket, clock, onUnfollow = null }) {
    this.root = document.getElementById("player");
    this.section = document.getElementById("shared-sim");
    this.role = role;
    this.socket = socket;
    this.clock = clock;  // the page's SimClock: the shared virtual time from the state's anchors
    this.onUnfollow = onUnfollow;
    this.following = true;
    this.sim = null;
    this.run = null;
    this.player = null;
    if (!this.root) return;
    // The instructor's screens keep their page keys for the slides (console) or the room
    // (projector); the player's own keys work from inside it.
    this.player = new Player(this.root, {
      pageKeys: role === "student",
      runUrl: this.section?.dataset.runUrl || null,
      onAct: (action) => this._act(action),
      onGap: (t) => this._fetchOlder(t),
    });
    this.asked = null;  // the sim.older request on its way: {from, at}
    window.kumobenPlayer = this.player;  // for the browser tests
    window.kumobenRoomSocket = socket;  // for the browser tests (they drop it)
    socket.resumeQuery = () => this.resumeQuery();
    if (role === "instructor" || role === "projector") this._bindInstructor();
    else this._bindStudent();
    setInterval(() => this.sync(), SYNC_MS);
  }

  // A room message; true when it was the simulation's.
  handle(frame) {
    if (!frame.type?.startsWith("sim.") || !this.player) return false;
    if (frame.type === "sim.history") {
      // The frames so far, in batches, for a screen arriving late (or again after a restart).
      for (const item of frame.frames) this.handle(item);
      return true;
    }
    if (frame.type === "sim.resume") {
      // Back after a drop: the frames held stay; those from rewind.seq on are sent again
      // (with any action missed meanwhile), as after an action that lands in sent windows.
      if (frame.run !== this.run) return true;
      this.player.handle({ type: "log", branch: SHARED_BRANCH, log: frame.log, rewind: frame.rewind });
      this.sync();
      return true;
    }
    if (frame.type === "sim.snapshot") {
      // A new screen's frames start near the shared clock; earlier windows come when asked.
      this.asked = null;
      this.player.snapshot(frame);
      return true;
    }
    if (frame.type === "sim.older") {
      this.asked = null;
      this.player.olderFrames(frame);
      this.player._setStatus("playing");
      return true;
    }
    const message = { ...frame, type: frame.type.slice(4) };
    if (message.type === "hello") {
      // Every hello is followed by the whole trace so far (a new run, a join or a reconnect
      // after a restart), so the player starts over rather than filing events twice.
      this.run = message.run;
      this.clock.setDuration(message.run, message.duration_s);
      this.player.follow(message.scenario, message.pattern);
      if (this.section) this.section.dataset.run = message.run;
    }
    this.player.handle(message);
    if (message.type === "frame") this.sync();
    return true;
  }

  // The shown time is in windows before the snapshot: ask for the earliest ones not held, a
  // bounded number at a time, from the start forward (the diagram's state at any time needs
  // every change before it); each answer files them and the next render asks again if needed.
  _fetchOlder() {
    // Following, the view goes to the shared time (past the snapshot's start) at the next sync.
    if (this.following) return;
    const gap = this.player?.store.branches.get(SHARED_BRANCH)?.missing;
    if (!gap || (this.asked && performance.now() - this.asked.at < OLDER_RETRY_MS && this.asked.from === gap.fromWindow)) return;
    const to = Math.min(gap.toWindow, gap.fromWindow + Math.max(1, gap.most || 1));
    this.asked = { from: gap.fromWindow, at: performance.now() };
    this.socket.send({ type: "sim.older", from: gap.fromWindow, to });
    this.player._setStatus("older");
  }

  // What this screen holds of the shared run, for the next connection's URL: the run, the next
  // frame it expects (it holds every one before it) and how many actions of the log it has seen.
  // The server then sends only what is missing (patterns/sessions/stream.py, Have).
  resumeQuery() {
    const branch = this.player?.store.branches.get(SHARED_BRANCH);
    if (!this.run || !branch || this.player.store.run !== this.run) return "";
    const next = branch.lastSeq + 1;
    // Every frame before `next` but those a snapshot left out (and not fetched since).
    const left = branch.missing ? branch.missing.toSeq - branch.missing.fromSeq : 0;
    if (next <= 0 || branch.seqs.length !== next - left) return "";
    return `sim=${encodeURIComponent(`${this.run}.${next}.${branch.log.length}`)}`;
  }

  // The room state's sim part (the shared clock's anchors and the run).
  state(sim) {
    this.sim = sim;
    if (this.section) this.section.hidden = !sim?.run;
    this.sync();
  }

  setFollowing(value) {
    this.following = value;
    if (!this.player) return;
    this.root.dataset.following = String(value);
    if (value && this.player.store.branches.has(SHARED_BRANCH)) this.player.switchBranch(SHARED_BRANCH);
    this.sync();
  }

  // Following: the player shows the shared time (never past the frames it holds).
  sync() {
    const player = this.player;
    if (!player || !this.following || !this.sim?.run || player.mode !== "follow") return;
    if (player.branchId !== SHARED_BRANCH) return;
    const end = player.branch.end;
    const shared = this.clock.now();
    const target = Math.max(0, Math.min(shared, end));
    player.clock.speed = this.sim.speed;
    player.clock.playing = this.sim.playing && target < player.store.duration;
    player.clock.limit = Math.max(player.clock.limit, end);
    // While playing, small drift is left to the player's own clock (a jump such as a join
    // snaps it); paused, every screen shows exactly the shared moment.
    const drift = Math.abs(player.clock.now - target);
    if (!this.sim.playing ? drift > 0 : drift > 0.25 * Math.max(1, this.sim.speed)) player.clock.now = target;
    player._syncButtons();
  }

  _act(action) {
    if (this.role === "instructor") {
      this.socket.request({ type: "action", action });
      return true;
    }
    if (this.role === "projector") return true;  // faults are the console's
    // A student's action is theirs alone: a private fork (the player's own mechanism).
    this._unfollow();
    return false;
  }

  _unfollow() {
    if (this.following) this.onUnfollow?.();
  }

  _bindInstructor() {
    // The player's transport drives the room for everyone, not this screen alone.
    this.root.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-control]");
      if (!button) return;
      const control = button.dataset.control;
      if (control === "play") {
        event.stopPropagation();
        this.socket.request({ type: this.sim?.playing ? "pause" : "play" });
      } else if (control === "speed") {
        event.stopPropagation();
        this.socket.request({ type: "speed", value: Number(button.dataset.speed) });
      }
    }, true);
    const form = document.getElementById("sim-start");
    form?.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(form);
      this.socket.request({ type: "scenario", scenario: data.get("scenario"), pattern: data.get("pattern") });
    });
  }

  _bindStudent() {
    // Taking the player's time in hand means exploring on one's own.
    const leave = (event) => {
      if (event.target.closest("button[data-control], [data-role=timeline], [data-role=jump], [data-role=event-rows]")) this._unfollow();
    };
    this.root.addEventListener("click", leave, true);
    this.root.addEventListener("keydown", (event) => {
      if ([" ", "ArrowLeft", "ArrowRight"].includes(event.key)) this._unfollow();
    }, true);
  }
}
