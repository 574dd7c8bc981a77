"""The one refusal the whole app speaks: a field that names where, a reason that says why.

It lives in the engine because the engine's own ``ScenarioError`` is one; the rest of the app
imports it from ``patterns.errors``. Screens show ``reason`` next to ``field``; sockets send
``as_frame()``; JSON endpoints send ``as_dict()``.
"""

from __future__ import annotations

from typing import Any


class FieldError(ValueError):
    """Refused input: ``field`` names the part (a form field or a JSON path), ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "reason": self.reason}

    def as_frame(self) -> dict[str, Any]:
        return {"type": "error", "field": self.field, "reason": self.reason}
