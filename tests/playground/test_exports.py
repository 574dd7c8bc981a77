"""Diagram exports at the playhead: the run's permalink played up to ``at``, in a language."""

from __future__ import annotations

import pytest
from django.test import Client

from patterns.player.permalink import encode
from patterns.player.runs import scenario_of

pytestmark = pytest.mark.django_db

KILL, _ = scenario_of("kill-task")
RUN = encode(KILL, 1, "elb", [])
URL = "/playground/export/elb.{fmt}?run={run}&at={at}&lang={lang}"


def _cell(dot: str, task: str) -> str:
    start = dot.index(f'<TD ID="task-{task}"')
    return dot[start : dot.index(">", start) + 1]


def test_the_dot_shows_the_task_killed_at_60_s_only_after_60_s(client: Client) -> None:
    before = client.get(URL.format(fmt="dot", run=RUN, at=59, lang="en")).content.decode()
    after = client.get(URL.format(fmt="dot", run=RUN, at=61, lang="en")).content.decode()

    assert 'STYLE="rounded" COLOR="#1d7a3a"' in _cell(before, "inventory-2")
    assert 'STYLE="rounded,dotted" COLOR="#5b6776"' in _cell(after, "inventory-2")
    assert 'label="ELB at 61.0 s · seed 1 · Kumoben"' in after


def test_the_caption_is_in_the_asked_language(client: Client) -> None:
    response = client.get(URL.format(fmt="dot", run=RUN, at=61, lang="ja"))

    assert response["Content-Language"] == "ja"
    assert "61.0 秒時点（シード 1、Kumoben）" in response.content.decode()


@pytest.mark.parametrize(("fmt", "magic"), [("svg", b"<svg "), ("png", b"\x89PNG")])
def test_svg_and_png_are_drawn_from_the_same_state(client: Client, fmt: str, magic: bytes) -> None:
    response = client.get(URL.format(fmt=fmt, run=RUN, at=61, lang="en"))

    assert response.status_code == 200
    assert magic in response.content[:200]
    assert response["Content-Disposition"] == f'attachment; filename="kumoben-elb-61.0s.{fmt}"'


@pytest.mark.parametrize(
    ("url", "answer"),
    [
        ("/playground/export/elb.svg?at=3", "run: is required (the run's permalink)\n"),
        (URL.format(fmt="svg", run=RUN, at="x", lang="en"), "at: must be a number of seconds\n"),
        (
            URL.format(fmt="svg", run=RUN, at=241, lang="en"),
            "at: must be between 0 and 240 seconds\n",
        ),
        (
            "/playground/export/app-mesh.svg?run=" + RUN + "&at=3",
            "pattern: must be one this run shows: elb\n",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client: Client, url: str, answer: str) -> None:
    response = client.get(url)

    assert response.status_code == 400
    assert response.content.decode() == answer
