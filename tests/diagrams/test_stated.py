"""A moment's state written into a diagram's DOT (for exports, which have no stylesheet)."""

from __future__ import annotations

import pytest

from patterns.diagrams.stated import STATE_LOOKS, look_for, stated_dot

pytestmark = pytest.mark.unit

CELL = (
    '<TD ID="task-b-1" PORT="task-b-1" HREF="#" BORDER="1" STYLE="rounded" COLOR="#c2570c" '
    'BGCOLOR="white" CELLPADDING="3"><TABLE><TR><TD><B>b-1</B></TD></TR></TABLE></TD>'
)
DOT = f'digraph "k" {{\n\tgraph [id="diagram-elb" rankdir=TB]\n\t"svc-b" [label=<<TABLE><TR>{CELL}</TR></TABLE>>]\n}}\n'


def test_the_most_severe_state_picks_the_look() -> None:
    assert look_for(["state-healthy", "state-stopped"]) == STATE_LOOKS["state-stopped"]
    assert look_for(["state-green", "state-draining"]) == STATE_LOOKS["state-draining"]
    assert look_for(["highlight"]) is None


def test_a_stopped_task_is_drawn_dotted_grey_with_its_badge() -> None:
    dot = stated_dot(DOT, {"task-b-1": {"state-stopped"}}, {"task-b-1": "✕"})

    assert (
        '<TD ID="task-b-1" BORDER="2" STYLE="rounded,dotted" COLOR="#5b6776" BGCOLOR="#e4e7eb" '
        'PORT="task-b-1" HREF="#" CELLPADDING="3">'
    ) in dot
    assert "<B>b-1</B> ✕</TD>" in dot


def test_a_state_without_a_fill_keeps_the_cell_fill() -> None:
    dot = stated_dot(DOT, {"task-b-1": {"state-healthy"}}, {})

    assert (
        '<TD ID="task-b-1" BORDER="2" STYLE="rounded" COLOR="#1d7a3a" PORT="task-b-1" HREF="#" '
        'BGCOLOR="white" CELLPADDING="3">'
    ) in dot


def test_no_state_leaves_the_dot_as_it_was_and_a_caption_goes_on_the_graph() -> None:
    assert stated_dot(DOT, {}, {}) == DOT
    assert 'graph [label="ELB at 7.0 s \\"x\\"" labelloc=t labeljust=l id="diagram-elb"' in (
        stated_dot(DOT, {}, {}, 'ELB at 7.0 s "x"')
    )
