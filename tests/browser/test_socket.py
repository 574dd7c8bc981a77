"""The shared WebSocket client (static/js/socket.js) against a daphne that is killed and
started again: retries come after growing, jittered delays, and what was sent while the
server was away arrives in order once it is back."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.servers import DaphneServer

BASE_MS = 100
CAP_MS = 800
STABLE_MS = 500
RETRIES = 6  # watched while the server is down: four doublings, then two at the cap

# Two clients of /ws/status/ (it answers {type: "ping", id} with a pong of the same id).
# Every WebSocket the page constructs is logged, apart from what the client says about itself.
OPEN_CLIENTS = """async ([base, cap, stable]) => {
  const { Socket } = await import('/static/js/socket.js');
  const Native = window.WebSocket;
  const log = { built: [], clients: {} };
  window.socketLog = log;
  window.WebSocket = class extends Native {
    constructor(url) { super(url); log.built.push(performance.now()); }
  };
  const make = (name, queueLimit) => {
    const mine = { opens: [], retries: [], pongs: [], closed: [], states: [] };
    log.clients[name] = mine;
    const socket = new Socket('/ws/status/', {
      backoff: { baseMs: base, capMs: cap }, stableMs: stable, queueLimit,
      onConnecting: ({ attempt }) => mine.states.push(['connecting', attempt, performance.now()]),
      onOpen: ({ reconnected }) => mine.opens.push(reconnected),
      onMessage: (frame) => { if (frame.type === 'pong') mine.pongs.push(frame.id); },
      onReconnecting: ({ attempt, delayMs }) => {
        mine.retries.push({ attempt, delayMs, at: performance.now() });
        mine.states.push(['reconnecting', attempt, performance.now()]);
      },
      onClose: ({ code }) => mine.closed.push(code),
    });
    socket.open();
    return socket;
  };
  window.sockets = { a: make('a', 5), b: make('b', 5) };
}"""


def retries(page: Page, name: str) -> list[dict[str, float]]:
    return page.evaluate(f"window.socketLog.clients.{name}.retries")  # type: ignore[no-any-return]


def test_socket_retries_with_jittered_growing_delays_and_delivers_the_queue_in_order(
    page: Page,
    restartable_server: DaphneServer,
) -> None:
    server = restartable_server
    page.goto(server.url + "/")
    indicator = page.locator("#live-status")
    expect(indicator).to_have_attribute("data-state", "connected")
    page.evaluate(OPEN_CLIENTS, [BASE_MS, CAP_MS, STABLE_MS])
    page.wait_for_function("() => ['a', 'b'].every(n => window.socketLog.clients[n].opens.length)")
    # Open for longer than STABLE_MS: the outage's retries start from the base.
    page.wait_for_timeout(STABLE_MS + 200)

    server.kill()
    page.wait_for_function("() => window.socketLog.clients.a.retries.length >= 1")
    # Sent while down: five fit in the queue; the sixth and seventh are refused.
    accepted = page.evaluate("[1, 2, 3, 4, 5, 6, 7].map(id => sockets.a.send({type: 'ping', id}))")
    page.wait_for_function(
        f"() => ['a', 'b'].every(n => window.socketLog.clients[n].retries.length >= {RETRIES})",
        timeout=20_000,
    )
    server.start()

    page.wait_for_function("() => window.socketLog.clients.a.pongs.length >= 5", timeout=20_000)
    page.wait_for_function("() => window.socketLog.clients.b.opens.length === 2")
    log = page.evaluate("window.socketLog")

    assert accepted == [True] * 5 + [False] * 2
    a, b = log["clients"]["a"], log["clients"]["b"]
    # The queue went out in order on the new connection, and nothing was sent twice.
    assert a["pongs"] == [1, 2, 3, 4, 5]
    assert a["opens"] == [False, True]
    assert a["closed"] == b["closed"] == []

    for client in (a, b):
        delays = [r["delayMs"] for r in client["retries"]]
        assert [r["attempt"] for r in client["retries"]] == list(range(len(delays)))
        for n, delay in enumerate(delays):
            nominal = min(CAP_MS, BASE_MS * 2**n)
            assert nominal / 2 <= delay <= nominal  # jitter scales the delay by 0.5-1.0
        # Growing up to the cap: each delay is at least the previous one's nominal bound.
        assert delays[:4] == sorted(delays[:4])
        assert all(d > CAP_MS / 2 for d in delays[4:RETRIES])
        # The delay is really waited: the next WebSocket is built that long after the drop.
        tries = [s for s in client["states"] if s[0] == "connecting"][1:]
        for retry, attempt in zip(client["retries"], tries, strict=False):
            waited = attempt[2] - retry["at"]
            assert retry["delayMs"] - 5 <= waited <= retry["delayMs"] + 500
    # Jittered: two clients dropped by the same restart do not retry in step.
    pairs = zip(a["retries"][:RETRIES], b["retries"][:RETRIES], strict=True)
    assert all(x["delayMs"] != y["delayMs"] for x, y in pairs)
    # Every attempt the clients announced was a real WebSocket.
    attempts = sum(1 for c in (a, b) for s in c["states"] if s[0] == "connecting")
    assert len(log["built"]) == attempts

    # The indicator keeps to one connection: closed by the restart, and it stays so.
    expect(indicator).to_have_attribute("data-state", "closed")

    # Open past STABLE_MS again, a drop retries from the base once more.
    page.wait_for_timeout(STABLE_MS + 200)
    page.evaluate("sockets.a.drop()")
    page.wait_for_function("() => window.socketLog.clients.a.opens.length === 3")
    assert retries(page, "a")[-1]["attempt"] == 0

    # close() is final: reported once, and no further attempt follows.
    page.evaluate("sockets.a.close()")
    page.wait_for_function("() => window.socketLog.clients.a.closed.length === 1")
    built = page.evaluate("window.socketLog.built.length")
    page.wait_for_timeout(2 * BASE_MS)
    assert page.evaluate("window.socketLog.built.length") == built
    assert page.evaluate("sockets.a.send({type: 'ping', id: 9})") is False

    # Chromium logs each refused handshake while the server is down; nothing else may appear.
    errors = page.errors.messages  # type: ignore[attr-defined]
    assert [m for m in errors if "WebSocket connection to" not in m] == []
    errors.clear()


def test_backoff_doubles_to_its_cap_scaled_by_half_to_whole(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + "/")
    bounds = page.evaluate(
        """async () => {
             const { backoffDelay } = await import('/static/js/socket.js');
             return [0, 1, 2, 3, 4, 5, 9].map((n) => [0, 1].map((r) => backoffDelay(n, undefined, () => r)));
           }"""
    )
    # The default (the study room's): 400 ms doubling, at most 8 s.
    assert bounds == [
        [200, 400],
        [400, 800],
        [800, 1600],
        [1600, 3200],
        [3200, 6400],
        [4000, 8000],
        [4000, 8000],
    ]
