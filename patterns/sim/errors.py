"""The one refusal the whole app speaks: a field that names where, a reason that says why.

It lives in the engine because the engine's own ``ScenarioError`` is one; the rest of the app
imports it from ``patterns.errors``. Screens show ``reason`` next to ``field``; sockets send
``as_frame()``; JSON endpoints send ``as_dict()``.

The engine speaks English only. Every reason it gives has a code in :data:`REASONS`, an English
template whose ``{name}`` slots are the parameters; :func:`reason_code` finds the code and the
parameters of a reason (also after the reason was re-wrapped with another field), and the web
layer (``patterns.errors.localized``) says the same thing in the page's language.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any

#: Code -> English template of every reason the engine gives. A ``{name}`` slot matches any text.
REASONS: dict[str, str] = {
    # patterns/sim/scenario.py: values
    "number": "must be a number, got {type}",
    "whole_number": "must be a whole number, got {value}",
    "between": "must be between {lo} and {hi}, got {value}",
    "one_of_got": "must be one of {choices}; got {value}",
    "object": "must be an object, got {type}",
    "list": "must be a list, got {type}",
    "boolean": "must be true or false, got {value}",
    "unknown_key": "unknown key; allowed: {allowed}",
    "required": "is required",
    "above_zero": "must be above 0",
    "string": "must be a string",
    "string_at_most": "must be a string of at most {max} characters",
    "invalid_json": "invalid JSON: {message} at line {line}",
    "unknown_builtin": "unknown built-in scenario {name}; choose one of {names}",
    # services, calls, tasks, traffic
    "service_name": "must be lower-case letters, digits and '-', starting with a letter",
    "duplicate_service": "duplicate service {name}",
    "duplicate_az": "duplicate AZ {az}",
    "needs_service": "needs at least one service",
    "needs_az": "needs at least one AZ",
    "too_many_tasks": "more than {max} tasks in total",
    "too_much_traffic": "more than {max} requests/s in total",
    "unknown_service": "unknown service {name}",
    "self_call": "a service does not call itself in this model",
    "task_name": "must be '<service>-<n>' of a known service, got {task}",
    "setting_path": "must be a 'component.key' string",
    "service_later": (
        "service {name} does not exist yet at {at} s (an add_service action creates it later)"
    ),
    # settings
    "unknown_setting": "unknown setting {name}",
    "unknown_setting_allowed": "unknown setting; allowed: {allowed}",
    "unknown_component": "unknown component; allowed: {allowed}",
    "shorter_than": "must be shorter than {other}",
    "not_below": "must not be below {other}",
    "off_or_between": "must be 0 (off) or between {lo} and {hi}",
    "slow_start_lor": "slow start cannot be combined with least_outstanding_requests",
    "mesh_outlier_dns": "needs app_mesh.discovery cloud_map (DNS gives Envoy one host)",
    "depends_on_needs_check": (
        "needs ecs.container_health_check: condition HEALTHY waits for a container health check"
    ),
    # App Mesh routes
    "vs_name": "virtual service names are lower-case service names",
    "route_target": "a route needs at least one weighted target",
    "names_service": "must name an ECS service",
    "zero_weights": "the weights must not all be zero",
    "vs_not_service": "virtual service {name} is not a service",
    # deployments
    "tenths": "must be a multiple of 0.1, got {value}",
    "strategy_only": "only with strategy {strategies}, not {strategy}",
    "bake_required": "is required with strategy blue_green (bakeTimeInMinutes, 0-1440 minutes)",
    "deploy_sd": "not supported with Service Discovery: {detail}",
    "deploy_app_mesh": "not supported with App Mesh: {detail}",
    # the running simulation
    "actions_past": "the actions before the current time cannot change",
    # patterns/sim/proxy.py and discovery.py ("<key>: <reason>", wrapped by the scenario's path)
    "zero_or_positive_consecutive": "must be zero (consecutive errors) or positive",
    "zero_or_positive_off": "must be zero (off) or positive",
    "at_least": "must be at least {min}",
    "positive": "must be positive",
    "not_smaller": "cannot be smaller than {other}",
    "range": "must be between {lo} and {hi}",
    "zero_or_more": "must be zero or more",
    "retry_condition": "unknown retry condition {name}",
    "one_of": "must be one of {choices}",
    "some_of": "must be some of {choices}",
    "srv_only": "bridge and host network modes support only SRV records",
    "health_status": "must be HEALTHY or UNHEALTHY",
    "no_custom_check": "service {name} has no custom health check",
    "no_instance": "no instance {id} in service {name}",
    "instances_full": "service {name} already has {max} instances",
    "fixed_ttl": "the fixed policy needs a hold time of zero or more",
}

_SLOT = re.compile(r"\{(\w+)\}")
_PREFIX = re.compile(r"^([A-Za-z_][\w.\[\]-]*): (.+)$", re.DOTALL)


def template_regex(template: str) -> re.Pattern[str]:
    """The template as an anchored pattern: each ``{name}`` slot a lazy named group."""
    parts = _SLOT.split(template)
    out = "".join(f"(?P<{part}>.+?)" if i % 2 else re.escape(part) for i, part in enumerate(parts))
    return re.compile(f"^{out}$", re.DOTALL)


@functools.lru_cache(maxsize=8)
def _compiled(items: tuple[tuple[str, str], ...]) -> list[tuple[str, re.Pattern[str]]]:
    # Most literal text first, so "must be between {lo} and {hi}, got {value}" wins over the
    # shorter "must be between {lo} and {hi}".
    ordered = sorted(items, key=lambda item: -len(_SLOT.sub("", item[1])))
    return [(code, template_regex(template)) for code, template in ordered]


def reason_code(
    reason: str, catalog: Mapping[str, str] = REASONS
) -> tuple[str, dict[str, str]] | None:
    """The code and parameters of ``reason`` in ``catalog``; None when no template fits."""
    for code, pattern in _compiled(tuple(catalog.items())):
        match = pattern.match(reason)
        if match:
            return code, match.groupdict()
    return None


def split_key(reason: str) -> tuple[str, str]:
    """``("ttl_s", "must be zero or more")`` for ``"ttl_s: must be zero or more"``; ``("", reason)``
    for a reason that does not start with a key or a JSON path."""
    match = _PREFIX.match(reason)
    return (match.group(1), match.group(2)) if match else ("", reason)


class FieldError(ValueError):
    """Refused input: ``field`` names the part (a form field or a JSON path), ``reason`` says why."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason

    @property
    def code(self) -> str | None:
        """The engine's code for ``reason`` (see :data:`REASONS`), None for another reason.

        The engine's settings objects put their key first (``"ttl_s: must be zero or more"``);
        the code is then the one of the rest.
        """
        found = reason_code(self.reason) or reason_code(split_key(self.reason)[1])
        return found[0] if found else None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "reason": self.reason}

    def as_frame(self) -> dict[str, Any]:
        return {"type": "error", "field": self.field, "reason": self.reason}
