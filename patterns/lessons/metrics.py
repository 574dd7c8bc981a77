"""Metrics per pattern: which CloudWatch metrics each pattern gives you, from where, by which dimensions.

The talk's comparison has a yes/no "traffic metrics" row; this makes it concrete. Names and
dimensions come only from the facts files (aws-semantics.md section 1 and 4.3, aws-facts-2026.md
section 6; the page links each group's public AWS page, never the fact id); a group the facts do not
confirm is marked UNCONFIRMED on the page. Metric, namespace and
dimension names are AWS API names and stay English in every language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from patterns import aws_docs as docs
from patterns.catalog import PATTERN_NAMES


@dataclass(frozen=True)
class MetricGroup:
    source: str  # CloudWatch namespace, or "" when there is none
    names: tuple[str, ...]
    dimensions: tuple[str, ...]
    note: Promise
    doc: str  # the public AWS page the group rests on (shown as its source)
    unconfirmed: bool = False

    @property
    def doc_label(self) -> str:
        return docs.label(self.doc)


@dataclass(frozen=True)
class PatternMetrics:
    pattern: str
    summary: Promise
    groups: tuple[MetricGroup, ...]
    history: bool = False

    @property
    def name(self) -> str:
        return PATTERN_NAMES[self.pattern]


_ALB = "AWS/ApplicationELB"
_ECS = "AWS/ECS"


def pattern_metrics() -> tuple[PatternMetrics, ...]:
    """One entry per pattern, in the catalog's order (ELB, App Mesh, Service Discovery, Service Connect)."""
    return (
        PatternMetrics(
            "elb",
            _("The ALB counts every request it forwards."),
            (
                MetricGroup(
                    _ALB,
                    ("HealthyHostCount", "UnHealthyHostCount"),
                    ("TargetGroup", "LoadBalancer", "AvailabilityZone"),
                    _("Per target group; AvailabilityZone is optional."),
                    docs.ALB_METRICS,  # facts 6.1
                ),
                MetricGroup(
                    _ALB,
                    (
                        "RequestCount",
                        "TargetResponseTime",
                        "HTTPCode_Target_2XX_Count",
                        "HTTPCode_Target_3XX_Count",
                        "HTTPCode_Target_4XX_Count",
                        "HTTPCode_Target_5XX_Count",
                        "HTTPCode_ELB_5XX_Count",
                        "HTTPCode_ELB_502_Count",
                        "HTTPCode_ELB_503_Count",
                        "HTTPCode_ELB_504_Count",
                        "TargetConnectionErrorCount",
                        "RequestCountPerTarget",
                    ),
                    ("LoadBalancer", "TargetGroup"),
                    _(
                        "TargetResponseTime is in seconds. Target 5xx are answers from your tasks; ELB 5xx are errors the ALB made itself. Sent every 60 s, only while requests flow; health checks are not counted. The facts give these dimensions for the host counts only; for these metrics they are an assumption."
                    ),
                    docs.ALB_METRICS,  # semantics 1 (ALB-CW), facts 6.1
                    unconfirmed=True,
                ),
            ),
        ),
        PatternMetrics(
            "app-mesh",
            _(
                "History: App Mesh reached end of support on 2026-09-30. Its Envoy sidecars kept statistics that you exported yourself (statsd or the CloudWatch agent); no CloudWatch namespace of its own."
            ),
            (
                MetricGroup(
                    "",
                    (),
                    (),
                    _(
                        "Envoy statistics, exported by you; the facts name no metrics or dimensions, and how teams exported them is UNCONFIRMED."
                    ),
                    docs.APP_MESH_END,  # semantics 6
                    unconfirmed=True,
                ),
            ),
            history=True,
        ),
        PatternMetrics(
            "service-discovery",
            _("Nothing sits in the request path, so nothing counts requests."),
            (
                MetricGroup(
                    "",
                    (),
                    (),
                    _(
                        "DNS service discovery produces no traffic metrics: the application must collect them. To see which names clients resolve, turn on Route 53 Resolver query logging (to CloudWatch Logs, S3 or Firehose): logs, not metrics."
                    ),
                    docs.RESOLVER_QUERY_LOGS,  # facts 6.6
                ),
                MetricGroup(
                    "",
                    (),
                    (),
                    _(
                        "Cloud Map and Route 53 metrics for the namespace's records: the facts name none, so none are listed here."
                    ),
                    docs.CLOUD_MAP_GUIDE,
                    unconfirmed=True,
                ),
            ),
        ),
        PatternMetrics(
            "service-connect",
            _("Both proxies (the caller's and the callee's) publish metrics to CloudWatch."),
            (
                MetricGroup(
                    _ECS,
                    (
                        "ActiveConnectionCount",
                        "NewConnectionCount",
                        "ProcessedBytes",
                        "RequestCount",
                        "GrpcRequestCount",
                        "HTTPCode_Target_2XX_Count",
                        "HTTPCode_Target_3XX_Count",
                        "HTTPCode_Target_4XX_Count",
                        "HTTPCode_Target_5XX_Count",
                        "RequestCountPerTarget",
                        "TargetProcessedBytes",
                        "TargetResponseTime",
                    ),
                    ("ClusterName", "ServiceName", "DiscoveryName", "TargetDiscoveryName"),
                    _(
                        "TargetResponseTime is in milliseconds. Per-status HTTP metrics need an appProtocol on the server's port mapping; without it only connection and byte metrics appear. ECS sends them once a minute, only while tasks run."
                    ),
                    docs.ECS_METRICS,  # facts 6.2-6.4
                ),
                MetricGroup(
                    _ECS,
                    ("ClientTLSNegotiationErrorCount", "TargetTLSNegotiationErrorCount"),
                    (),
                    _(
                        "For TLS-enabled services, and target metrics on TargetDiscoveryName alone or with the calling service's ServiceName and ClusterName: community lists only."
                    ),
                    docs.ECS_METRICS,  # facts 6.3
                    unconfirmed=True,
                ),
            ),
        ),
    )
