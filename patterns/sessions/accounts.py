"""An instructor's own pages: the list of their sessions, and the time zone their report CSV is
written in (the browser's, sent by the report link, or `?tz=`)."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from patterns.sessions import joining
from patterns.sessions.models import StudySession

MAX_ZONE_LENGTH = 64


class ZoneError(ValueError):
    """`?tz=` names no time zone; the message names the field."""


def viewer_zone(request: HttpRequest) -> dt.tzinfo:
    """The zone of `?tz=` (an IANA name such as Asia/Tokyo), UTC when there is none."""
    name = request.GET.get("tz", "").strip()
    if not name:
        return dt.timezone.utc
    try:
        if len(name) > MAX_ZONE_LENGTH:
            raise ValueError(name)
        return zoneinfo.ZoneInfo(name)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise ZoneError(
            _("tz: %(name)s is not a time zone; use a name such as Asia/Tokyo or UTC.")
            % {"name": name[:MAX_ZONE_LENGTH]}
        ) from None


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    if not joining.is_instructor(request.user):
        raise PermissionDenied
    # Meta.ordering does not apply to a query with GROUP BY, so it is said again.
    sessions = (
        StudySession.objects.filter(owner=request.user)
        .annotate(
            people=Count("participants", distinct=True), questions=Count("polls", distinct=True)
        )
        .order_by("-created_at")
    )
    return render(request, "sessions/mine.html", {"sessions": sessions})
