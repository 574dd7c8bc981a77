"""`manage.py check --deploy` says what classroom mode gives up, next to Django's own warnings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def classroom_mode(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if not getattr(settings, "CLASSROOM", False):
        return []
    return [
        Warning(
            "KUMOBEN_CLASSROOM is on: the site is served over plain HTTP, without an HTTPS "
            "redirect, HSTS or Secure-only cookies, so anyone on the same network can read "
            "sign-ins and session cookies.",
            hint=(
                "Fine for a class on a school or home network. On the internet put a TLS proxy in "
                "front, set KUMOBEN_PUBLIC_URL=https://… and SECRET_KEY, and unset KUMOBEN_CLASSROOM; the "
                "security.W004/W008/W012/W016 warnings then go away."
            ),
            id="kumoben.W001",
        )
    ]
