from __future__ import annotations

import re

import pytest
from django.test import Client
from django.utils import translation

from patterns.catalog import (
    MAX_SPEED,
    MIN_SPEED,
    PATTERN_NAMES,
    PATTERNS,
    SCENARIO_TITLES,
    SPEEDS,
    scenario_title,
)
from patterns.sim import BUILTIN_SCENARIOS
from patterns.sim import PATTERNS as ENGINE_PATTERNS


def test_catalog_names_every_engine_pattern_in_the_talk_order() -> None:
    assert tuple(PATTERN_NAMES) == ENGINE_PATTERNS == tuple(p.slug for p in PATTERNS)
    assert PATTERN_NAMES == {
        "elb": "ELB",
        "app-mesh": "AWS App Mesh",
        "service-discovery": "ECS Service Discovery",
        "service-connect": "ECS Service Connect",
    }


def test_catalog_titles_every_built_in_scenario_in_both_languages() -> None:
    assert set(SCENARIO_TITLES) == set(BUILTIN_SCENARIOS)
    with translation.override("ja"):
        japanese = scenario_title("steady")

    assert scenario_title("steady") == "Steady traffic: nothing fails"
    assert japanese == "定常のトラフィック：何も故障しない"


def test_catalog_title_of_an_inline_scenario_is_its_own() -> None:
    assert scenario_title("", {"description": "Mine", "name": "m"}) == "Mine"
    assert scenario_title("", {"name": "m"}) == "m"
    assert scenario_title("", {}) == "A custom scenario"


def test_catalog_speeds_bound_what_the_playground_socket_accepts() -> None:
    assert (MIN_SPEED, MAX_SPEED) == (0.1, 10.0)
    assert [float(s) for s in SPEEDS] == sorted(float(s) for s in SPEEDS)


@pytest.mark.django_db
def test_playground_page_renders_one_speed_button_per_catalog_speed(client: Client) -> None:
    page = client.get("/playground/").content.decode()

    assert tuple(re.findall(r'data-speed="([^"]+)"', page)) == SPEEDS
