"""The decision guide in a browser: with JavaScript (htmx swaps the answer in and pushes the URL)
and without (the form is a plain GET), in English and Japanese; the recipes' reproduce links."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import DESKTOP, PHONE, PageErrors, screenshot
from tests.servers import DaphneServer

ELB_OVERVIEW = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html"
WEIGHTED_TARGET_GROUP = (
    "https://docs.aws.amazon.com/vpc-lattice/latest/APIReference/API_WeightedTargetGroup.html"
)
LANGUAGES = [
    ("en-US", "Clients on the internet", "Recommend"),
    ("ja-JP", "インターネット上のクライアント", "推奨を見る"),
]


@pytest.mark.parametrize(("locale", "internet", "_button"), LANGUAGES)
def test_guide_with_javascript_answers_on_every_change(
    browser: Browser, daphne_server: DaphneServer, locale: str, internet: str, _button: str
) -> None:
    context = browser.new_context(locale=locale, viewport=DESKTOP)
    page = context.new_page()
    errors = PageErrors(page)
    page.goto(daphne_server.url + "/guide/")

    page.get_by_label(internet).check()

    pick = page.get_by_test_id("guide-pick")
    expect(pick).to_have_attribute("data-option", "elb")
    expect(page.get_by_test_id("guide-no-runner-up")).to_be_visible()
    expect(page).to_have_url(daphne_server.url + "/guide/?" + _query(callers="internet"))
    page.get_by_label(internet).focus()  # still the same page: htmx swapped only the result
    # The reason that picks it links the public AWS page it rests on, not an internal fact id.
    source = pick.get_by_test_id("guide-source").first.get_by_role("link")
    expect(source).to_have_attribute("href", ELB_OVERVIEW)
    expect(source).to_have_text("docs.aws.amazon.com › application-load-balancers")
    expect(page.locator("body")).not_to_contain_text("aws-facts")
    assert errors.messages == []
    context.close()


@pytest.mark.parametrize(("locale", "_internet", "button"), LANGUAGES)
def test_guide_without_javascript_is_a_plain_form(
    browser: Browser, daphne_server: DaphneServer, locale: str, _internet: str, button: str
) -> None:
    context = browser.new_context(locale=locale, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(daphne_server.url + "/guide/")

    page.locator('input[name="release"][value="weighted"]').check()
    page.get_by_role("button", name=button).click()

    expect(page).to_have_url(daphne_server.url + "/guide/?" + _query(release="weighted"))
    expect(page.get_by_test_id("guide-pick")).to_have_attribute("data-option", "vpc-lattice")
    expect(page.get_by_test_id("guide-runner-up")).to_have_attribute("data-option", "elb")
    expect(page.get_by_test_id("guide-app-mesh")).to_be_visible()
    source = page.get_by_test_id("guide-pick").get_by_test_id("guide-source").first
    expect(source.get_by_role("link")).to_have_attribute("href", WEIGHTED_TARGET_GROUP)
    lattice_box = page.locator(".guide__lattice").get_by_test_id("guide-source")
    expect(lattice_box).to_have_count(8)
    for href in lattice_box.get_by_role("link").evaluate_all("links => links.map(a => a.href)"):
        assert href.startswith(("https://docs.aws.amazon.com/", "https://aws.amazon.com/"))
    expect(page.locator("body")).not_to_contain_text("aws-facts")
    context.close()


def test_guide_recipe_link_opens_the_playground_on_its_run(
    page: Page, daphne_server: DaphneServer
) -> None:
    # The first load runs every recipe's scenario through the engine (then cached per process).
    page.goto(daphne_server.url + "/guide/troubleshooting/", timeout=120_000)

    page.locator('[data-recipe="elb-502"]').get_by_test_id("recipe-reproduce").click()

    expect(page).to_have_url(f"{daphne_server.url}/playground/?run=" + _token("elb-502"))
    expect(page.get_by_test_id("permalink-error")).to_have_count(0)


@pytest.mark.parametrize("locale", ["en-US", "ja-JP"])
@pytest.mark.parametrize(("size", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)])
def test_guide_pages_fit_and_screenshot(
    browser: Browser,
    daphne_server: DaphneServer,
    artifacts_dir: Path,
    locale: str,
    size: str,
    viewport: dict[str, int],
) -> None:
    for name, path in (
        ("guide", "/guide/?callers=outside-ecs&release=canary&tls=authz"),
        ("recipes", "/guide/troubleshooting/"),
        ("cost", "/lessons/compare/cost/"),
    ):
        errors, overflow = screenshot(
            browser,
            daphne_server.url + path,
            artifacts_dir / f"{name}-{locale}-{size}.png",
            locale=locale,
            viewport=viewport,
        )

        assert errors == []
        assert overflow <= 0


def _query(**answers: str) -> str:
    from patterns.guide.decide import QUESTIONS

    values = {q: answers.get(q, choices[0]) for q, choices in QUESTIONS.items()}
    return "&".join(f"{q}={v}" for q, v in values.items())


def _token(recipe_id: str) -> str:
    from patterns.guide.recipes import BY_ID

    return BY_ID[recipe_id].link_token
