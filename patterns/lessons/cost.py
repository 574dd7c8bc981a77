"""The monthly cost of the sample system per pattern, computed from the dated price table.

Every price comes from ``prices.json`` beside this module (one row per price and Region, with the
fact it came from in aws-facts-2026.md section 5, where it was read, AWS's public pricing page for it,
the date it was seen and its status; pages link the pricing page and name the fact by nothing else);
the model's own numbers (hours in a month, the Service Connect proxy allowance, LCU dimensions and the
assumptions about payload and connections) sit in the same file under ``model``. Nothing here types a
figure into prose: each line carries its formula and its amount, both built from those values.

The sample system is the engine's (:func:`patterns.sim.scenario.sample_services` and
``sample_traffic``): four services, three calls. The learner changes the tasks per service, the
requests/s per call, the bytes per request and any price of the chosen Region.

Worked example (Tokyo, 3 tasks per service, 10 requests/s per call, 10 KB per request), ELB:
ALB hours 0.0243 x 730 = 17.739; LCUs max(30/25, 1800/3000, 1.08/1, 90/1000) = 1.2, x 0.008 x 730
= 7.008; data between AZs 788.4 GB x 2/3 x (0.01 + 0.01) = 10.512; total 35.259 USD.

App Mesh is not priced: it reached end of support on 2026-09-30 and is shown as history.
"""

from __future__ import annotations

import datetime
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from patterns import aws_docs
from patterns.catalog import PATTERN_NAMES
from patterns.sim.scenario import default_settings, sample_services, sample_traffic

PRICES_PATH = Path(__file__).with_name("prices.json")
REGIONS = ("ap-northeast-1", "us-east-1")
PRICED_PATTERNS = ("elb", "service-discovery", "service-connect")
PRICE_KEYS = (
    "alb_hour",
    "lcu_hour",
    "cloud_map_resource_month",
    "cloud_map_million_calls",
    "hosted_zone_month",
    "million_queries",
    "fargate_vcpu_hour",
    "fargate_gb_hour",
    "inter_az_gb",
)
CATEGORIES = ("alb", "cloud_map", "route53", "proxy", "data")

# Form limits: the engine's own limits split over the sample system (4 services, 3 calls).
MAX_TASKS_PER_SERVICE = 250  # 4 x 250 = 1,000 tasks, the engine's limit
MAX_RPS_PER_CALL = Decimal(3000)  # 3 x 3,000 = 9,000 requests/s, under the engine's 10,000
MAX_KB = Decimal(1000)
MAX_PRICE = Decimal(100)
_PLAIN_NUMBER = re.compile(r"^[0-9]+(\.[0-9]+)?$")
_MAX_CHARS = 24


@dataclass(frozen=True)
class Price:
    key: str
    region: str
    value: Decimal
    unit: str
    fact: str
    status: str
    seen: str
    source_date: str
    source: str
    pricing_page: str
    assumption: str
    assumption_ja: str

    @property
    def source_host(self) -> str:
        """The site the number was read from, named on the page beside AWS's pricing page."""
        return aws_docs.host(self.source)

    @property
    def source_day(self) -> datetime.date | None:
        """The source's date as a date, so the page writes it the way its language writes dates."""
        try:
            return datetime.date.fromisoformat(self.source_date)
        except ValueError:
            return None

    @property
    def unconfirmed(self) -> bool:
        return self.status == "UNCONFIRMED"

    @property
    def label(self) -> Promise:
        return price_label(self.key)


@dataclass(frozen=True)
class Model:
    hours: Decimal
    proxy_cpu_units: Decimal
    proxy_cpu_units_busy: Decimal
    proxy_busy_rps: Decimal
    proxy_memory_mib: Decimal
    lcu_new_connections: Decimal
    lcu_active_connections: Decimal
    lcu_gb: Decimal
    lcu_rule_evaluations: Decimal
    kb_per_request: Decimal
    new_connection_share: Decimal
    cross_az_share: Fraction
    notes: dict[str, str]


@functools.cache
def _table() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PRICES_PATH.read_text(encoding="utf-8"))
    return data


def prices() -> tuple[Price, ...]:
    """Every row of the price table, in file order."""
    rows = []
    for row in _table()["prices"]:
        rows.append(Price(**{**row, "value": Decimal(row["value"])}))
    return tuple(rows)


def region_prices(region: str) -> dict[str, Price]:
    return {p.key: p for p in prices() if p.region == region}


def model() -> Model:
    raw = _table()["model"]

    def num(key: str) -> Decimal:
        return Decimal(raw[key]["value"])

    share = raw["cross_az_share"]["value"].split("/")
    return Model(
        hours=num("hours_per_month"),
        proxy_cpu_units=num("proxy_cpu_units"),
        proxy_cpu_units_busy=num("proxy_cpu_units_busy"),
        proxy_busy_rps=num("proxy_busy_rps"),
        proxy_memory_mib=num("proxy_memory_mib"),
        lcu_new_connections=num("alb_new_connections_per_lcu"),
        lcu_active_connections=num("alb_active_connections_per_lcu"),
        lcu_gb=num("alb_gb_per_lcu"),
        lcu_rule_evaluations=num("alb_rule_evaluations_per_lcu"),
        kb_per_request=num("kb_per_request"),
        new_connection_share=num("new_connection_share"),
        cross_az_share=Fraction(int(share[0]), int(share[1])),
        notes={key: value["note"] for key, value in raw.items()},
    )


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class Inputs:
    region: str = REGIONS[0]
    tasks: int = 3  # per service
    rps: Decimal = Decimal(10)  # per call
    kb: Decimal = Decimal(10)  # request + response
    prices: Mapping[str, Decimal] = field(default_factory=dict)  # overrides for ``region``

    def price(self, key: str, region: str | None = None) -> Decimal:
        region = region or self.region
        if region == self.region and key in self.prices:
            return self.prices[key]
        return region_prices(region)[key].value

    def is_own(self, key: str) -> bool:
        return key in self.prices and self.prices[key] != region_prices(self.region)[key].value


def _field_labels() -> dict[str, Promise]:
    labels: dict[str, Promise] = {
        "region": _("Region"),
        "tasks": _("Tasks per service"),
        "rps": _("Requests/s per call"),
        "kb": _("KB per request"),
    }
    labels.update({f"p_{key}": price_label(key) for key in PRICE_KEYS})
    return labels


def price_label(key: str) -> Promise:
    return {
        "alb_hour": _("ALB, per hour"),
        "lcu_hour": _("ALB, per LCU-hour"),
        "cloud_map_resource_month": _("Cloud Map, per registered resource a month"),
        "cloud_map_million_calls": _("Cloud Map, per million discovery API calls"),
        "hosted_zone_month": _("Route 53, per hosted zone a month"),
        "million_queries": _("Route 53, per million queries"),
        "fargate_vcpu_hour": _("Fargate, per vCPU-hour"),
        "fargate_gb_hour": _("Fargate, per GB-hour"),
        "inter_az_gb": _("Data between AZs, per GB each way"),
    }[key]


def category_label(key: str) -> Promise:
    return {
        "alb": _("Application Load Balancer"),
        "cloud_map": _("Cloud Map"),
        "route53": _("Route 53"),
        "proxy": _("Proxy CPU and memory (Fargate)"),
        "data": _("Data between AZs"),
    }[key]


def _number(raw: str, label: Promise, limit: Decimal, whole: bool = False) -> Decimal | str:
    """A plain decimal within [0, limit], or the error text (naming the field and the limit)."""
    text = raw.strip()
    shown_limit = f"{limit:,}"
    if len(text) > _MAX_CHARS and text.isdigit():
        return str(_("%(field)s: at most %(limit)s; larger numbers are refused.")) % {
            "field": label,
            "limit": shown_limit,
        }
    if not _PLAIN_NUMBER.match(text) or len(text) > _MAX_CHARS:
        return str(
            _(
                "%(field)s: enter a plain number from 0 to %(limit)s, such as 12.5 (digits and one point)."
            )
        ) % {"field": label, "limit": shown_limit}
    value = Decimal(text)
    if whole and value != value.to_integral_value():
        return str(_("%(field)s: enter a whole number.")) % {"field": label}
    if value > limit:
        return str(_("%(field)s: at most %(limit)s; larger numbers are refused.")) % {
            "field": label,
            "limit": shown_limit,
        }
    return value


def parse(query: Mapping[str, str]) -> tuple[Inputs, dict[str, str], dict[str, str]]:
    """Read the GET form: (inputs, field errors, the raw values to show back).

    Blank fields take the table's value. With errors, the inputs are the defaults (never shown as
    a result: the page shows the errors instead).
    """
    labels = _field_labels()
    errors: dict[str, str] = {}
    shown: dict[str, str] = {}
    region = query.get("region", REGIONS[0]) or REGIONS[0]
    shown["region"] = region
    if region not in REGIONS:
        errors["region"] = str(_("%(field)s: choose %(choices)s.")) % {
            "field": labels["region"],
            "choices": " / ".join(REGIONS),
        }
        region = REGIONS[0]
    values: dict[str, Decimal] = {}
    limits = {
        "tasks": (Decimal(MAX_TASKS_PER_SERVICE), True),
        "rps": (MAX_RPS_PER_CALL, False),
        "kb": (MAX_KB, False),
    }
    for name, (limit, whole) in limits.items():
        raw = query.get(name, "")
        shown[name] = raw
        if raw.strip() == "":
            continue
        parsed = _number(raw, labels[name], limit, whole)
        if isinstance(parsed, str):
            errors[name] = parsed
        else:
            values[name] = parsed
    if values.get("tasks") == 0:
        errors["tasks"] = str(_("%(field)s: at least 1.")) % {"field": labels["tasks"]}
    own: dict[str, Decimal] = {}
    for key in PRICE_KEYS:
        name = f"p_{key}"
        raw = query.get(name, "")
        shown[name] = raw
        if raw.strip() == "":
            continue
        parsed = _number(raw, labels[name], MAX_PRICE)
        if isinstance(parsed, str):
            errors[name] = parsed
        else:
            own[key] = parsed
    if errors:
        return Inputs(region=region), errors, shown
    defaults = Inputs()
    return (
        Inputs(
            region=region,
            tasks=int(values.get("tasks", defaults.tasks)),
            rps=values.get("rps", defaults.rps),
            kb=values.get("kb", model().kb_per_request),
            prices=own,
        ),
        errors,
        shown,
    )


# --------------------------------------------------------------------------- computing


@dataclass(frozen=True)
class Line:
    category: str
    label: Promise | str
    formula: str
    amount: Decimal
    unconfirmed: bool = True
    note: Promise | str = ""

    @property
    def shown(self) -> str:
        return money(self.amount)


@dataclass(frozen=True)
class PatternCost:
    pattern: str
    region: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def name(self) -> str:
        return PATTERN_NAMES[self.pattern]

    @property
    def total_shown(self) -> str:
        return money(self.total)

    def by_category(self) -> dict[str, Decimal | None]:
        out: dict[str, Decimal | None] = dict.fromkeys(CATEGORIES)
        for line in self.lines:
            out[line.category] = (out[line.category] or Decimal(0)) + line.amount
        return out


@dataclass(frozen=True)
class System:
    """The sample system with the learner's task count and traffic."""

    services: tuple[str, ...]
    calls: tuple[tuple[str, str], ...]
    tasks: int
    rps: Decimal

    @property
    def all_tasks(self) -> int:
        return self.tasks * len(self.services)

    @property
    def callees(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(callee for _caller, callee in self.calls))

    @property
    def total_rps(self) -> Decimal:
        return self.rps * len(self.calls)

    def task_rps(self, service: str) -> Decimal:
        """Requests/s through one task's proxy: its share of the calls in and out."""
        touching = sum(1 for call in self.calls if service in call)
        return self.rps * touching / self.tasks


def system(inputs: Inputs) -> System:
    return System(
        services=tuple(s["name"] for s in sample_services()),
        calls=tuple((t["from"], t["to"]) for t in sample_traffic()),
        tasks=inputs.tasks,
        rps=inputs.rps,
    )


def fmt(value: Decimal | Fraction | int, places: int = 6) -> str:
    """A number for a formula: thousands separators, no trailing zeros, at most ``places``."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    step = Decimal(1).scaleb(-places)
    rounded = Decimal(value).quantize(step, rounding=ROUND_HALF_UP).normalize()
    if rounded == rounded.to_integral_value():
        rounded = rounded.quantize(Decimal(1))
    return f"{rounded:,f}"


def money(value: Decimal) -> str:
    """An amount as shown in the tables (cents, half up)."""
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,f}"


def _formula(template: Promise, **values: object) -> str:
    return str(template) % values


def _month_seconds(m: Model) -> Decimal:
    return m.hours * 3600


def _data_line(s: System, inputs: Inputs, region: str, m: Model, via_alb: bool) -> Line:
    gb = s.total_rps * inputs.kb * 1000 * _month_seconds(m) / Decimal(10) ** 9
    share = m.cross_az_share
    rate = inputs.price("inter_az_gb", region)
    amount = gb * share.numerator * rate * 2 / share.denominator
    note = (
        _(
            "The ALB adds a hop (caller to ALB node to target); which hops AWS bills between AZs is not in the facts, so one crossing is counted, as for the other patterns."
        )
        if via_alb
        else _("Callers reach the callee's task directly.")
    )
    return Line(
        "data",
        _("Data between AZs"),
        _formula(
            _(
                "%(rps)s req/s × %(kb)s KB × %(s)s s = %(gb)s GB; × %(share)s × (%(rate)s + %(rate)s) USD/GB"
            ),
            rps=fmt(s.total_rps),
            kb=fmt(inputs.kb),
            s=fmt(_month_seconds(m)),
            gb=fmt(gb),
            share=f"{share.numerator}/{share.denominator}",
            rate=fmt(rate),
        ),
        amount,
        note=note,
    )


def _elb(s: System, inputs: Inputs, region: str, m: Model) -> tuple[Line, ...]:
    alb_rate = inputs.price("alb_hour", region)
    lcu_rate = inputs.price("lcu_hour", region)
    new = s.total_rps * m.new_connection_share
    active = new * 60
    gb_hour = s.total_rps * inputs.kb * 1000 * 3600 / Decimal(10) ** 9
    rules = s.total_rps * len(s.callees)
    lcu = max(
        new / m.lcu_new_connections,
        active / m.lcu_active_connections,
        gb_hour / m.lcu_gb,
        rules / m.lcu_rule_evaluations,
    )
    return (
        Line(
            "alb",
            _("ALB hours (one internal ALB, as the engine models it)"),
            _formula(
                _("1 ALB × %(rate)s USD/h × %(hours)s h"), rate=fmt(alb_rate), hours=fmt(m.hours)
            ),
            alb_rate * m.hours,
        ),
        Line(
            "alb",
            _("ALB LCUs (the largest of the four dimensions)"),
            _formula(
                _(
                    "max(%(new)s new conn/s ÷ %(per_new)s, %(active)s active conn/min ÷ %(per_active)s, %(gb)s GB/h ÷ %(per_gb)s, %(rules)s rule evaluations/s ÷ %(per_rules)s) = %(lcu)s LCU; × %(rate)s USD/LCU-h × %(hours)s h"
                ),
                new=fmt(new),
                per_new=fmt(m.lcu_new_connections),
                active=fmt(active),
                per_active=fmt(m.lcu_active_connections),
                gb=fmt(gb_hour),
                per_gb=fmt(m.lcu_gb),
                rules=fmt(rules),
                per_rules=fmt(m.lcu_rule_evaluations),
                lcu=fmt(lcu),
                rate=fmt(lcu_rate),
                hours=fmt(m.hours),
            ),
            lcu * lcu_rate * m.hours,
            note=_(
                "Assumed: every request opens a new connection and lives under a minute; every request is checked against each of the %(rules)s host rules (one per target group)."
            )
            % {"rules": len(s.callees)},
        ),
        _data_line(s, inputs, region, m, via_alb=True),
    )


def _registered(count: int, inputs: Inputs, region: str, who: Promise) -> Line:
    rate = inputs.price("cloud_map_resource_month", region)
    return Line(
        "cloud_map",
        _("Cloud Map registered instances"),
        _formula(_("%(count)s × %(rate)s USD/month"), count=count, rate=fmt(rate)),
        rate * count,
        note=who,
    )


def _no_api_calls(inputs: Inputs, region: str, why: Promise) -> Line:
    rate = inputs.price("cloud_map_million_calls", region)
    return Line(
        "cloud_map",
        _("Cloud Map discovery API calls"),
        _formula(_("0 calls × %(rate)s USD per million calls"), rate=fmt(rate)),
        Decimal(0),
        note=why,
    )


def _service_discovery(s: System, inputs: Inputs, region: str, m: Model) -> tuple[Line, ...]:
    ttl = Decimal(str(default_settings()["cloud_map"]["dns_ttl_s"]))
    zone = inputs.price("hosted_zone_month", region)
    per_million = inputs.price("million_queries", region)
    askers = s.tasks * len(s.calls)  # each caller task asks for each name it calls
    queries = askers * _month_seconds(m) / ttl
    return (
        _registered(
            s.all_tasks,
            inputs,
            region,
            _("ECS registers every task of every service (as the engine models it)."),
        ),
        _no_api_calls(inputs, region, _("Callers resolve names with DNS, not the API.")),
        Line(
            "route53",
            _("Route 53 private hosted zone (created by the DNS namespace)"),
            _formula(_("%(count)s × %(rate)s USD/month"), count=1, rate=fmt(zone)),
            zone,
        ),
        Line(
            "route53",
            _("Route 53 queries (an upper bound)"),
            _formula(
                _(
                    "%(pairs)s (caller task, name) pairs × %(s)s s ÷ %(ttl)s s TTL = %(queries)s queries; ÷ 1,000,000 × %(rate)s USD"
                ),
                pairs=askers,
                s=fmt(_month_seconds(m)),
                ttl=fmt(ttl),
                queries=fmt(queries),
                rate=fmt(per_million),
            ),
            queries * per_million / 1_000_000,
            note=_(
                "One query per caller task and name each time its cache expires (the engine's default TTL). Whether lookups inside the VPC are billed is not in the facts; this may be 0."
            ),
        ),
        _data_line(s, inputs, region, m, via_alb=False),
    )


def _service_connect(s: System, inputs: Inputs, region: str, m: Model) -> tuple[Line, ...]:
    vcpu_rate = inputs.price("fargate_vcpu_hour", region)
    gb_rate = inputs.price("fargate_gb_hour", region)
    gb = m.proxy_memory_mib / 1024
    lines = [
        _registered(
            s.tasks * len(s.callees),
            inputs,
            region,
            _(
                "The tasks of services others call (client-server services); that they are billed as registered resources is an assumption."
            ),
        ),
        _no_api_calls(
            inputs,
            region,
            _(
                "The facts do not say whether the Service Connect agents' lookups are billed; modelled as none."
            ),
        ),
    ]
    groups: dict[Decimal, int] = {}
    for service in s.services:
        busy = s.task_rps(service) > m.proxy_busy_rps
        units = m.proxy_cpu_units_busy if busy else m.proxy_cpu_units
        groups[units] = groups.get(units, 0) + s.tasks
    for units, count in sorted(groups.items()):
        vcpu = units / 1024
        per_hour = vcpu * vcpu_rate + gb * gb_rate
        lines.append(
            Line(
                "proxy",
                _("Service Connect proxy on Fargate (+%(units)s CPU units, +%(mib)s MiB a task)")
                % {"units": fmt(units), "mib": fmt(m.proxy_memory_mib)},
                _formula(
                    _(
                        "%(count)s tasks × (%(vcpu)s vCPU × %(vcpu_rate)s USD/vCPU-h + %(gb)s GB × %(gb_rate)s USD/GB-h) × %(hours)s h"
                    ),
                    count=count,
                    vcpu=fmt(vcpu),
                    vcpu_rate=fmt(vcpu_rate),
                    gb=fmt(gb),
                    gb_rate=fmt(gb_rate),
                    hours=fmt(m.hours),
                ),
                count * per_hour * m.hours,
                note=_(
                    "The allowance the guidance adds to each task (%(busy_units)s CPU units above %(busy_rps)s requests/s a task); no separate Service Connect fee was found. It may push a task into the next Fargate size."
                )
                % {"busy_units": fmt(m.proxy_cpu_units_busy), "busy_rps": fmt(m.proxy_busy_rps)},
            )
        )
    lines.append(_data_line(s, inputs, region, m, via_alb=False))
    return tuple(lines)


_PATTERNS = {
    "elb": _elb,
    "service-discovery": _service_discovery,
    "service-connect": _service_connect,
}


def pattern_cost(pattern: str, inputs: Inputs, region: str | None = None) -> PatternCost:
    """The monthly lines of one priced pattern in one Region (the inputs' Region by default)."""
    region = region or inputs.region
    lines = _PATTERNS[pattern](system(inputs), inputs, region, model())
    return PatternCost(pattern, region, lines)


def all_costs(inputs: Inputs) -> dict[str, dict[str, PatternCost]]:
    """{region: {pattern: cost}}; the learner's own prices apply to the chosen Region only."""
    return {
        region: {pattern: pattern_cost(pattern, inputs, region) for pattern in PRICED_PATTERNS}
        for region in REGIONS
    }
