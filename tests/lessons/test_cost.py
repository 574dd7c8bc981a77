"""The cost view: the price table, exact monthly figures per pattern and Region, the form and the page."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from patterns.aws_docs import is_public_aws
from patterns.lessons import cost, metrics

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
JA = {"HTTP_ACCEPT_LANGUAGE": "ja"}
URL = "/lessons/compare/cost/"
D = Decimal


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Formulas and errors are built in the active language: the unit tests read English."""
    with translation.override("en"):
        yield


# --------------------------------------------------------------------------- the price table


def test_every_price_row_has_a_source_a_date_a_fact_and_a_status() -> None:
    rows = cost.prices()

    assert {(p.key, p.region) for p in rows} == {
        (key, region) for key in cost.PRICE_KEYS for region in cost.REGIONS
    }
    for p in rows:
        assert p.source.startswith("https://")
        assert is_public_aws(p.pricing_page) and "/pricing/" in p.pricing_page
        assert re.fullmatch(r"2026-\d\d-\d\d", p.seen)
        assert p.fact.startswith("5.")
        assert p.status in ("CONFIRMED", "UNCONFIRMED")
        assert bool(p.assumption) == bool(p.assumption_ja)


def test_prices_are_the_facts_files_numbers() -> None:
    tokyo, virginia = cost.region_prices("ap-northeast-1"), cost.region_prices("us-east-1")

    assert (tokyo["alb_hour"].value, virginia["alb_hour"].value) == (D("0.0243"), D("0.0225"))
    assert tokyo["lcu_hour"].value == virginia["lcu_hour"].value == D("0.008")
    assert tokyo["fargate_vcpu_hour"].value == D("0.05056")
    assert tokyo["fargate_gb_hour"].value == D("0.00553")
    assert tokyo["cloud_map_resource_month"].value == D("0.10")
    assert tokyo["hosted_zone_month"].value == D("0.50")
    assert tokyo["million_queries"].value == D("0.40")
    assert virginia["inter_az_gb"].value == D("0.01")
    # Stand-ins for prices the facts do not give are UNCONFIRMED and say what they assume.
    assert "Tokyo rate stands in" in virginia["fargate_vcpu_hour"].assumption
    assert "us-east-1 rate stands in" in tokyo["inter_az_gb"].assumption
    assert all(p.unconfirmed for p in cost.prices())


def test_the_model_takes_the_proxy_allowance_from_the_facts() -> None:
    m = cost.model()

    assert (m.proxy_cpu_units, m.proxy_memory_mib, m.proxy_cpu_units_busy) == (256, 64, 512)
    assert m.hours == 730
    raw = json.loads(cost.PRICES_PATH.read_text())["model"]
    assert raw["proxy_cpu_units"]["fact"] == "3.13"


# --------------------------------------------------------------------------- exact figures


def _amounts(pattern: str, region: str, inputs: cost.Inputs | None = None) -> list[Decimal]:
    return [
        line.amount for line in cost.pattern_cost(pattern, inputs or cost.Inputs(), region).lines
    ]


def test_elb_in_tokyo_for_the_sample_system() -> None:
    result = cost.pattern_cost("elb", cost.Inputs(), "ap-northeast-1")

    # ALB 0.0243 x 730; LCU max(30/25, 1800/3000, 1.08/1, 90/1000) = 1.2 x 0.008 x 730;
    # 788.4 GB x 2/3 x (0.01 + 0.01).
    assert [line.amount for line in result.lines] == [D("17.739"), D("7.008"), D("10.512")]
    assert result.total == D("35.259")
    assert result.total_shown == "35.26"
    assert result.lines[0].formula == "1 ALB × 0.0243 USD/h × 730 h"


def test_elb_in_us_east_1_for_the_sample_system() -> None:
    result = cost.pattern_cost("elb", cost.Inputs(), "us-east-1")

    assert [line.amount for line in result.lines] == [D("16.425"), D("7.008"), D("10.512")]
    assert result.total == D("33.945")


@pytest.mark.parametrize("region", cost.REGIONS)
def test_service_discovery_for_the_sample_system(region: str) -> None:
    result = cost.pattern_cost("service-discovery", cost.Inputs(), region)

    # 12 registered tasks x 0.10; no API calls; 1 zone x 0.50;
    # 9 (caller task, name) pairs x 2,628,000 s / 300 s = 78,840 queries x 0.40 per million.
    assert [line.amount for line in result.lines] == [
        D("1.20"),
        D("0"),
        D("0.50"),
        D("0.031536"),
        D("10.512"),
    ]
    assert result.total == D("12.243536")
    assert "78,840 queries" in result.lines[3].formula


@pytest.mark.parametrize("region", cost.REGIONS)
def test_service_connect_for_the_sample_system(region: str) -> None:
    result = cost.pattern_cost("service-connect", cost.Inputs(), region)

    # 9 callee tasks x 0.10; no API calls;
    # 12 x (0.25 x 0.05056 + 0.0625 x 0.00553) x 730 = 113.754075; data 10.512.
    assert [line.amount for line in result.lines] == [
        D("0.90"),
        D("0"),
        D("113.754075"),
        D("10.512"),
    ]
    assert result.total == D("125.166075")
    assert result.lines[2].formula == (
        "12 tasks × (0.25 vCPU × 0.05056 USD/vCPU-h + 0.0625 GB × 0.00553 USD/GB-h) × 730 h"
    )


def test_the_learners_task_count_and_traffic_change_the_figures() -> None:
    inputs = cost.Inputs(tasks=10, rps=D(100))

    # 300 req/s: LCU = 300/25 = 12 -> 12 x 0.008 x 730 = 70.08; data 7,884 GB x 2/3 x 0.02.
    assert _amounts("elb", "ap-northeast-1", inputs) == [D("17.739"), D("70.08"), D("105.12")]
    # 40 tasks x 0.012985625 x 730
    assert _amounts("service-connect", "ap-northeast-1", inputs)[2] == D("379.18025")
    # 30 pairs x 8,760 queries x 0.40 / 1,000,000
    assert _amounts("service-discovery", "ap-northeast-1", inputs)[3] == D("0.1051200")


def test_a_busy_task_gets_the_larger_proxy_allowance() -> None:
    # contract's tasks carry 3 x 1,000 req/s over 3 tasks = 1,000 > 500; the others 1,000/3 each.
    lines = cost.pattern_cost("service-connect", cost.Inputs(rps=D(1000))).lines
    proxies = [line for line in lines if line.category == "proxy"]

    assert [line.formula.split(" × ")[0] for line in proxies] == ["9 tasks", "3 tasks"]
    # 3 x (0.5 x 0.05056 + 0.0625 x 0.00553) x 730
    assert proxies[1].amount == D("56.12011875")


def test_own_prices_apply_to_the_chosen_region_only() -> None:
    inputs = cost.Inputs(region="us-east-1", prices={"alb_hour": D("0.03")})

    assert _amounts("elb", "us-east-1", inputs)[0] == D("21.90")
    assert _amounts("elb", "ap-northeast-1", inputs)[0] == D("17.739")


def test_app_mesh_is_not_priced() -> None:
    assert "app-mesh" not in cost.PRICED_PATTERNS


# --------------------------------------------------------------------------- the form


def test_parse_reads_the_form_and_defaults_blank_fields() -> None:
    inputs, errors, _shown = cost.parse(
        {"region": "us-east-1", "tasks": "5", "rps": "12.5", "kb": "", "p_lcu_hour": "0.01"}
    )

    assert errors == {}
    assert (inputs.region, inputs.tasks, inputs.rps, inputs.kb) == (
        "us-east-1",
        5,
        D("12.5"),
        D(10),
    )
    assert inputs.prices == {"lcu_hour": D("0.01")}


@pytest.mark.parametrize(
    ("field", "raw", "words"),
    [
        ("tasks", "abc", "Tasks per service: enter a plain number from 0 to 250"),
        ("tasks", "2.5", "Tasks per service: enter a whole number."),
        ("tasks", "0", "Tasks per service: at least 1."),
        ("tasks", "251", "Tasks per service: at most 250; larger numbers are refused."),
        ("rps", "1e9", "Requests/s per call: enter a plain number from 0 to 3,000"),
        ("rps", "-1", "Requests/s per call: enter a plain number"),
        ("rps", "9" * 400, "Requests/s per call: at most 3,000; larger numbers are refused."),
        ("kb", "NaN", "KB per request: enter a plain number"),
        ("p_alb_hour", "101", "ALB, per hour: at most 100; larger numbers are refused."),
        ("region", "eu-west-1", "Region: choose ap-northeast-1 / us-east-1."),
    ],
)
def test_bad_input_names_the_field(field: str, raw: str, words: str) -> None:
    _inputs, errors, shown = cost.parse({field: raw})

    assert list(errors) == [field]
    assert errors[field].startswith(words)
    assert shown[field] == raw


# --------------------------------------------------------------------------- the page


@pytest.mark.django_db
def test_the_page_shows_computed_totals_and_formulas_in_english(client: Client) -> None:
    html = client.get(URL, **EN).content.decode()  # type: ignore[arg-type]

    assert "Cost and metrics per pattern" in html
    assert '<tr data-total="ap-northeast-1" class="is-chosen">' in html
    total_row = re.search(r'data-total="ap-northeast-1".*?</tr>', html, re.S)
    assert total_row is not None
    assert re.findall(r'class="num">([0-9.,]+)<', total_row.group(0)) == [
        "35.26",
        "12.24",
        "125.17",
    ]
    virginia = re.search(r'data-total="us-east-1".*?</tr>', html, re.S)
    assert virginia is not None
    assert re.findall(r'class="num">([0-9.,]+)<', virginia.group(0)) == ["33.95", "12.24", "125.17"]
    assert "1 ALB × 0.0243 USD/h × 730 h" in html
    assert "UNCONFIRMED" in html
    assert "App Mesh (history, not priced)" in html
    assert 'hx-get="/lessons/compare/cost/"' in html and 'method="get"' in html


@pytest.mark.django_db
def test_the_page_in_japanese(client: Client) -> None:
    response = client.get(URL, **JA)  # type: ignore[arg-type]
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="ja">' in html
    assert "パターンごとのコストとメトリクス" in html
    assert "2026 年 9 月 30 日" in html
    assert "35.26" in html
    assert "AWS/ECS" in html and "TargetDiscoveryName" in html
    assert "東京の料金は見つからず" in html
    assert "ALB 1 台 × 0.0243 USD/時間 × 730 時間" in html
    assert "ap-northeast-1（東京）" in html


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [EN, JA])
def test_every_price_row_and_metric_group_links_a_public_aws_page(
    client: Client, headers: dict[str, str]
) -> None:
    html = client.get(URL, **headers).content.decode()  # type: ignore[arg-type]

    rows = re.findall(
        r'<tr data-price="([a-z_0-9]+)" data-region="([a-z0-9-]+)".*?</tr>', html, re.S
    )
    assert len(rows) == len(cost.prices())
    pages = re.findall(r'<a href="([^"]+)"[^>]*data-testid="price-pricing-page"', html)
    assert pages == [p.pricing_page for p in cost.prices()]
    assert all(is_public_aws(page) for page in pages)
    tokyo_alb = re.search(r'data-price="alb_hour" data-region="ap-northeast-1".*?</tr>', html, re.S)
    assert tokyo_alb is not None
    assert re.findall(r'href="([^"]+)"', tokyo_alb.group(0)) == [
        "https://aws.amazon.com/elasticloadbalancing/pricing/",
        "https://aws.darcy-it.com/elb%E3%81%AE%E3%82%B3%E3%82%B9%E3%83%88%E6%96%99%E9%87%91/",
    ]
    docs = re.findall(r'href="([^"]+)"[^>]*data-testid="metrics-source"', html)
    assert docs == [g.doc for entry in metrics.pattern_metrics() for g in entry.groups]
    assert all(is_public_aws(doc) for doc in docs)
    assert "aws-facts" not in html and "aws-semantics" not in html


@pytest.mark.django_db
def test_the_form_recomputes_with_the_learners_numbers(client: Client) -> None:
    html = client.get(URL + "?region=us-east-1&tasks=10&rps=100", **EN).content.decode()  # type: ignore[arg-type]

    assert "USD a month in us-east-1: 10 tasks per service, 100 requests/s per call" in html
    assert "40 tasks × (0.25 vCPU" in html


@pytest.mark.django_db
@pytest.mark.parametrize("headers", [EN, JA])
def test_bad_input_shows_the_field_error_and_no_figures(
    client: Client, headers: dict[str, str]
) -> None:
    response = client.get(URL + "?tasks=99999999999999999999999999&rps=x", **headers)  # type: ignore[arg-type]
    html = response.content.decode()

    assert response.status_code == 200
    assert 'id="tasks-error"' in html and 'aria-invalid="true"' in html
    assert "250" in re.search(r'id="tasks-error">(.*?)</p>', html).group(1)  # type: ignore[union-attr]
    assert 'id="rps-error"' in html
    assert 'id="cost-summary"' not in html


@pytest.mark.django_db
def test_htmx_gets_only_the_cost_block(client: Client) -> None:
    response = client.get(URL + "?tasks=4", HTTP_HX_REQUEST="true", **EN)  # type: ignore[arg-type]
    html = response.content.decode()

    assert html.lstrip().startswith('<div id="cost-view"')
    assert "<html" not in html
    assert "4 tasks per service" in html


@pytest.mark.django_db
def test_the_comparison_lesson_links_to_the_cost_page(client: Client) -> None:
    for headers in (EN, JA):
        html = client.get("/lessons/comparison/?step=1", **headers).content.decode()  # type: ignore[arg-type]
        assert 'href="/lessons/compare/cost/"' in html


# --------------------------------------------------------------------------- metrics


def test_metrics_name_only_what_the_facts_give() -> None:
    table = {entry.pattern: entry for entry in metrics.pattern_metrics()}

    assert list(table) == ["elb", "app-mesh", "service-discovery", "service-connect"]
    alb = table["elb"].groups[0]
    assert (alb.source, alb.names, alb.dimensions) == (
        "AWS/ApplicationELB",
        ("HealthyHostCount", "UnHealthyHostCount"),
        ("TargetGroup", "LoadBalancer", "AvailabilityZone"),
    )
    sc = table["service-connect"].groups[0]
    assert sc.source == "AWS/ECS" and not sc.unconfirmed
    assert sc.dimensions == ("ClusterName", "ServiceName", "DiscoveryName", "TargetDiscoveryName")
    assert table["service-connect"].groups[1].unconfirmed
    assert table["app-mesh"].history
    assert all(not g.names for g in table["service-discovery"].groups)
