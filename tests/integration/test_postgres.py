from __future__ import annotations

import re
import subprocess
import sys

from tests.servers import ROOT, server_env


def test_database_tests_pass_on_postgresql(postgres_url: str) -> None:
    env = server_env(DATABASE_URL=postgres_url, DJANGO_SETTINGS_MODULE="kumoben.settings_test")

    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-m",
            "django_db",
            "--create-db",
            "tests/lessons",
            "tests/labs",
            "tests/playground",
            "tests/progress",
            "tests/sessions",
            "tests/site",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    passed = re.search(r"(\d+) passed", result.stdout)
    assert passed is not None and int(passed.group(1)) >= 5, result.stdout[-1000:]
