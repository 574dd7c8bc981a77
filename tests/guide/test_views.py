"""The guide and recipe pages: en and ja, with and without htmx, bad input refused with a reason."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from patterns.aws_docs import is_public_aws
from patterns.guide import recipes, texts, views
from patterns.player import permalink

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def _get(client: Client, url: str, status: int = 200, **headers: str) -> str:
    response = client.get(url, **headers)  # type: ignore[arg-type]
    assert response.status_code == status
    return response.content.decode()


def test_guide_texts_exist_in_every_language() -> None:
    assert texts.check(views.required_texts()) == []


def test_guide_page_without_answers_shows_the_form_and_no_pick(client: Client) -> None:
    html = _get(client, "/guide/", **EN)

    assert html.count('type="radio"') == 25
    assert 'hx-get="/guide/"' in html and 'action="/guide/"' in html
    assert 'data-testid="guide-pick"' not in html
    assert "Amazon VPC Lattice: the facts" in html


def test_guide_page_plain_get_answers_with_the_whole_page(client: Client) -> None:
    html = _get(client, "/guide/?callers=internet&os=windows", **EN)

    assert "<html" in html
    assert re.findall(r'data-testid="guide-pick" data-option="([a-z-]+)"', html) == ["elb"]
    assert 'data-testid="guide-no-runner-up"' in html
    assert 'value="internet" checked' in html
    assert "Service Connect does not support Windows containers." in html


def test_guide_pick_without_a_reason_of_its_own_says_why(client: Client) -> None:
    html = _get(client, "/guide/?os=windows", **EN)

    assert re.findall(r'data-testid="guide-pick" data-option="([a-z-]+)"', html) == ["elb"]
    assert 'data-testid="guide-no-reasons"' in html
    windows = html.split("Service Connect does not support Windows containers.")[1].split("</li>")[
        0
    ]
    assert re.findall(r'href="([^"]+)"', windows) == [
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html"
    ]


def _sources(html: str) -> list[list[str]]:
    """The links of every source mark on the page, one list per reason or fact."""
    return [
        re.findall(r'href="([^"]+)"', mark.split("</span>")[0])
        for mark in html.split('data-testid="guide-source"')[1:]
    ]


@pytest.mark.parametrize("headers", [EN, JA])
@pytest.mark.parametrize(
    "query",
    [
        "callers=internet&os=windows",
        "callers=other-namespace&network=cross-account&protocol=tcp&release=weighted&tls=authz",
        "callers=outside-ecs&network=cross-vpc&protocol=grpc&release=canary&tls=tls"
        "&launch=ec2-bridge&scale=over-1000",
    ],
)
def test_every_reason_and_lattice_fact_links_a_public_aws_page(
    client: Client, query: str, headers: dict[str, str]
) -> None:
    html = _get(client, f"/guide/?{query}", **headers)

    reasons = html.count('class="guide__reason ')
    marks = _sources(html)
    assert len(marks) == reasons + len(views.LATTICE_FACTS)
    for links in marks:
        assert links and is_public_aws(links[0]), links
    assert "aws-facts" not in html and "aws-semantics" not in html


def test_guide_page_htmx_gets_only_the_result(client: Client) -> None:
    html = _get(client, "/guide/?release=weighted", **EN, **HTMX)

    assert "<html" not in html
    assert html.lstrip().startswith('<section id="guide-result"')
    assert re.findall(r'data-option="([a-z-]+)"', html) == ["vpc-lattice", "elb"]
    assert 'data-testid="guide-app-mesh"' in html
    assert "App Mesh support ended on 2026-09-30" in html
    assert "UNCONFIRMED" in html


def test_guide_page_in_japanese(client: Client) -> None:
    html = _get(client, "/guide/?release=weighted", **JA)

    assert '<html lang="ja">' in html
    assert "サービスを呼び出すのは誰ですか？" in html
    assert "2026 年 9 月 30 日" in html
    assert re.findall(r'data-testid="guide-pick" data-option="([a-z-]+)"', html) == ["vpc-lattice"]


def test_guide_page_in_japanese_with_htmx(client: Client) -> None:
    html = _get(client, "/guide/?callers=outside-ecs", **JA, **HTMX)

    assert "<html" not in html
    assert re.findall(r'data-option="([a-z-]+)"', html) == ["elb", "vpc-lattice"]
    assert "ロードバランサーの DNS 名に届くものなら" in html


def test_guide_pick_links_to_lesson_lab_in_aws_and_recipes(client: Client) -> None:
    html = _get(client, "/guide/?callers=same-namespace", **EN)

    pick = html.split('data-testid="guide-pick"')[1].split("</article>")[0]
    links = re.findall(r'href="(/[^"]*)"', pick)
    sources = re.findall(r'href="(https://[^"]+)"', pick)
    assert sources == [
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-connect-concepts-deploy.html",
        "https://aws.amazon.com/blogs/containers/migrating-from-aws-app-mesh-to-amazon-ecs-service-connect/",
    ]
    assert links == [
        "/lessons/service-connect/",
        "/labs/slow-starters/",
        "/lessons/service-connect/",
        "/guide/troubleshooting/#service-connect",
    ]
    for link in {link.split("#")[0] for link in links}:
        assert client.get(link).status_code == 200


@pytest.mark.parametrize("headers", [EN, JA])
def test_guide_bad_answer_is_a_400_naming_the_question(
    client: Client, headers: dict[str, str]
) -> None:
    html = _get(client, "/guide/?callers=everyone&os=linux", 400, **headers)

    assert 'data-testid="guide-error"' in html
    assert "callers: must be one of same-namespace, other-namespace, outside-ecs, internet" in html
    assert 'data-testid="guide-pick"' not in html


def test_guide_bad_answer_under_htmx_swaps_in_the_reason(client: Client) -> None:
    html = _get(client, "/guide/?scale=%3Cb%3Ehuge%3C/b%3E", **EN, **HTMX)

    assert "scale: must be one of small, big-namespace, over-1000; got &#x27;&lt;b&gt;huge" in html
    assert "<b>" not in html


def test_guide_refuses_post(client: Client) -> None:
    assert client.post("/guide/").status_code == 405


@pytest.mark.parametrize("headers", [EN, JA])
def test_troubleshooting_page_lists_every_recipe_with_engine_figures(
    client: Client, headers: dict[str, str]
) -> None:
    html = _get(client, "/guide/troubleshooting/", **headers)

    assert re.findall(r'data-recipe="([a-z0-9-]+)"', html) == [r.id for r in recipes.RECIPES]
    assert "<li><code>http_502</code> × 139</li>" in html
    assert "<code>AWS/ApplicationELB</code> <code>HTTPCode_ELB_502_Count</code>" in html
    marks = [
        re.findall(r'href="([^"]+)"', mark.split("</span>")[0])
        for mark in html.split('data-testid="recipe-source"')[1:]
    ]
    assert marks == [list(recipes.SOURCES[r.id]) for r in recipes.RECIPES]


def test_troubleshooting_reproduce_links_open_the_playground_on_the_run(client: Client) -> None:
    html = _get(client, "/guide/troubleshooting/?pattern=service-connect", **EN)

    urls = re.findall(r'class="recipe__reproduce" href="([^"]+)"', html)
    assert len(urls) == 5
    for url in urls:
        token = parse_qs(urlparse(url.replace("&amp;", "&")).query)["run"][0]
        assert permalink.decode(token).pattern == "service-connect"
    page = _get(client, urls[0], **EN)
    assert 'id="opened-run"' in page
    assert 'data-testid="permalink-error"' not in page


def test_troubleshooting_in_japanese(client: Client) -> None:
    html = _get(client, "/guide/troubleshooting/?pattern=elb", **JA)

    assert "ALB からの 502 Bad Gateway" in html
    assert re.findall(r'data-recipe="([a-z0-9-]+)"', html) == [
        r.id for r in recipes.recipes_for("elb")
    ]


def test_troubleshooting_bad_pattern_is_a_400(client: Client) -> None:
    html = _get(client, "/guide/troubleshooting/?pattern=app-mesh", 400, **EN)

    assert "pattern: must be one of elb, service-discovery, service-connect" in html


def test_site_navigation_and_home_link_to_the_guide(client: Client) -> None:
    home = _get(client, "/", **EN)

    assert home.count('href="/guide/"') == 2


@pytest.mark.parametrize("headers", [EN, JA])
def test_comparison_and_summary_lessons_link_to_the_guide(
    client: Client, headers: dict[str, str]
) -> None:
    comparison = _get(client, "/lessons/comparison/?step=1", **headers)
    summary = _get(client, "/lessons/summary/?step=2", **headers)

    assert 'href="/guide/"' in comparison
    assert 'href="/guide/"' in summary and 'href="/guide/troubleshooting/"' in summary


def test_guide_page_chrome_is_translated(client: Client) -> None:
    html = _get(client, "/guide/?callers=internet", **JA)
    error = _get(client, "/guide/?os=mac", 400, **JA)

    assert "<title>判断ガイド · Kumoben</title>" in html
    assert "推奨を見る" in html and "次点はありません" in html
    assert "この回答は使えません：os: must be one of linux, windows" in error


def test_guide_japanese_texts_use_full_width_punctuation() -> None:
    # Half-width brackets, question marks and the like inside Japanese sentences (code spans and
    # thousands separators such as 1,000 are fine).
    half_width = re.compile(r"[()?!;]|,(?!\d{3})|(?<=[^\x00-\x7f]):|:(?=[^\x00-\x7f])")

    found = [
        (entry, key)
        for entry, keys in texts.entries("ja").items()
        for key, text in keys.items()
        if half_width.search(re.sub(r"`[^`]*`", "", text))
    ]

    assert found == []
