"""Reading fields of a study-session frame, and the error that names a refused one.

Each reader returns the field's value in the form the command log stores, or raises
SessionError(field, reason) with a reason fit to show the person who sent the frame.
"""

from __future__ import annotations

import math
import re
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


# After NFKC: digits, one decimal point or comma, an optional sign; "1,000" groups thousands.
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)")
_GROUPED_NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2013": "-", "\u30fc": "-"})


def parse_typed_number(text: str) -> float | None:
    """A number as a person types it on a phone: full-width digits (１２．５), a decimal comma
    (1,5), thousands separators (1,000), spaces around it. None when it is not a number.

    Examples: "１２．５" -> 12.5; "1,5" -> 1.5; "1,000" -> 1000.0; "１２秒" -> None.
    """
    plain = unicodedata.normalize("NFKC", text).translate(_MINUS_SIGNS).strip().replace(" ", "")
    if _GROUPED_NUMBER.fullmatch(plain):
        return float(plain.replace(",", ""))
    if _PLAIN_NUMBER.fullmatch(plain):
        return float(plain.replace(",", "."))
    return None


def read_answer_number(payload: dict[str, Any], field: str, low: float, high: float) -> float:
    """A student's typed number (text or a JSON number); the reason says what was wrong."""
    value = payload.get(field)
    if isinstance(value, str):
        if not value.strip():
            raise SessionError(field, _("Write a number first."))
        parsed = parse_typed_number(value[:40])
        if parsed is None or not math.isfinite(parsed):
            raise SessionError(
                field,
                _("“%(text)s” is not a number: write only digits, such as 42 or 1.5.")
                % {"text": value.strip()[:40]},
            )
        payload = {field: parsed}
    return read_number(payload, field, low, high)


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
