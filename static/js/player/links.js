// Links into the playground that open the run a page's player shows at its playhead ("Explore
// from here", "Open this run in the playground"): the server writes the run into the link with
// t=0, and the link's t is brought up to date whenever it is about to be followed (a press, a key,
// a copy from the context menu). Every `a[data-follows-playhead]` inside `scope` follows `player`.

function update(link, player) {
  const url = new URL(link.href, window.location.href);
  url.searchParams.set("t", String(Math.round(player.clock.now * 1000) / 1000));
  link.href = url.pathname + url.search;
}

export function followPlayhead(scope, player) {
  for (const kind of ["pointerdown", "focusin", "contextmenu", "click"]) {
    scope.addEventListener(kind, (e) => {
      const link = e.target instanceof Element ? e.target.closest("a[data-follows-playhead]") : null;
      if (link) update(link, player);
    });
  }
}
