"""The four patterns of the talk, as short summaries for the home page.

Facts (dates, whether a proxy container is needed) come from the verified comparison table in
the project's AWS reference notes; the sentences are ours and translated through gettext.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Pattern:
    slug: str
    name: str  # an AWS product name: never translated
    who_picks: Promise
    summary: Promise
    proxy_container: bool
    general_availability: str  # ISO date, verified
    note: Promise | None = None


PATTERNS: tuple[Pattern, ...] = (
    Pattern(
        slug="elb",
        name="ELB (Application Load Balancer)",
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
        who_picks=_(
            "The caller's Envoy sidecar picks a virtual node by route weight, then a task."
        ),
        summary=_(
            "Every task runs an Envoy sidecar; the App Mesh control plane pushes virtual services, "
            "routes and endpoints from Cloud Map. Retries and timeouts happen in the caller's Envoy."
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
