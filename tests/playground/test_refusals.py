"""The playground's stated limits are the engine's, and every refusal shows beside its field.

Each number field's ``min``/``max`` and its help text come from the engine's own ranges
(``setting_bounds``, the playground's caps in ``playback.LIVE_LIMITS``); these tests read them off
the rendered page, check the engine accepts exactly that range, and post a value just outside it
to see the reason beside that field, in English and in Japanese, through htmx and without
JavaScript.
"""

from __future__ import annotations

import json
import re
from html import unescape
from typing import Any

import pytest
from django.test import Client

from patterns.player.playback import LIVE_LIMITS
from patterns.playground.forms import SETTINGS_FORMS, setting_path_bounds
from patterns.sim import ScenarioError, load_scenario
from patterns.sim.scenario import (
    APP_MESH_OUTLIER_BOUNDS,
    MAX_APP_START_S,
    MAX_SEED,
    setting_bounds,
)
from tests.playground.setup_page import SETUP, TOKEN, form_values, post, shown_errors, the_run

pytestmark = pytest.mark.django_db

APP_MESH_OUTLIER = "settings.app_mesh.outlier_detection."


@pytest.fixture
def client() -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = TOKEN
    return client


@pytest.fixture
def page(client: Client) -> str:
    return client.get("/playground/").content.decode()


@pytest.fixture
def page_values(page: str) -> dict[str, Any]:
    return form_values(page)


def number_fields() -> list[tuple[str, str, tuple[float, float, bool]]]:
    """(field name on the page, settings path, engine bounds) of every number settings field."""
    out = []
    for form in SETTINGS_FORMS:
        for path, kind, _label, _help in form.specs:
            if kind in ("whole", "number"):
                bounds = setting_path_bounds(path)
                assert bounds is not None, f"{path} has no engine range"
                out.append((f"{form.pattern}-{path}", path, bounds))
    return out


NUMBER_FIELDS = number_fields()


def input_tag(html: str, name: str) -> dict[str, str]:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html)
    assert match, f"no input {name}"
    return {k: unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', match.group(0))}


def help_of(html: str, name: str) -> str:
    """The help paragraph of a settings field (``id_<name>_helptext``)."""
    match = re.search(rf'<p class="help" id="id_{re.escape(name)}_helptext">(.*?)</p>', html, re.S)
    assert match, f"no help for {name}"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1)))


def plain(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def grouped(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else str(value)


def engine_accepts(path: str, value: float) -> bool:
    """Whether ``value`` is within the engine's range at a settings path (an App Mesh outlier
    detection needs all four of its numbers: the others are set to their lowest)."""
    fragment: dict[str, Any] = {}
    dotted = path.removeprefix("settings.")
    if path.startswith(APP_MESH_OUTLIER):
        parent = dotted.rpartition(".")[0]
        for key, (lo, _hi, _whole) in APP_MESH_OUTLIER_BOUNDS.items():
            _put(fragment, f"{parent}.{key}", lo)
    _put(fragment, dotted, value)
    try:
        load_scenario({"settings": fragment})
    except ScenarioError as error:
        # A rule between two settings (a timeout shorter than its interval) is not the range.
        return not (error.path == path and error.code == "between")
    return True


def _put(target: dict[str, Any], dotted: str, value: Any) -> None:
    keys = dotted.split(".")
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value


def step(whole: bool) -> float:
    return 1 if whole else 0.5


# --------------------------------------------------------------------------- stated limits


@pytest.mark.parametrize(
    ("name", "path", "bounds"), NUMBER_FIELDS, ids=[n for n, *_ in NUMBER_FIELDS]
)
def test_a_settings_field_states_the_range_the_engine_accepts(
    page: str, name: str, path: str, bounds: tuple[float, float, bool]
) -> None:
    lo, hi, whole = bounds
    tag = input_tag(page, name)

    assert (tag["min"], tag["max"]) == (plain(lo), plain(hi))
    assert f"Accepted: {grouped(lo)} to {grouped(hi)}." in help_of(page, name)
    assert engine_accepts(path, lo) and engine_accepts(path, hi)
    assert not engine_accepts(path, lo - step(whole))
    assert not engine_accepts(path, hi + step(whole))


def test_every_number_settings_field_has_the_engines_range() -> None:
    # The fields are the forms' specs; none may be left without a range the engine gives.
    paths = [path for _name, path, _bounds in NUMBER_FIELDS]

    assert len(paths) == 28
    assert all(setting_bounds(p.removeprefix("settings.")) for p in paths)


def test_the_traffic_and_seed_fields_state_the_playgrounds_caps(page: str) -> None:
    rps = input_tag(page, "rps")
    seed = input_tag(page, "seed")

    assert LIVE_LIMITS.max_rps == 1000
    assert (rps["min"], rps["max"], rps["step"]) == ("0", "1000", "any")
    assert re.search(
        r'id="rps-help">Default 10\. Applied to every call in the system; all calls together at'
        r" most 1,000 requests/s\.</p>",
        page,
    )
    assert (seed["min"], seed["max"]) == ("0", str(MAX_SEED))


def test_the_system_editor_states_the_playgrounds_caps(page: str) -> None:
    tasks = input_tag(page, "services-0-tasks")
    start = input_tag(page, "services-0-app_start_s")
    rate = input_tag(page, "calls-0-rps")

    assert (tasks["min"], tasks["max"]) == ("0", str(LIVE_LIMITS.max_tasks))
    assert (start["min"], start["max"]) == ("0", plain(MAX_APP_START_S))
    assert (rate["min"], rate["max"]) == ("0", plain(LIVE_LIMITS.max_rps))


def test_the_japanese_page_states_the_same_limits(client: Client) -> None:
    html = client.get("/playground/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()

    assert "指定できる値：0～86,400。" in help_of(
        html, "service-discovery-settings.cloud_map.dns_ttl_s"
    )
    assert re.search(r'id="rps-help">[^<]*合計は 1,000 リクエスト/秒までです。</p>', html)


# --------------------------------------------------------------------------- refusals beside fields


def _outside(path: str, bounds: tuple[float, float, bool]) -> tuple[str, str, str]:
    """A value above the range as typed, and the engine's reason in English and Japanese."""
    lo, hi, whole = bounds
    value = hi + step(whole)
    sent = int(value) if whole else float(value)
    # The page says the engine's numbers with grouping, as its fields do (3,600).
    en = f"must be between {lo:,g} and {hi:,g}, got {sent:,}"
    ja = f"{lo:,g} から {hi:,g} の範囲で指定してください（指定値：{sent:,}）"
    return plain(value), en, ja


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(
    ("name", "path", "bounds"), NUMBER_FIELDS, ids=[n for n, *_ in NUMBER_FIELDS]
)
def test_a_value_outside_the_range_is_refused_beside_its_field(
    client: Client,
    page_values: dict[str, Any],
    lang: str,
    name: str,
    path: str,
    bounds: tuple[float, float, bool],
) -> None:
    typed, en, ja = _outside(path, bounds)
    data = {**page_values, "pattern": "all", "what_if": "on", "mode": "live", name: typed}
    if path.startswith(APP_MESH_OUTLIER):  # App Mesh needs all four or none
        prefix = name.rpartition(".")[0]
        for key, (lo, _hi, _whole) in APP_MESH_OUTLIER_BOUNDS.items():
            if not data.get(f"{prefix}.{key}"):
                data[f"{prefix}.{key}"] = plain(lo)

    html = post(client, data, lang=lang)

    assert the_run(html) is None
    assert shown_errors(html) == {name: en if lang == "en" else ja}


CROSS_FIELD = [
    (
        {"rps": "400"},
        "rps",
        "at most 1,000 requests/s in total: 3 calls × 400 requests/s = 1,200 requests/s.",
        "リクエストは合計で毎秒 1,000 件までです：3 件の呼び出し × 400 リクエスト/秒 ＝ 1,200 リクエスト/秒。",
    ),
    (
        {"rps": "1000.5"},
        "rps",
        "Enter a rate above 0 and at most 1,000 requests/s.",
        "0 より大きく 1,000 リクエスト/秒以下の値を入力してください。",
    ),
    (
        {"seed": str(MAX_SEED + 1)},
        "seed",
        "must be a whole number from 0 to 2**63 - 1",
        None,
    ),
    (
        {"elb-settings.alb.health_check_timeout_s": "40"},
        "elb-settings.alb.health_check_timeout_s",
        "must be shorter than alb.health_check_interval_s",
        None,
    ),
    (
        {"use_system": "on", "services-1-tasks": "150", "services-2-tasks": "60"},
        "services",
        "at most 200 tasks in total",
        "タスクは合計で 200 個までです",
    ),
    (
        {"use_system": "on", "calls-0-rps": "600", "calls-1-rps": "600"},
        "traffic",
        "at most 1,000 requests/s in total",
        "リクエストは合計で毎秒 1,000 件までです",
    ),
]


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(("changes", "field", "en", "ja"), CROSS_FIELD)
def test_a_cap_on_several_fields_is_refused_beside_the_field_that_sets_it(
    client: Client,
    page_values: dict[str, Any],
    lang: str,
    changes: dict[str, str],
    field: str,
    en: str,
    ja: str | None,
) -> None:
    html = post(client, {**page_values, **changes, "mode": "live"}, lang=lang)

    errors = shown_errors(html)
    assert the_run(html) is None
    assert list(errors) == [field]
    if lang == "en":
        assert unescape(errors[field]) == en
    elif ja is not None:
        assert unescape(errors[field]) == ja
    else:  # every Japanese reason is in Japanese: no English sentence left
        assert not re.search(r"[a-z]{3,} [a-z]{3,}", errors[field].replace("alb.", "")), errors


# --------------------------------------------------------------------------- without JavaScript


def setup_token(page: str) -> dict[str, str]:
    """The CSRF input of the setup form (outside the shared body, tied to it by ``form``)."""
    match = re.search(r'<input type="hidden" name="csrfmiddlewaretoken"[^>]*form="setup">', page)
    assert match, "no CSRF token for the setup form"
    return dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(0)))


def test_a_form_posted_without_javascript_shows_the_page_with_the_reason_beside_the_field(
    client: Client, page: str, page_values: dict[str, Any]
) -> None:
    token = setup_token(page)
    data = {**page_values, "csrfmiddlewaretoken": token["value"], "rps": "400", "mode": "live"}

    response = client.post(SETUP, data, HTTP_ACCEPT_LANGUAGE="ja")

    html = response.content.decode()
    assert response.status_code == 200
    assert token["form"] == "setup"
    assert re.search(
        r'<form class="setup" id="setup" method="post" action="/playground/setup"', page
    )
    assert "<h1>プレイグラウンド</h1>" in html
    assert shown_errors(html) == {
        "rps": "リクエストは合計で毎秒 1,000 件までです：3 件の呼び出し × 400 リクエスト/秒 ＝ 1,200 リクエスト/秒。"
    }
    assert form_values(html)["rps"] == "400"


def test_a_form_posted_without_javascript_opens_an_accepted_run_by_its_permalink(
    client: Client, page: str, page_values: dict[str, Any]
) -> None:
    token = setup_token(page)["value"]
    data = {**page_values, "csrfmiddlewaretoken": token, "rps": "20", "seed": "7", "mode": "live"}

    response = client.post(SETUP, data)
    opened = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"].startswith("/playground/?run=")
    run = re.search(
        r'<script id="opened-run" type="application/json">(.*?)</script>',
        opened.content.decode(),
        re.S,
    )
    assert run is not None
    scenario = json.loads(run.group(1))
    assert (scenario["seed"], scenario["pattern"]) == (7, "elb")
    assert {call["rps"] for call in scenario["scenario"]["traffic"]} == {20}
