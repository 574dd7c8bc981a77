"""Every refusal in the app is one FieldError: a field that names where and a reason; the reason
has a code, and the page says it in its language."""

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation

from patterns.diagrams import TopologyError
from patterns.errors import WEB_REASONS, FieldError, localized, localized_frame, msgid
from patterns.live import FrameError
from patterns.player.permalink import PermalinkError
from patterns.player.playback import PlaybackError
from patterns.sessions.fields import SessionError
from patterns.sessions.shared_run import SimCommandError
from patterns.sim import ScenarioError
from patterns.sim.errors import REASONS, reason_code


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


# ------------------------------------------------------------------ the page's language

PATTERNS_DIR = Path(__file__).resolve().parents[2] / "patterns"
ERROR_CLASSES = {
    "FieldError",
    "ScenarioError",
    "TopologyError",
    "FrameError",
    "PermalinkError",
    "PlaybackError",
    "SessionError",
    "SimCommandError",
    "_BadInput",
}


def test_the_engine_keeps_a_code_and_its_parameters():
    error = ScenarioError("settings.alb.interval_s", "must be between 5 and 300, got 2")

    assert error.code == "between"
    assert reason_code(error.reason) == ("between", {"lo": "5", "hi": "300", "value": "2"})
    assert ScenarioError("x", "ttl_s: must be zero or more").code == "zero_or_more"
    assert ScenarioError("x", "something new").code is None


@pytest.mark.parametrize(
    ("reason", "english", "japanese"),
    [
        (
            "must be between 5 and 300, got 2",
            "must be between 5 and 300, got 2",
            "5 から 300 の範囲で指定してください（指定値：2）",
        ),
        (
            "more than 10000 requests/s in total",
            "more than 10,000 requests/s in total",
            "リクエストの合計が毎秒 10,000 件を超えています",
        ),
        (
            "actions[2].value: ttl_s: must be zero or more",
            "actions[2].value: ttl_s: must be zero or more",
            "actions[2].value：ttl_s：0 以上を指定してください",
        ),
        (
            "too many frames; slow down",
            "too many frames; slow down",
            "フレームが多すぎます。間隔を空けて送ってください",
        ),
        # A reason no catalogue knows (already in the page's language) is left as it is.
        (
            "ニックネームを入力してください。",
            "ニックネームを入力してください。",
            "ニックネームを入力してください。",
        ),
    ],
)
def test_localized_says_the_reason_in_the_active_language(reason, english, japanese):
    error = ScenarioError("settings.alb.interval_s", reason)

    with translation.override("en"):
        assert localized(error) == english
    with translation.override("ja"):
        assert localized(error) == japanese
        assert localized_frame(error) == {
            "type": "error",
            "field": "settings.alb.interval_s",
            "reason": japanese,
        }


@pytest.mark.parametrize("code", sorted({**REASONS, **WEB_REASONS}))
def test_every_code_has_a_japanese_text(code):
    with translation.override("ja"):
        said = translation.gettext(msgid(code))

    assert said != msgid(code)
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", said)
    # Full-width punctuation in the Japanese sentence; half-width stays only inside code.
    assert not re.search(
        r"[\u3040-\u30ff\u4e00-\u9fff][(?!:]|[?!:)][\u3040-\u30ff\u4e00-\u9fff]", said
    )


def _template(node: ast.expr) -> str | None:
    """A reason literal as the catalogue writes it: an f-string's expressions become ``{x}``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{x}" for v in node.values)
    return None


def _raised_reasons():
    """(file:line, reason template) of every refusal raised with a literal reason in patterns/,
    and of the engine's settings objects' ``ValueError("key: reason")``."""
    for path in sorted(PATTERNS_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
                continue
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            engine_value = name == "ValueError" and path.parent.name == "sim"
            if name not in ERROR_CLASSES and not engine_value:
                continue
            args = node.exc.args
            reason = (
                args[0] if engine_value and len(args) == 1 else (args[1] if len(args) > 1 else None)
            )
            text = _template(reason) if reason is not None else None
            if text is not None:
                yield f"{path.relative_to(PATTERNS_DIR.parent)}:{node.lineno}", text


def test_every_literal_refusal_has_a_code():
    """A new refusal needs its code (and the code its Japanese): each literal reason raised in
    patterns/ must fit a template of the catalogues, with its f-string parts as parameters."""
    missing = []
    for where, text in _raised_reasons():
        if where.startswith(
            ("patterns/sim/narrate.py", "patterns/sim/report.py", "patterns/sim/trace.py")
        ):
            continue  # programming errors of the app itself, never shown to a learner
        if not re.search(r"[a-z]{2}", text.replace("{x}", "")):
            continue  # a re-wrapped reason ("{path}: {reason}"): its parts have their codes
        sample = text.replace("{x}", "1")
        with translation.override("ja"):
            if localized(sample) == sample:
                missing.append(f"{where}: {text}")

    assert missing == []


@pytest.mark.asyncio
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "reason"),
    [
        (b"en", "must be a number from 0.1 to 10"),
        (b"ja", "0.1 から 10 の数値を指定してください"),
    ],
)
async def test_the_playground_socket_refuses_in_the_page_language(open_socket, language, reason):
    socket, connected, _code = await open_socket(
        "/ws/playground/", cookie=b"django_language=" + language
    )
    assert connected

    await socket.send_json_to({"type": "speed", "value": 99})

    assert await socket.receive_json_from() == {"type": "error", "field": "value", "reason": reason}
