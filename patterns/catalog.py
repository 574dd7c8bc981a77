"""The four patterns of the talk, the built-in scenarios' titles and the player's speeds: the words
every screen uses for them, in one place.

Facts (dates, whether a proxy container is needed) come from the verified comparison table in
the project's AWS reference notes; the sentences are ours and translated through gettext.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from patterns.sim import BUILTIN_SCENARIOS


@dataclass(frozen=True)
class Pattern:
    slug: str
    name: str  # an AWS product name: never translated
    short_name: str  # the same, where space is short (buttons, lab verdicts)
    who_picks: Promise
    summary: Promise
    proxy_container: bool
    general_availability: str  # ISO date, verified
    note: Promise | None = None


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        slug="elb",
        name="ELB (Application Load Balancer)",
        short_name="ELB",
        who_picks=_("The ALB node picks a healthy target from the target group."),
        summary=_(
            "Callers send every request to the internal ALB's DNS name. Health checks and the "
            "deregistration delay decide how long a dead task keeps getting traffic."
        ),
        proxy_container=False,
        general_availability="2016-08-11",
    ),
    Pattern(
        slug="app-mesh",
        name="AWS App Mesh",
        short_name="AWS App Mesh",
        who_picks=_(
            "The caller's Envoy sidecar picked a virtual node by route weight, then a task."
        ),
        summary=_(
            "Every task ran an Envoy sidecar; the App Mesh control plane pushed virtual services "
            "and routes to it, and a virtual node found its tasks through Cloud Map or DNS. "
            "Retries and timeouts happened in the caller's Envoy."
        ),
        proxy_container=True,
        general_availability="2019-03-27",
        note=_(
            "App Mesh took no new customers from 2024-09-24 and reached end of support on "
            "2026-09-30. AWS points existing users to ECS Service Connect."
        ),
    ),
    Pattern(
        slug="service-discovery",
        name="ECS Service Discovery",
        short_name="ECS Service Discovery",
        who_picks=_("The calling application picks an IP from the DNS answer itself."),
        summary=_(
            "ECS registers each task in Cloud Map, which writes records to a Route 53 private "
            "hosted zone. A client's DNS cache can keep a stopped task's IP until the TTL runs out."
        ),
        proxy_container=False,
        general_availability="2018-03-22",
    ),
    Pattern(
        slug="service-connect",
        name="ECS Service Connect",
        short_name="ECS Service Connect",
        who_picks=_("The managed Envoy-based agent in the calling task picks a task, round robin."),
        summary=_(
            "ECS adds a managed proxy to every task and uses a Cloud Map namespace without Route 53. "
            "The proxy retries, times out and ejects failing tasks for the application."
        ),
        proxy_container=True,
        general_availability="2022-11-27",
    ),
)

BY_SLUG = {pattern.slug: pattern for pattern in PATTERNS}
#: Short names by slug (the engine's pattern names), in the talk's order.
PATTERN_NAMES: dict[str, str] = {pattern.slug: pattern.short_name for pattern in PATTERNS}

#: The player's speeds, slowest first, as written on its buttons; the script reads them from there.
SPEEDS: tuple[str, ...] = ("0.1", "0.25", "0.5", "1", "2", "5", "10")
#: The speeds a socket accepts: anything between the slowest and the fastest button.
MIN_SPEED, MAX_SPEED = float(SPEEDS[0]), float(SPEEDS[-1])

#: Each built-in scenario in one line, in the page's language (the engine's own descriptions are
#: English only).
SCENARIO_TITLES = {
    "steady": _("Steady traffic: nothing fails"),
    "kill-task": _("inventory-2 is killed at 60 s; ECS replaces it"),
    "slow-task": _("inventory-2 answers 20 s late from 60 s on; its health check still passes"),
    "errors-5xx": _(
        "inventory-2 answers 503 to every request from 60 s on; its health check passes"
    ),
    "scale-out": _("inventory scales from 3 to 6 tasks at 60 s; the app needs 15 s to start"),
    "rolling-deploy": _("inventory is redeployed at 60 s (minimum 100 %, maximum 200 %)"),
    "az-outage": _("ap-northeast-1c fails at 60 s and recovers at 240 s"),
    "canary-90-10": _(
        "App Mesh sends one in ten inventory requests to inventory-v2, which fails half of them"
    ),
    "stale-dns": _("inventory is redeployed at 60 s; callers keep cached IPs (TTL 300 s)"),
}


def scenario_title(name: str, inline: dict[str, Any] | None = None) -> str:
    """A built-in scenario's title (the engine's description if it has none), or an inline
    scenario's own description or name."""
    if inline is not None:
        return str(inline.get("description") or inline.get("name") or _("A custom scenario"))
    return str(SCENARIO_TITLES.get(name, BUILTIN_SCENARIOS[name].get("description", name)))
