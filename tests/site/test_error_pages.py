"""404 in the site's layout (en, ja) with ways back; 500 a static bilingual page."""

from __future__ import annotations

import pytest
from django.template import engines
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from kumoben.settings import BASE_DIR

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_missing_page_is_a_404_in_the_site_layout_with_a_way_back(client: Client) -> None:
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert '<header class="site-header">' in response.text
    assert '<h1 id="error-title">This page does not exist</h1>' in response.text
    assert "Nothing is served at <code>/no-such-page/</code>." in response.text
    assert '<a class="error-page__home" href="/" data-testid="back-home">' in response.text


def test_missing_page_speaks_japanese_to_a_japanese_browser(client: Client) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="ja")

    assert response.status_code == 404
    assert '<html lang="ja">' in response.text
    assert "このページは存在しません" in response.text
    assert "ホームページに戻る" in response.text


def test_the_404_page_escapes_the_path(client: Client) -> None:
    response = client.get("/<script>alert(1)</script>/")

    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text


def test_the_500_page_has_no_template_code_that_could_fail() -> None:
    source = (BASE_DIR / "templates" / "500.html").read_text(encoding="utf-8")

    assert ("{%" in source, "{{" in source) == (False, False)
    assert engines["django"].from_string(source).render({}) == source


def test_the_500_page_speaks_both_languages() -> None:
    response = server_error(RequestFactory().get("/boom/"))

    text = response.content.decode()
    assert response.status_code == 500
    assert "サーバーでエラーが発生しました" in text
    assert "Something went wrong on the server" in text
    assert text.count('href="/"') == 3
