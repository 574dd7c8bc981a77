"""Lab 9 in a real browser (Japanese): a wrong diagnosis fails without the right one being given
away, then the diagnosis the events support and a TTL inside both limits pass."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import lab_check
from tests.servers import DaphneServer

LAB = "/labs/dns-incident/"
TTL_FOR_GOAL = {110: 10, 120: 15, 130: 25}  # between the goal and the drawn query budget


def _check(page: Page, what: str, why: str, ttl: int) -> None:
    page.locator("#lab-what_broke").select_option(what)
    page.locator("#lab-why").select_option(why)
    page.locator("#lab-dns_ttl_s").fill(str(ttl))
    page.locator("#lab-dns_cache").select_option("ttl")
    lab_check(page)


@pytest.mark.locale("ja-JP")
def test_dns_incident_wrong_diagnosis_fails_then_the_right_one_and_a_fix_pass(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + LAB)
    goal = page.locator(".lab__goal").inner_text()
    found = re.search(r"(\d+) 秒以内", goal)
    assert found, goal
    ttl = TTL_FOR_GOAL[int(found.group(1))]

    _check(page, "unhealthy", "health_check", ttl)
    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-what-broke")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-what-broke")).to_contain_text("イベントと合いません")
    expect(page.get_by_test_id("verdict")).not_to_contain_text("呼び出し元が、停止したタスクの IP")

    # The cause is one of two; the events (and the Check) tell them apart.
    _check(page, "stale_ips", "client_forever", ttl)
    if page.get_by_test_id("outcome-why").get_attribute("data-passed") == "false":
        _check(page, "stale_ips", "ttl_long", ttl)

    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true")
    expect(page.locator(".verdict__message")).to_contain_text("合格です。")
