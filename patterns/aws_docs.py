"""Public AWS pages that the learner-facing facts rest on: one place for every address.

Pages show these links, never the project's internal fact ids (code comments may keep those). Each
constant is a page of docs.aws.amazon.com or aws.amazon.com; :func:`is_public_aws` is the test the
pages and their tests share.
"""

from __future__ import annotations

from urllib.parse import urlsplit

ECS_API = "https://docs.aws.amazon.com/AmazonECS/latest/APIReference"
ECS_GUIDE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide"
ELB_API = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference"
ALB_GUIDE = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application"
CLOUD_MAP_API = "https://docs.aws.amazon.com/cloud-map/latest/api"
CLOUD_MAP_GUIDE = "https://docs.aws.amazon.com/cloud-map/latest/dg/what-is-cloud-map.html"
LATTICE_GUIDE = "https://docs.aws.amazon.com/vpc-lattice/latest/ug"
LATTICE_API = "https://docs.aws.amazon.com/vpc-lattice/latest/APIReference"

#: Service Connect's "components" page: fixed behaviour, limits, sizing (the facts' SC-DEP).
SC_GUIDE = f"{ECS_GUIDE}/service-connect-concepts-deploy.html"
SC_OVERVIEW = f"{ECS_GUIDE}/service-connect.html"
SC_CONCEPTS = f"{ECS_GUIDE}/service-connect-concepts.html"
SC_TLS = f"{ECS_GUIDE}/service-connect-tls.html"
SC_BLUE_GREEN = f"{ECS_GUIDE}/service-connect-blue-green.html"
SERVICE_DISCOVERY = f"{ECS_GUIDE}/service-discovery.html"
ECS_METRICS = f"{ECS_GUIDE}/available-metrics.html"
ECS_QUOTAS = f"{ECS_GUIDE}/service-quotas.html"
BLUE_GREEN = f"{ECS_GUIDE}/blue-green-deployment-implementation.html"
LATTICE_BLUE_GREEN = f"{ECS_GUIDE}/vpc-lattice-resources-for-blue-green.html"
ELB_HOW = (
    "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/"
    "how-elastic-load-balancing-works.html"
)
ALB_OVERVIEW = f"{ALB_GUIDE}/application-load-balancers.html"
ALB_HEALTH = f"{ALB_GUIDE}/target-group-health-checks.html"
ALB_METRICS = f"{ALB_GUIDE}/load-balancer-cloudwatch-metrics.html"
ALB_TROUBLE = f"{ALB_GUIDE}/load-balancer-troubleshooting.html"
RESOLVER_QUERY_LOGS = (
    "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-query-logs.html"
)
APP_MESH_END = "https://aws.amazon.com/blogs/containers/migrating-from-aws-app-mesh-to-amazon-ecs-service-connect/"
LATTICE_ECS_MIGRATION = (
    "https://aws.amazon.com/blogs/networking-and-content-delivery/"
    "migrate-amazon-ecs-service-communication-to-amazon-vpc-lattice"
)

#: Pricing pages, one per priced service (the cost view's price table).
PRICING = {
    "elb": "https://aws.amazon.com/elasticloadbalancing/pricing/",
    "cloud-map": "https://aws.amazon.com/cloud-map/pricing/",
    "route53": "https://aws.amazon.com/route53/pricing/",
    "fargate": "https://aws.amazon.com/fargate/pricing/",
    "ec2": "https://aws.amazon.com/ec2/pricing/on-demand/",
    "vpc-lattice": "https://aws.amazon.com/vpc/lattice/pricing/",
}

PUBLIC_AWS_PREFIXES = ("https://docs.aws.amazon.com/", "https://aws.amazon.com/")


def is_public_aws(url: str) -> bool:
    """True for a page of AWS's public documentation or website."""
    return url.startswith(PUBLIC_AWS_PREFIXES)


def host(url: str) -> str:
    """The site a link goes to (``docs.aws.amazon.com``, ``github.com`` …)."""
    return urlsplit(url).hostname or url


def label(url: str) -> str:
    """A source link's text: the site and the page, so two links to one site read differently
    (``docs.aws.amazon.com › service-networks``, ``aws.amazon.com › route53/pricing``)."""
    parts = [p for p in urlsplit(url).path.split("/") if p]
    if not parts:
        return host(url)
    page = parts[-1].removesuffix(".html")
    if len(parts) > 2 and parts[-2] == "issues":
        page = f"{parts[-3]}#{page}"
    elif page == "pricing" and len(parts) > 1:
        page = f"{parts[-2]}/pricing"
    return f"{host(url)} › {page}"
