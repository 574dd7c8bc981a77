"""The "In AWS" panel in the playground: it follows the setup on screen (a changed setting reaches
its API field), is highlighted by the server and copies to the clipboard."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page, expect

from tests.servers import DaphneServer


def test_the_playground_panel_shows_the_setup_on_screen(
    page: Page, context: BrowserContext, daphne_server: DaphneServer
) -> None:
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=daphne_server.url)
    page.goto(f"{daphne_server.url}/playground/")
    page.select_option("#scenario", "stale-dns")
    expect(page.locator("input[name=pattern][value='service-discovery']")).to_be_checked()
    page.click("details.settings[data-pattern='service-discovery'] > summary")
    ttl = page.locator("[name='service-discovery-settings.cloud_map.dns_ttl_s']")
    ttl.fill("15")
    ttl.press("Tab")
    for _ in range(100):  # the setup check's answer carries the run (a JSON script)
        run = page.locator("#setup-run")
        if run.count() and '"dns_ttl_s": 15' in (run.text_content() or ""):
            break
        page.wait_for_timeout(100)
    else:
        raise AssertionError("the setup check never carried the changed TTL")

    page.click("[data-testid=inaws-show]")

    result = page.locator("[data-testid=inaws-panel] [data-testid=inaws-result]")
    expect(result.locator("article[data-pattern='service-discovery']")).to_have_count(1)
    template = result.locator("[id$='-service-discovery-cfn']")
    expect(template).to_contain_text('RoutingPolicy: "MULTIVALUE"')
    expect(template).to_contain_text("TTL: 15")
    expect(template.locator(".code .nt").first).to_be_visible()  # Pygments' classes
    result.locator("button[data-copy$='-cfn']").click()
    expect(result.locator("button[data-copy$='-cfn']")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("# Kumoben: service-discovery.")
    assert "TTL: 15" in copied

    ttl.fill("20")  # the open panel follows the next setup check
    ttl.press("Tab")
    expect(template).to_contain_text("TTL: 20")
