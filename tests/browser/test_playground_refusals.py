"""A refused playground setting shows its reason beside its field, in the page's language, with
htmx (a start button, a changed setting) and without JavaScript (the form posted as it is)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE
from tests.browser.test_playground import PLAYER, fill_field
from tests.servers import DaphneServer

SHOTS = Path("/tmp/shots-h13form")

TOTAL = {
    "en": "at most 1,000 requests/s in total: 3 calls × 400 requests/s = 1,200 requests/s.",
    "ja": "リクエストは合計で毎秒 1,000 件までです：3 件の呼び出し × 400 リクエスト/秒 ＝ 1,200 リクエスト/秒。",
}
THRESHOLD = {
    "en": "must be between 2 and 10, got 11",
    "ja": "2 から 10 の範囲で指定してください（指定値：11）",
}
UNHEALTHY = "elb-settings.alb.unhealthy_threshold"


def _refuse_total_rate(page: Page) -> None:
    fill_field(page, "#rps", "400")
    page.click("#start-live")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_traffic_total_over_the_cap_is_refused_beside_the_rate_field(
    browser: Browser, daphne_server: DaphneServer, lang: str
) -> None:
    context = browser.new_context(locale="ja-JP" if lang == "ja" else "en-US", viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{daphne_server.url}/playground/")

    _refuse_total_rate(page)

    error = page.locator("[data-error-for=rps]")
    expect(error).to_have_text(TOTAL[lang])
    expect(error).to_be_visible()
    expect(page.locator("#rps")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rps")).to_be_focused()
    expect(page.locator(f"{PLAYER} figure[data-loaded='true']")).to_have_count(0)
    SHOTS.mkdir(exist_ok=True)
    page.locator(".setup__row").screenshot(path=str(SHOTS / f"refused-rps-1280-{lang}.png"))
    context.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_setting_outside_its_range_is_refused_beside_it_as_soon_as_it_changes(
    browser: Browser, daphne_server: DaphneServer, lang: str
) -> None:
    context = browser.new_context(locale="ja-JP" if lang == "ja" else "en-US", viewport=PHONE)
    page = context.new_page()
    page.goto(f"{daphne_server.url}/playground/")
    page.click("details.settings[data-pattern=elb] > summary")

    field = f"[name='{UNHEALTHY}']"
    expect(page.locator(field)).to_have_attribute("max", "10")
    fill_field(page, field, "11")

    error = page.locator(f"[data-error-for='{UNHEALTHY}']")
    expect(error).to_have_text(THRESHOLD[lang])
    expect(error).to_be_visible()
    expect(page.locator("details.settings[data-pattern=elb]")).to_have_attribute("open", "")
    SHOTS.mkdir(exist_ok=True)
    page.locator("details.settings[data-pattern=elb]").screenshot(
        path=str(SHOTS / f"refused-setting-390-{lang}.png")
    )
    context.close()


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_without_javascript_the_posted_form_comes_back_with_the_reason_beside_the_field(
    browser: Browser, daphne_server: DaphneServer, lang: str
) -> None:
    context = browser.new_context(
        locale="ja-JP" if lang == "ja" else "en-US", viewport=DESKTOP, java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{daphne_server.url}/playground/")

    page.fill("#rps", "400")
    with page.expect_navigation():
        page.click("#start-live")

    assert page.url.endswith("/playground/setup")
    expect(page.locator("[data-error-for=rps]")).to_have_text(TOTAL[lang])
    expect(page.locator("#rps")).to_have_value("400")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"refused-nojs-1280-{lang}.png"))
    context.close()


def test_without_javascript_an_accepted_form_opens_its_run_by_permalink(
    browser: Browser, daphne_server: DaphneServer
) -> None:
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{daphne_server.url}/playground/")

    page.fill("#rps", "20")
    with page.expect_navigation():
        page.click("#start-live")

    assert "/playground/?run=" in page.url
    expect(page.locator("[data-testid=permalink-error]")).to_have_count(0)
    expect(page.locator("#opened-run")).to_have_count(1)
    context.close()


# A run the form did not check (a script's, or limits changed under an open page) is refused by the
# socket or by the instant-run endpoint; the page puts that reason beside the field too.
OVER_CAP = {
    "name": "sample",
    "duration_s": 120,
    "traffic": [
        {"from": "user", "to": "contract", "rps": 600},
        {"from": "contract", "to": "inventory", "rps": 600},
    ],
}
SOCKET_TOTAL = {
    "en": "at most 1,000 requests/s in total",
    "ja": "リクエストは合計で毎秒 1,000 件までです",
}


@pytest.mark.parametrize("how", ["startLive", "runInstant"])
@pytest.mark.parametrize("lang", ["en", "ja"])
def test_a_refusal_from_the_socket_or_the_instant_run_lands_beside_its_field(
    browser: Browser, daphne_server: DaphneServer, lang: str, how: str
) -> None:
    context = browser.new_context(locale="ja-JP" if lang == "ja" else "en-US", viewport=DESKTOP)
    page = context.new_page()
    page.goto(f"{daphne_server.url}/playground/")
    page.wait_for_function("() => window.kumobenPlayer !== undefined")

    page.evaluate(
        "([how, scenario]) => window.kumobenPlayer[how](scenario, 'elb')", [how, OVER_CAP]
    )

    error = page.locator("[data-error-for=rps]")
    expect(error).to_have_text(SOCKET_TOTAL[lang])
    expect(error).to_be_visible()
    expect(page.locator("#rps")).to_have_attribute("aria-invalid", "true")
    context.close()


LIVE_INSTEAD = {
    "en": "Playing live instead: at once, this run would take about ",
    "ja": "ライブで再生します。",
}


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_an_instant_run_over_the_budget_plays_live_and_says_why(
    browser: Browser, daphne_server: DaphneServer, lang: str
) -> None:
    """Stale DNS under all four patterns is over the instant-run budget (the server would refuse
    it): "Run instantly" plays it live, with the server's note in the form's status."""
    SHOTS.mkdir(exist_ok=True)
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        context = browser.new_context(
            locale="ja-JP" if lang == "ja" else "en-US", viewport=viewport
        )
        page = context.new_page()
        page.goto(f"{daphne_server.url}/playground/")
        page.select_option("#scenario", "stale-dns")
        page.check("input[name=pattern][value='all']")
        page.click("#start-instant")

        expect(page.locator(f"{PLAYER} figure[data-loaded='true']")).to_have_count(
            4, timeout=30_000
        )
        assert page.evaluate("() => window.kumobenPlayer.mode") == "live"
        status = page.locator("#setup [data-role=setup-status]")
        expect(status).to_contain_text(LIVE_INSTEAD[lang])
        assert "✕" not in (page.locator(f"{PLAYER} [data-role=status]").text_content() or "")
        status.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"live-instead-{lang}-{width}.png"))
        context.close()
