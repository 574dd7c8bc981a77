"""The playground's export links carry the playhead and the page's language, and the file the
browser downloads draws the run at that moment in that language (the engine's state, replayed by
the server from the run's permalink)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Page

from tests.browser.test_playground import jump, open_run, wait_instant
from tests.servers import DaphneServer


def _cell(svg: str, task: str) -> str:
    """The start of a task's drawing: its title, then its fill and its outline."""
    start = svg.index(f'id="task-{task}"')
    return svg[start : svg.index("</g>", start)]


@pytest.mark.locale("ja-JP")
def test_export_links_carry_the_playhead_and_the_language_and_draw_that_moment(
    page: Page, daphne_server: DaphneServer, tmp_path: Path
) -> None:
    open_run(page, daphne_server, scenario="kill-task", pattern="elb")
    wait_instant(page)
    jump(page, 61)

    link = page.locator("[data-role=exports] a[data-export=svg]")
    link.focus()
    query = parse_qs(urlparse(link.get_attribute("href") or "").query)
    permalink = urlparse(page.locator("[data-role=permalink]").get_attribute("href") or "")
    with page.expect_download() as download:
        link.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    svg = saved.read_text(encoding="utf-8")

    assert urlparse(link.get_attribute("href") or "").path == "/playground/export/elb.svg"
    assert query == {"run": parse_qs(permalink.query)["run"], "at": ["61.000"], "lang": ["ja"]}
    assert download.value.suggested_filename == "kumoben-elb-61.0s.svg"
    assert "ELB、61.0 秒時点（シード 1、Kumoben）" in svg
    assert "ECS タスク inventory-2 · ap-northeast-1c" in svg  # the diagram's own words in Japanese
    # At 61 s the killed inventory-2 is drawn stopped (dotted grey) and its replacement is there.
    assert 'stroke="#5b6776" stroke-width="2" stroke-dasharray="1,5"' in _cell(svg, "inventory-2")
    assert 'id="task-inventory-4"' in svg


@pytest.mark.locale("ja-JP")
def test_export_links_follow_the_playhead_when_it_moves(
    page: Page, daphne_server: DaphneServer
) -> None:
    open_run(page, daphne_server, scenario="kill-task", pattern="elb")
    wait_instant(page)
    jump(page, 30)
    link = page.locator("[data-role=exports] a[data-export=png]")
    link.focus()
    before = link.get_attribute("href") or ""

    jump(page, 61)
    link.focus()
    after = link.get_attribute("href") or ""

    assert re.search(r"[?&]at=30\.000(&|$)", before)
    assert re.search(r"[?&]at=61\.000(&|$)", after)
    response = page.request.get(daphne_server.url + after)
    assert (response.status, response.headers["content-language"]) == (200, "ja")
    assert response.body()[:4] == b"\x89PNG"
