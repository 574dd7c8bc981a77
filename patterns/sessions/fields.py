"""Reading fields of a study-session frame, and the error that names a refused one.

Each reader returns the field's value in the form the command log stores, or raises
SessionError(field, reason) with a reason fit to show the person who sent the frame.
"""

from __future__ import annotations

import math
import unicodedata
from typing import Any

from django.utils.translation import gettext as _

from patterns.errors import FieldError


class SessionError(FieldError):
    """A refused request, naming the field and a reason fit to show the user."""


def read_number(payload: dict[str, Any], field: str, low: float, high: float) -> float:
    value = payload.get(field)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise SessionError(field, _("expected a number"))
    if not low <= value <= high:
        raise SessionError(
            field, _("expected a number from %(low)s to %(high)s") % {"low": low, "high": high}
        )
    return float(value)


def read_whole(payload: dict[str, Any], field: str, low: int, high: int) -> int:
    value = payload.get(field)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise SessionError(
            field,
            _("expected a whole number from %(low)d to %(high)d") % {"low": low, "high": high},
        )
    return value


def read_text(payload: dict[str, Any], field: str, limit: int, required: bool = True) -> str:
    value = payload.get(field, "")
    if not isinstance(value, str):
        raise SessionError(field, _("expected text"))
    # NFC, not NFKC: a Japanese question keeps its full-width punctuation as written.
    value = " ".join(unicodedata.normalize("NFC", value).split())
    if required and not value:
        raise SessionError(field, _("required"))
    if len(value) > limit:
        raise SessionError(field, _("at most %(max)d characters") % {"max": limit})
    return value
