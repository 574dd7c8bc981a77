from __future__ import annotations

import re

import pytest
from django.test import Client

pytestmark = pytest.mark.unit


@pytest.fixture
def client() -> Client:
    return Client()


def test_home_speaks_english_by_default(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert '<html lang="en">' in response.text
    assert "How services on Amazon ECS talk to each other" in response.text


def test_home_follows_the_browser_language_japanese(client: Client) -> None:
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ja,en;q=0.5")

    assert '<html lang="ja">' in response.text
    assert "Amazon ECS のサービス同士はどう通信するのか" in response.text
    # AWS terms stay English in Japanese text.
    assert "ECS Service Connect" in response.text


def test_language_switch_keeps_the_current_page(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "ja", "next": "/patterns/elb/"})

    assert response.status_code == 302
    assert response["Location"] == "/patterns/elb/"
    followed = client.get("/patterns/elb/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="ja">' in followed.text


def test_language_switch_requires_the_csrf_token() -> None:
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/i18n/setlang/", {"language": "ja", "next": "/"})

    assert response.status_code == 403


def test_pattern_summary_is_a_full_page_without_htmx(client: Client) -> None:
    response = client.get("/patterns/service-discovery/")

    assert response.status_code == 200
    assert "<html" in response.text
    assert "Route 53 private hosted zone" in response.text


def test_pattern_summary_is_the_explorer_fragment_with_htmx(client: Client) -> None:
    response = client.get("/patterns/app-mesh/", headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="pattern-explorer"')
    assert "<html" not in response.text
    assert "2026-09-30" in response.text


def test_pattern_summary_unknown_slug_is_404(client: Client) -> None:
    response = client.get("/patterns/nope/")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/patterns/elb/",
        "/lessons/",
        "/labs/",
        "/progress/",
        "/playground/",
        "/sessions/",
        "/accounts/login/",
    ],
)
def test_pages_have_no_inline_script_or_style(client: Client, path: str) -> None:
    html = client.get(path).text

    # Data blocks (json_script) are not executed, so CSP has nothing to say about them.
    executable = r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>"
    assert re.findall(executable, html) == []
    assert re.findall(r"<style\b", html) == []
    assert re.findall(r"\sstyle=", html) == []
    assert re.findall(r"\son[a-z]+=", html) == []


def test_csp_header_forbids_inline_code(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_home_has_landmarks_and_a_skip_link(client: Client) -> None:
    html = client.get("/").text

    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert "<header" in html and "<footer" in html and '<nav class="site-nav"' in html


def test_csrf_token_sits_once_on_body_for_htmx(client: Client) -> None:
    html = client.get("/").text

    assert len(re.findall(r'<body hx-headers=\'\{"X-CSRFToken": "[A-Za-z0-9]+"\}\'>', html)) == 1
