"""A class on the LAN: the server reached by the machine's network name, a phone joining through
the URL the QR code carries, the 404 page, the instructor's account, and screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from kumoben import lan
from patterns.sessions.qr import qr_svg
from tests.browser.conftest import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    Classroom,
    join_code,
    screenshot,
)
from tests.servers import DaphneServer, running_daphne, sqlite_env

pytestmark = pytest.mark.browser

SHOTS = Path("/work/shots-classroom")
WIDE = {"width": 1920, "height": 1080}
# The machine's mDNS name (what phones type as name.local), else a stand-in: the server allows it
# either way, and Chromium resolves it to loopback, so no other machine is ever involved.
LAN_NAME = next((h for h in lan.lan_hosts() if h.endswith(".local")), "kumoben-class.local")


@pytest.fixture(scope="module")
def lan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaphneServer]:
    """A classroom-mode server (the allowed hosts are its own LAN names) as phones reach it."""
    tmp = tmp_path_factory.mktemp("lan")
    env = sqlite_env(tmp, KUMOBEN_CLASSROOM="1", KUMOBEN_SECRET_KEY_FILE=str(tmp / "key"))
    # settings_test fills ALLOWED_HOSTS when it is unset, so the classroom default is given here.
    env["ALLOWED_HOSTS"] = ",".join(["127.0.0.1", "localhost", *lan.lan_hosts(), LAN_NAME])
    with running_daphne(env, tmp / "daphne.log") as server:
        server.url = f"http://{LAN_NAME}:{server.port}"
        yield server


@pytest.fixture(scope="module")
def lan_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium that resolves the LAN name to this machine's loopback address."""
    rules = f"--host-resolver-rules=MAP {LAN_NAME} 127.0.0.1"
    lan_chromium = browser.browser_type.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, rules]
    )
    yield lan_chromium
    lan_chromium.close()


def test_a_phone_joins_through_the_qr_codes_url_on_the_lan(
    lan_browser: Browser, lan_server: DaphneServer
) -> None:
    room = Classroom(lan_browser, lan_server)
    try:
        console = room.instructor()
        code = join_code(console)
        public_id = re.search(r"/sessions/([^/]+)/", console.url).group(1)  # type: ignore[union-attr]
        join_url = console.get_by_test_id("join-url").inner_text().strip()
        # Fetched by the page itself: only Chromium resolves the LAN name.
        qr = console.evaluate(
            "url => fetch(url).then(r => r.text())", f"/sessions/{public_id}/qr.svg"
        )

        phone = room._page(PHONE)
        phone.goto(join_url)
        expect(phone.locator("#id_code")).to_have_value(code)
        phone.locator("#id_nickname").fill("Aya")
        phone.get_by_test_id("join-form").locator("button[type=submit]").click()

        assert join_url == f"http://{LAN_NAME}:{lan_server.port}/sessions/join/{code}/"
        assert qr == qr_svg(join_url, "QR code for the join page")
        expect(phone).to_have_url(f"{lan_server.url}/sessions/{public_id}/")
        expect(phone.locator("#conn")).to_have_attribute("data-state", "connected")
        expect(console.locator("#count-joined")).to_have_text("1")
        phone.screenshot(path=str(SHOTS / "lan-student-phone.png"))
    finally:
        room.close()


@pytest.mark.parametrize(
    ("locale", "heading", "back"),
    [
        ("en-US", "This page does not exist", "Back to the home page"),
        ("ja-JP", "このページは存在しません", "ホームページに戻る"),
    ],
)
def test_the_404_page_is_in_the_layout_and_leads_back_home(
    browser: Browser, daphne_server: DaphneServer, locale: str, heading: str, back: str
) -> None:
    context = browser.new_context(locale=locale, viewport=DESKTOP)
    page = context.new_page()

    response = page.goto(daphne_server.url + "/lessons/no-such-lesson/")

    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.get_by_role("navigation", name=re.compile("Main|メイン"))).to_be_visible()
    page.get_by_role("link", name=back).click()
    expect(page).to_have_url(daphne_server.url + "/")
    context.close()


def test_an_instructor_sees_who_is_signed_in_finds_their_sessions_and_signs_out(
    classroom: Classroom, daphne_server: DaphneServer
) -> None:
    console = classroom.instructor(name="sensei")

    console.goto(daphne_server.url + "/")
    expect(console.get_by_test_id("account")).to_contain_text("Signed in as sensei")
    console.get_by_test_id("my-sessions-link").click()
    expect(console).to_have_url(daphne_server.url + "/sessions/mine/")
    expect(console.get_by_test_id("my-session")).to_have_count(1)
    csv_link = console.get_by_test_id("my-session").get_by_role("link", name="CSV")
    expect(csv_link).to_have_attribute("href", re.compile(r"report\.csv\?tz=[A-Za-z_/]+$"))
    console.get_by_test_id("sign-out").click()

    expect(console).to_have_url(daphne_server.url + "/")
    expect(console.get_by_test_id("account")).to_have_count(0)


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
@pytest.mark.parametrize(("name", "viewport"), [("390", PHONE), ("1280", DESKTOP), ("1920", WIDE)])
def test_classroom_pages_screenshots(
    browser: Browser, daphne_server: DaphneServer, locale: str, name: str, viewport: dict[str, int]
) -> None:
    SHOTS.mkdir(exist_ok=True)
    for slug, path in [("home", "/"), ("404", "/no-such-page/")]:
        errors, overflow = screenshot(
            browser,
            daphne_server.url + path,
            SHOTS / f"{slug}-{name}-{locale[:2]}.png",
            locale=locale,
            viewport=viewport,
        )
        # Chromium logs the 404 page's own status as a failed resource; nothing else may fail.
        expected = [
            "Failed to load resource: the server responded with a status of 404 (Not Found)"
        ]
        assert (errors, overflow <= 0) == (expected if slug == "404" else [], True), slug
