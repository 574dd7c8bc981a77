from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from kumoben.settings import envbool, envint, envurl
from tests.servers import ROOT

pytestmark = pytest.mark.unit


def _run_settings(env: dict[str, str], code: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("KUMOBEN_", "DJANGO_", "SECURE_"))
    }
    clean = {
        k: v
        for k, v in clean.items()
        if k not in {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"}
    }
    clean.update(env)
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_envbool_accepts_the_usual_spellings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUMOBEN_FLAG", "Yes")

    assert envbool("KUMOBEN_FLAG", False) is True


def test_envbool_rejects_a_typo_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUMOBEN_FLAG", "ture")

    with pytest.raises(ImproperlyConfigured, match=r"KUMOBEN_FLAG='ture': expected one of"):
        envbool("KUMOBEN_FLAG", False)


def test_envint_rejects_text_and_out_of_range(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KUMOBEN_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="expected a whole number"):
        envint("KUMOBEN_N", 1)

    monkeypatch.setenv("KUMOBEN_N", "-5")
    with pytest.raises(ImproperlyConfigured, match=r"KUMOBEN_N=-5: expected 0\.\.10"):
        envint("KUMOBEN_N", 1, 0, 10)


def test_envurl_rejects_a_wrong_scheme(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379")

    with pytest.raises(
        ImproperlyConfigured, match="REDIS_URL: expected a URL starting with redis://"
    ):
        envurl("REDIS_URL", ("redis", "rediss"))


def test_settings_without_secret_key_refuse_to_start_outside_debug() -> None:
    result = _run_settings({}, "import kumoben.settings")

    assert result.returncode != 0
    assert "SECRET_KEY is required when KUMOBEN_DEBUG is off" in result.stderr


def test_settings_pick_postgresql_and_redis_from_urls() -> None:
    code = (
        "import kumoben.settings as s;"
        "print(s.DATABASES['default']['ENGINE']);"
        "print(s.CHANNEL_LAYERS['default']['BACKEND'])"
    )

    result = _run_settings(
        {
            "KUMOBEN_DEBUG": "1",
            "DATABASE_URL": "postgres://kumoben@db.internal:5432/kumoben",
            "REDIS_URL": "redis://cache.internal:6379/0",
        },
        code,
    )

    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "channels_redis.core.RedisChannelLayer",
    ]


def test_channel_prefix_is_passed_to_channels_redis_and_checked() -> None:
    code = "import kumoben.settings as s; print(s.CHANNEL_LAYERS['default']['CONFIG']['prefix'])"
    env = {"KUMOBEN_DEBUG": "1", "REDIS_URL": "redis://cache.internal:6379/0"}

    default = _run_settings(env, code)
    chosen = _run_settings({**env, "KUMOBEN_CHANNEL_PREFIX": "kumoben-ci-42"}, code)
    bad = _run_settings({**env, "KUMOBEN_CHANNEL_PREFIX": "no spaces please"}, code)

    assert (default.stdout.strip(), chosen.stdout.strip()) == ("asgi", "kumoben-ci-42")
    assert bad.returncode == 1
    assert "KUMOBEN_CHANNEL_PREFIX='no spaces please': expected 1-64 of" in bad.stderr


def test_default_settings_use_sqlite_and_the_in_memory_layer() -> None:
    code = (
        "import kumoben.settings as s;"
        "print(s.DATABASES['default']['ENGINE']);"
        "print(s.CHANNEL_LAYERS['default']['BACKEND'])"
    )

    result = _run_settings({"KUMOBEN_DEBUG": "1"}, code)

    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "kumoben.layers.InMemoryChannelLayer",
    ]


def test_check_deploy_is_clean_with_production_variables() -> None:
    env = {
        "DJANGO_SETTINGS_MODULE": "kumoben.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "kumoben.example.org",
    }

    result = _run_settings(
        env,
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'DEBUG'])",
    )

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_join_throttle_budgets_come_from_the_environment() -> None:
    names = (
        "KUMOBEN_JOIN_FAILURES_PER_IP",
        "KUMOBEN_JOIN_FAILURES_PER_BROWSER",
        "KUMOBEN_JOINS_PER_SESSION_MINUTE",
        "KUMOBEN_JOINS_PER_IP_SESSION_MINUTE",
    )
    code = "import kumoben.settings as s; print(" + ", ".join(f"s.{n}" for n in names) + ")"

    default = _run_settings({"KUMOBEN_DEBUG": "1"}, code)
    chosen = _run_settings(
        {"KUMOBEN_DEBUG": "1", **{n: str(i + 7) for i, n in enumerate(names)}}, code
    )
    zero = _run_settings({"KUMOBEN_DEBUG": "1", "KUMOBEN_JOINS_PER_IP_SESSION_MINUTE": "0"}, code)

    assert default.stdout.split() == ["200", "10", "300", "100"]
    assert chosen.stdout.split() == ["7", "8", "9", "10"]
    assert zero.returncode == 1
    assert "KUMOBEN_JOINS_PER_IP_SESSION_MINUTE=0: expected 1.." in zero.stderr


def test_work_budgets_come_from_the_environment() -> None:
    names = ("KUMOBEN_INSTANT_BUDGET_S", "KUMOBEN_RUN_BUDGET_S", "KUMOBEN_RUNS_PER_ADDRESS")
    code = "import kumoben.settings as s; print(" + ", ".join(f"s.{n}" for n in names) + ")"

    default = _run_settings({"KUMOBEN_DEBUG": "1"}, code)
    chosen = _run_settings({"KUMOBEN_DEBUG": "1", **dict.fromkeys(names, "9")}, code)
    zero = _run_settings({"KUMOBEN_DEBUG": "1", "KUMOBEN_RUNS_PER_ADDRESS": "0"}, code)

    assert default.stdout.split() == ["4", "8", "2"]
    assert chosen.stdout.split() == ["9", "9", "9"]
    assert "KUMOBEN_RUNS_PER_ADDRESS=0: expected 1.." in zero.stderr
