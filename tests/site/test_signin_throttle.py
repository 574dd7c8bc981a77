"""Sign-in is throttled per address (review D8): failures only, before the password is hashed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings

from kumoben import signin

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def fresh_counter():
    signin.reset_counter()
    yield
    signin.reset_counter()


@pytest.fixture
def teacher():
    return get_user_model().objects.create_user("teacher", password="right-horse-battery")


def post_login(client: Client, password: str, path: str = "/accounts/login/", ip="203.0.113.7"):
    return client.post(path, {"username": "teacher", "password": password}, REMOTE_ADDR=ip)


@override_settings(KUMOBEN_SIGNIN_FAILURES=3, KUMOBEN_SIGNIN_WINDOW_S=600)
def test_an_address_is_stopped_after_its_failures_with_the_wait(teacher) -> None:
    client = Client()
    statuses = [post_login(client, "wrong").status_code for _ in range(3)]
    refused = post_login(client, "right-horse-battery")

    assert statuses == [200, 200, 200]  # the form again, with its error
    assert refused.status_code == 429
    assert 590 <= int(refused["Retry-After"]) <= 600
    assert "Try again in 10 minutes" in refused.content.decode()
    assert "_auth_user_id" not in client.session  # even the right password waits


@override_settings(KUMOBEN_SIGNIN_FAILURES=3, KUMOBEN_SIGNIN_WINDOW_S=600)
def test_the_admin_login_shares_the_count_and_other_addresses_are_free(teacher) -> None:
    client = Client()
    for _ in range(3):
        post_login(client, "wrong", path="/admin/login/")

    assert post_login(client, "wrong").status_code == 429
    assert post_login(client, "wrong", path="/admin/login/").status_code == 429
    other = post_login(Client(), "right-horse-battery", ip="198.51.100.9")
    assert other.status_code == 302  # signed in from another address


@override_settings(KUMOBEN_SIGNIN_FAILURES=3, KUMOBEN_SIGNIN_WINDOW_S=600)
def test_successes_do_not_count_and_the_login_page_stays_readable(teacher) -> None:
    for _ in range(5):
        assert post_login(Client(), "right-horse-battery").status_code == 302
    client = Client()
    for _ in range(3):
        post_login(client, "wrong")
    assert client.get("/accounts/login/", REMOTE_ADDR="203.0.113.7").status_code == 200


@override_settings(KUMOBEN_SIGNIN_FAILURES=1, KUMOBEN_SIGNIN_WINDOW_S=600, LANGUAGE_CODE="ja")
def test_the_refusal_is_in_japanese_on_a_japanese_page(teacher) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="ja")
    post_login(client, "wrong")
    refused = post_login(client, "wrong")
    assert refused.status_code == 429
    assert "サインインの試行が多すぎます" in refused.content.decode()


def test_the_window_expires() -> None:
    memory = signin._MemoryCounter()
    memory.incr("a", ttl=0)
    assert memory.get("a") == (0, 0)
    memory.incr("b", ttl=60)
    memory.incr("b", ttl=60)
    assert memory.get("b")[0] == 2
