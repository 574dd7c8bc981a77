"""Links into the playground (``patterns.playground.links``): every "Explore from here" of every
lesson step and every "Open this run in the playground" of every lab, in English and Japanese,
opens the very run its page plays, at its playhead; a link that cannot be opened says why.

The source run is read from the page the way its script reads it (the lesson embed's data
attributes, the lab's ``lab-run`` JSON), and the run the playground opens from the page it
serves (``opened-run``). Two runs are the same when their permalinks are: the token holds the
scenario as sent, the seed, the pattern and the live log.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from patterns.labs import checks
from patterns.lessons import library
from patterns.player import permalink
from patterns.sim import BUILTIN_SCENARIOS

pytestmark = pytest.mark.django_db

LANGS = ("en", "ja")


def _get(client: Client, url: str, lang: str) -> str:
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200, url
    return response.text


def _attrs(tag: str) -> dict[str, str]:
    return {k: html_lib.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}


def _json_script(page: str, element_id: str) -> Any:
    found = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', page)
    return None if found is None else json.loads(found.group(1))


def _opened(client: Client, href: str, lang: str) -> dict[str, Any]:
    page = _get(client, href, lang)
    assert 'data-testid="permalink-error"' not in page, href
    opened = _json_script(page, "opened-run")
    assert opened is not None, href
    return opened


def _token(scenario: Any, pattern: str, seed: int) -> str:
    """The permalink of a run as a page's script asks for it (a built-in by name or a scenario)."""
    raw = dict(BUILTIN_SCENARIOS[scenario]) if isinstance(scenario, str) else scenario
    return permalink.encode(raw, seed, pattern, [])


def _lesson_steps() -> list[tuple[str, str, int]]:
    return [
        (lang, lesson.slug, step.number)
        for lang in LANGS
        for lesson in library.lessons(lang).values()
        for step in lesson.steps
    ]


@pytest.mark.parametrize(("lang", "slug", "number"), _lesson_steps())
def test_explore_link_of_a_lesson_step_opens_its_run_at_its_playhead(
    client: Client, lang: str, slug: str, number: int
) -> None:
    page = _get(client, f"/lessons/{slug}/?step={number}", lang)
    player = re.search(r'<div class="embed embed-player"[^>]*>', page)
    diagram = re.search(r'<figure class="embed embed-diagram"[^>]*>', page)
    link = re.search(r'<p class="explore"><a href="([^"]*)"', page)
    if player is None and diagram is None:
        assert link is None
        return
    assert link is not None, "a step with a run links to the playground"

    opened = _opened(client, html_lib.unescape(link.group(1)), lang)

    if player is not None:  # as static/js/lessons.js asks the run endpoint for it
        data = _attrs(player.group(0))
        seed = int(data["data-seed"])
        scenario: Any = data["data-scenario"]
        if "data-scenario-json" in data:
            scenario = {**json.loads(data["data-scenario-json"]), "seed": seed}
        # The lesson player opens at its step's start, and so does the link.
        expected = (_token(scenario, data["data-pattern"], seed), float(data["data-start"]))
    else:  # the engine's state at the diagram's moment (lessons' SEED)
        assert diagram is not None
        data = _attrs(diagram.group(0))
        expected = (_token(data["data-scenario"], data["data-pattern"], 1), float(data["data-at"]))
    assert (opened["token"], opened["t"]) == expected


def _lab_values(lab: checks.Lab) -> dict[str, Any]:
    """The lab's starting values; a prediction the lab leaves blank is its first choice."""
    return {
        f.name: f.default if f.default not in (None, "") else (f.choices or (("",),))[0][0]
        for f in lab.fields
    }


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("slug", list(checks.LABS))
def test_open_in_playground_link_of_a_lab_opens_the_run_it_plays(
    client: Client, lang: str, slug: str
) -> None:
    lab = checks.LABS[slug]
    page = _get(client, f"/labs/{slug}/", lang)
    before = _json_script(page, "lab-run")
    checked = client.post(
        f"/labs/{slug}/check/",
        {k: v for k, v in _lab_values(lab).items() if v is not None},
        HTTP_ACCEPT_LANGUAGE=lang,
        HTTP_HX_REQUEST="true",
    ).text
    after = _json_script(checked, "lab-run")
    verdict_link = re.search(r'<p class="verdict__explore"><a href="([^"]*)"', checked)

    if after is None:  # a wrong prediction: no run, so no numbers, before the learner got it right
        assert lab.predict_first and 'data-passed="false"' in checked and verdict_link is None
        return
    runs = [] if before is None else [before]
    assert verdict_link is not None
    assert html_lib.unescape(verdict_link.group(1)) == after["explore"]
    runs.append(after)
    for run in runs:
        opened = _opened(client, run["explore"], lang)
        played = {**run["scenario"], "seed": run["seed"]}  # as static/js/labs.js sends it
        # the starting run opens at 0 s, a judged one at the moment that decided the Check
        assert (opened["token"], opened["t"]) == (
            _token(played, run["pattern"], run["seed"]),
            float(run["t"]),
        )
    assert (before is None) == lab.predict_first


def test_a_lab_that_asks_for_a_prediction_shows_no_run_before_it(client: Client) -> None:
    page = _get(client, "/labs/az-outage/", "en")

    assert _json_script(page, "lab-run") is None
    assert 'data-testid="predict-first"' in page
    assert 'data-role="lab-explore" hidden' in page


def test_a_shared_permalink_with_a_playhead_opens_there(client: Client) -> None:
    token = permalink.encode(BUILTIN_SCENARIOS["kill-task"], 7, "elb", [])

    opened = _opened(client, "/playground/?" + urlencode({"run": token, "t": "61.5"}), "en")

    assert (opened["token"], opened["pattern"], opened["seed"], opened["t"]) == (
        token,
        "elb",
        7,
        61.5,
    )


def test_a_readable_link_opens_the_builtin_scenario_with_its_name(client: Client) -> None:
    query = {"scenario": "az-outage", "pattern": "service-connect", "seed": "3"}

    opened = _opened(client, "/playground/?" + urlencode(query), "en")

    assert opened["name"] == "az-outage"
    assert opened["t"] is None
    assert opened["token"] == _token("az-outage", "service-connect", 3)


@pytest.mark.parametrize(
    ("query", "lang", "message"),
    [
        ({"scenario": "nope", "pattern": "elb"}, "en", "scenario: unknown built-in scenario"),
        ({"scenario": "kill-task", "pattern": "istio"}, "en", "pattern: must be one of"),
        ({"scenario": "kill-task", "seed": "x"}, "en", "seed: must be a whole number, 0 or more"),
        ({"scenario_json": "{not json"}, "en", "scenario_json: not valid JSON"),
        ({"scenario": "kill-task", "t": "soon"}, "en", "t: must be a number of seconds"),
        (
            {"scenario": "kill-task", "t": "241"},
            "en",
            "t: must be between 0 and 240 s, the run&#x27;s length",
        ),
        ({"pattern": "elb"}, "en", "scenario: the link names no scenario"),
        ({"run": "1abc"}, "en", "run.token: not a compressed run"),
        (
            {
                "scenario_json": json.dumps(
                    {"traffic": [{"from": "user", "to": "contract", "rps": 5000}]}
                )
            },
            "en",
            "scenario.traffic: at most 1,000 requests/s in total",
        ),
        ({"scenario": "kill-task", "t": "soon"}, "ja", "t: 秒数を指定してください"),
        ({"scenario": "nope"}, "ja", "scenario: 組み込みシナリオ &#x27;nope&#x27; はありません"),
    ],
)
def test_a_link_that_cannot_be_opened_says_why_and_starts_nothing(
    client: Client, query: dict[str, str], lang: str, message: str
) -> None:
    page = _get(client, "/playground/?" + urlencode(query), lang)

    notice = re.search(r'data-testid="permalink-error">(.*?)</p>', page)
    assert notice is not None
    assert message in notice.group(1)
    assert _json_script(page, "opened-run") is None
