"""Lab 8 in a real browser (English): the crash-looping defaults fail on the loop, a startPeriod
worked out from the goal's numbers and the dependsOn container pass."""

from __future__ import annotations

import math
import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import lab_check
from tests.servers import DaphneServer

LAB = "/labs/crash-loop/"


def _numbers(page: Page) -> tuple[int, int]:
    """The goal's check interval and app start (drawn per attempt)."""
    goal = page.locator(".lab__goal").inner_text()
    app = re.search(r"needs (\d+) s after the task's containers start", goal)
    interval = re.search(r"runs every (\d+) s with 3 retries", goal)
    assert app and interval, goal
    return int(interval.group(1)), int(app.group(1))


def test_crash_loop_defaults_fail_on_the_loop_then_a_worked_out_start_period_passes(
    page: Page, daphne_server: DaphneServer
) -> None:
    page.goto(daphne_server.url + LAB)
    interval, app_start = _numbers(page)

    lab_check(page)
    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-no-crash-loop")).to_have_attribute("data-passed", "false")
    expect(page.get_by_test_id("outcome-no-crash-loop")).to_contain_text("a crash loop")
    expect(page.get_by_test_id("open-moment")).to_contain_text("the moment that decided it")

    # Two checks may fail once the start period is over; the third would replace the task.
    first_pass = math.ceil(app_start / interval) * interval
    page.locator("#lab-depends_on_healthy").select_option("yes")
    page.locator("#lab-start_period_s").fill(str(first_pass - 2 * interval))
    lab_check(page)

    expect(page.get_by_test_id("verdict")).to_have_attribute("data-passed", "true")
    expect(page.get_by_test_id("outcome-broken-replaced")).to_have_attribute("data-passed", "true")
    expect(page.locator(".verdict__takeaway")).to_be_visible()
