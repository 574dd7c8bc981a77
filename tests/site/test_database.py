from __future__ import annotations

import os

import pytest
from django.db import connection

pytestmark = [pytest.mark.unit, pytest.mark.django_db]


def test_database_vendor_matches_database_url() -> None:
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        (one,) = cursor.fetchone()

    assert (connection.vendor, one) == (expected, 1)
