"""Every refusal in the app is one FieldError: a field that names where and a reason."""

import pytest

from patterns.diagrams import TopologyError
from patterns.errors import FieldError
from patterns.live import FrameError
from patterns.player.permalink import PermalinkError
from patterns.player.playback import PlaybackError
from patterns.sessions.fields import SessionError
from patterns.sessions.shared_run import SimCommandError
from patterns.sim import ScenarioError


@pytest.mark.parametrize(
    "cls",
    [
        TopologyError,
        FrameError,
        PermalinkError,
        PlaybackError,
        SessionError,
        SimCommandError,
        ScenarioError,
    ],
)
def test_each_refusal_is_a_field_error(cls):
    error = cls("settings.alb.interval_s", "must be at least 5")
    assert isinstance(error, FieldError)
    assert str(error) == "settings.alb.interval_s: must be at least 5"
    assert error.as_frame() == {
        "type": "error",
        "field": "settings.alb.interval_s",
        "reason": "must be at least 5",
    }
    assert error.as_dict() == {"field": "settings.alb.interval_s", "reason": "must be at least 5"}


def test_scenario_error_keeps_its_path_name():
    assert ScenarioError("traffic.rps", "too high").path == "traffic.rps"
