"""Classroom mode (`make run`): plain HTTP on the LAN, a kept secret key, LAN hosts allowed, and
a join URL that phones can open."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from django.test import RequestFactory, override_settings

from kumoben import lan
from patterns.sessions import joinurl
from tests.site.test_settings import _run_settings

pytestmark = pytest.mark.unit

_SHOW = (
    "import json, kumoben.settings as s;"
    "print(json.dumps({'hosts': s.ALLOWED_HOSTS, 'csrf': s.CSRF_TRUSTED_ORIGINS,"
    " 'redirect': getattr(s, 'SECURE_SSL_REDIRECT', False),"
    " 'secure_cookie': getattr(s, 'SESSION_COOKIE_SECURE', False),"
    " 'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), 'key': s.SECRET_KEY, 'debug': s.DEBUG}))"
)


def _classroom(tmp_path: Path, **extra: str) -> dict:
    env = {"KUMOBEN_CLASSROOM": "1", "KUMOBEN_SECRET_KEY_FILE": str(tmp_path / "var" / "key")}
    result = _run_settings({**env, **extra}, _SHOW)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_classroom_mode_keeps_a_generated_key_readable_by_its_owner_only(tmp_path: Path) -> None:
    first = _classroom(tmp_path)
    second = _classroom(tmp_path)

    key_file = tmp_path / "var" / "key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert key_file.read_text().strip() == first["key"] == second["key"]
    assert len(first["key"]) >= 50
    assert first["debug"] is False


def test_classroom_mode_serves_plain_http_and_allows_the_lan_addresses(tmp_path: Path) -> None:
    shown = _classroom(tmp_path)

    assert shown["hosts"] == ["127.0.0.1", "localhost", "[::1]", *lan.lan_hosts()]
    assert (shown["redirect"], shown["secure_cookie"], shown["hsts"]) == (False, False, 0)


def test_public_url_is_an_allowed_host_and_a_trusted_origin(tmp_path: Path) -> None:
    shown = _classroom(tmp_path, KUMOBEN_PUBLIC_URL="https://class.example.org/")

    assert shown["hosts"][-1] == "class.example.org"
    assert shown["csrf"] == ["https://class.example.org"]


def test_a_malformed_public_url_stops_start_up_naming_the_variable(tmp_path: Path) -> None:
    result = _run_settings(
        {
            "KUMOBEN_CLASSROOM": "1",
            "KUMOBEN_SECRET_KEY_FILE": str(tmp_path / "k"),
            "KUMOBEN_PUBLIC_URL": "class.example.org",
        },
        "import kumoben.settings",
    )

    assert result.returncode == 1
    assert "KUMOBEN_PUBLIC_URL: expected a URL starting with http:// or https://" in result.stderr


def test_check_deploy_explains_what_classroom_mode_gives_up(tmp_path: Path) -> None:
    result = _run_settings(
        {
            "DJANGO_SETTINGS_MODULE": "kumoben.settings",
            "KUMOBEN_CLASSROOM": "1",
            "KUMOBEN_SECRET_KEY_FILE": str(tmp_path / "key"),
        },
        "from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy'])",
    )

    assert result.returncode == 0, result.stderr
    issues = sorted(
        line.split(")")[0] for line in result.stderr.splitlines() if line.startswith("?: (")
    )
    assert issues == [
        "?: (kumoben.W001",
        "?: (security.W004",
        "?: (security.W008",
        "?: (security.W012",
        "?: (security.W016",
    ]
    assert "served over plain HTTP" in result.stderr


@pytest.mark.parametrize(
    ("address", "usable"),
    [
        ("192.168.1.23", True),
        ("10.0.0.7", True),
        ("127.0.0.1", False),
        ("169.254.3.4", False),
        ("0.0.0.0", False),
        ("not-an-ip", False),
    ],
)
def test_only_addresses_another_machine_can_reach_count(address: str, usable: bool) -> None:
    assert lan._usable(address) is usable


def test_lan_hosts_add_the_machine_name_and_its_mdns_name(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lan, "lan_addresses", lambda: ["192.168.1.23"])
    monkeypatch.setattr(lan.socket, "gethostname", lambda: "Sensei-Laptop")

    assert lan.lan_hosts() == ["192.168.1.23", "sensei-laptop", "sensei-laptop.local"]


def _join_url(host: str, port: str = "8000") -> str:
    request = RequestFactory().get("/sessions/x/present/", HTTP_HOST=host, SERVER_PORT=port)
    return joinurl.join_url(request, "K7P-4QM")


@override_settings(
    CLASSROOM=True, PUBLIC_URL=None, ALLOWED_HOSTS=["127.0.0.1", "localhost", "[::1]"]
)
def test_join_url_swaps_loopback_for_the_lan_address_in_classroom_mode(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(joinurl, "lan_addresses", lambda: ["192.168.1.23"])

    assert [_join_url("127.0.0.1:8000"), _join_url("localhost:8000"), _join_url("[::1]:8000")] == [
        "http://192.168.1.23:8000/sessions/join/K7P-4QM/"
    ] * 3


@override_settings(CLASSROOM=True, PUBLIC_URL=None, ALLOWED_HOSTS=["192.168.1.23", "vm.local"])
def test_join_url_keeps_an_address_phones_already_reach(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(joinurl, "lan_addresses", lambda: ["10.9.9.9"])

    assert [_join_url("192.168.1.23:8000"), _join_url("vm.local:8000")] == [
        "http://192.168.1.23:8000/sessions/join/K7P-4QM/",
        "http://vm.local:8000/sessions/join/K7P-4QM/",
    ]


@override_settings(CLASSROOM=True, PUBLIC_URL="https://class.example.org/kumoben/")
def test_join_url_follows_the_public_url_behind_a_proxy() -> None:
    assert _join_url("127.0.0.1:8000") == "https://class.example.org/kumoben/sessions/join/K7P-4QM/"


@override_settings(CLASSROOM=False, PUBLIC_URL=None)
def test_join_url_outside_classroom_mode_is_the_address_the_page_was_opened_by() -> None:
    assert _join_url("127.0.0.1:8000") == "http://127.0.0.1:8000/sessions/join/K7P-4QM/"
