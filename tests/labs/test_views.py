"""Lab pages: the Check as an htmx partial and as a full page, errors beside fields, CSRF."""

from __future__ import annotations

import dataclasses
import html as html_lib
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from patterns.labs import checks as labs
from patterns.progress.records import SEED_KEY

HX = {"HTTP_HX_REQUEST": "true"}
pytestmark = pytest.mark.django_db


def _as_learner_one(client: Client) -> None:
    """Give this client the learner seed 1, so the lab's numbers are the pinned ones."""
    session = client.session
    session[SEED_KEY] = 1
    session.save()


def test_lab_index_lists_every_lab(client: Client) -> None:
    html = client.get("/labs/").text

    assert html.count('class="lab-card"') == len(labs.LABS) == 10


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_lab_page_shows_drawn_goal_and_hints(client: Client, lang: str) -> None:
    _as_learner_one(client)

    html = client.get("/labs/elb-dead-task/", HTTP_ACCEPT_LANGUAGE=lang).text

    assert "<strong>60 s</strong>" in html or "<strong>60 秒</strong>" in html
    assert "<strong>13 s</strong>" in html or "<strong>13 秒</strong>" in html
    assert "[[" not in html
    assert html.count('class="hint"') == 0  # hints stay hidden until asked for, one at a time
    assert 'data-testid="next-hint"' in html
    assert 'id="player"' in html
    assert " style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)", html) is None


def test_lab_check_htmx_returns_the_partial_with_verdict(client: Client) -> None:
    _as_learner_one(client)

    response = client.post(
        "/labs/elb-dead-task/check/",
        {"interval_s": 30, "timeout_s": 5, "unhealthy_threshold": 2},
        **HX,
    )

    html = response.text
    assert response.status_code == 200
    assert html.startswith('\n      <div id="lab-check"') or html.lstrip().startswith(
        '<div id="lab-check"'
    )
    assert "Not yet: 1 of 2 goals not met." in html
    assert (
        "the dead task inventory-2 got its last request at 117 s, "
        "57 s after it stopped answering; the goal is at most 27 s." in html
    )
    assert 'data-testid="outcome-detect" data-passed="false"' in html
    assert 'data-testid="outcome-keep" data-passed="true"' in html
    assert "Open this run in the playground at 117 s, the moment that decided it" in html
    assert 'data-passed="false"' in html


def test_lab_check_full_page_fallback_and_run_for_the_player(client: Client) -> None:
    _as_learner_one(client)

    response = client.post(
        "/labs/elb-dead-task/check/", {"interval_s": 5, "timeout_s": 2, "unhealthy_threshold": 4}
    )

    html = response.text
    run = json.loads(
        re.search(r'<script id="lab-run" type="application/json">(.*?)</script>', html).group(1)
    )  # type: ignore[union-attr]
    assert "<!doctype html>" in html
    assert 'data-passed="true"' in html
    assert run["pattern"] == "elb"
    assert run["seed"] == 226
    assert run["t"] == 80.4  # the dead task's last request: the moment that decided it
    assert run["scenario"]["settings"]["alb"]["health_check_interval_s"] == 5
    assert run["explore"].startswith("/playground/?scenario_json=")
    assert run["explore"].endswith("&t=80.4")
    assert "Open this run in the playground" in html


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"interval_s": "abc", "timeout_s": 5, "unhealthy_threshold": 2},
            "interval_s",
            "Enter a whole number.",
        ),
        (
            {"interval_s": 30, "timeout_s": 5, "unhealthy_threshold": 1},
            "unhealthy_threshold",
            "Ensure this value is greater than or equal to 2.",
        ),
        (
            {"interval_s": 10, "timeout_s": 10, "unhealthy_threshold": 2},
            "timeout_s",
            "The timeout must be shorter than the interval.",
        ),
        ({"timeout_s": 5, "unhealthy_threshold": 2}, "interval_s", "This field is required."),
    ],
)
def test_lab_check_bad_input_error_beside_the_field(
    client: Client, data: dict[str, object], field: str, message: str
) -> None:
    response = client.post("/labs/elb-dead-task/check/", data, **HX)

    assert response.status_code == 200
    assert re.search(
        rf'data-testid="error-{field}"><span aria-hidden="true">✕</span> {re.escape(message)}</p>',
        response.text,
    )
    assert 'data-testid="verdict"' not in response.text


def test_lab_check_prediction_missing_says_prediction_first(client: Client) -> None:
    response = client.post("/labs/az-outage/check/", {"predict_most": "elb"}, **HX)

    assert 'data-testid="error-predict_fewest"' in response.text
    assert "Choose a pattern: the prediction comes first." in response.text


def test_lab_check_unknown_choice_is_a_field_error(client: Client) -> None:
    response = client.post(
        "/labs/stale-dns/check/", {"dns_ttl_s": 60, "retries": 1, "dns_cache": "<script>"}, **HX
    )

    assert 'data-testid="error-dns_cache"' in response.text
    assert "<script>" not in response.text.split('data-testid="error-dns_cache"')[1][:200]


def test_lab_check_needs_csrf() -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/labs/elb-dead-task/check/", {"interval_s": 5, "timeout_s": 2, "unhealthy_threshold": 2}
    )

    assert response.status_code == 403


def test_lab_check_get_is_405(client: Client) -> None:
    assert client.get("/labs/elb-dead-task/check/").status_code == 405


def test_unknown_lab_is_404(client: Client) -> None:
    assert client.get("/labs/no-such-lab/").status_code == 404
    assert client.post("/labs/no-such-lab/check/", {}).status_code == 404


def test_labs_differ_between_learners(client: Client) -> None:
    _as_learner_one(client)
    other = Client()
    session = other.session
    session[SEED_KEY] = 2
    session.save()

    mine = client.get("/labs/service-connect-outlier/").text
    theirs = other.get("/labs/service-connect-outlier/").text

    goal = re.compile(r'<section class="lab__goal".*?</section>', re.DOTALL)
    assert goal.search(mine).group(0) != goal.search(theirs).group(0)  # type: ignore[union-attr]


def test_a_lab_check_that_changes_values_aws_fixes_is_labelled_a_what_if(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No lab sets a value AWS fixes any more (content review A1); a lab built on one, here lab 3
    # with Service Connect's retries turned off as well, still gets the label on its result.
    _as_learner_one(client)
    lab = labs.SC_OUTLIER

    def with_fixed_retries(values: Any, params: Any) -> dict[str, Any]:
        scenario = lab.build(values, params)
        scenario["settings"]["envoy"] = {"retry_policy": {"num_retries": 0}}
        return scenario

    values = {"per_request_timeout_s": 3}
    as_aws = client.post("/labs/service-connect-outlier/check/", values, **HX).text
    monkeypatch.setitem(
        labs.LABS, "service-connect-outlier", dataclasses.replace(lab, build=with_fixed_retries)
    )
    changed = client.post("/labs/service-connect-outlier/check/", values, **HX).text

    assert re.search(
        r'data-testid="what-if">.*What-if: this check changes values AWS fixes, so it is not '
        r"possible in real ECS: <code>envoy.retry_policy</code></p>",
        changed,
    )
    assert 'data-testid="what-if"' not in as_aws


def test_hints_are_revealed_one_at_a_time_and_recorded_on_the_attempt(client: Client) -> None:
    _as_learner_one(client)
    page = client.get("/labs/elb-dead-task/").text
    assert "Hints used in this attempt: 0 of 4." in page

    first = client.post("/labs/elb-dead-task/hint/")
    html = client.get("/labs/elb-dead-task/").text

    assert first.status_code == 302
    assert first["Location"] == "/labs/elb-dead-task/#hint-1"
    assert html.count('class="hint"') == 1
    assert "Hints used in this attempt: 1 of 4." in html
    for _ in range(5):  # never more than there are
        client.post("/labs/elb-dead-task/hint/")
    html = client.get("/labs/elb-dead-task/").text
    assert html.count('class="hint"') == 4
    assert 'data-testid="next-hint"' not in html
    assert client.session["kumoben_progress"]["labs"]["elb-dead-task"]["hints"] == 4
    assert 'data-testid="lab-hints-elb-dead-task">4</td>' in client.get("/progress/").text


def test_new_variant_draws_another_scenario_and_hides_the_hints_again(client: Client) -> None:
    _as_learner_one(client)
    client.post("/labs/elb-dead-task/hint/")
    goal = re.compile(r'<section class="lab__goal".*?</section>', re.DOTALL)
    before = goal.search(client.get("/labs/elb-dead-task/").text).group(0)  # type: ignore[union-attr]

    response = client.post("/labs/elb-dead-task/variant/")
    html = client.get("/labs/elb-dead-task/").text
    entry = client.session["kumoben_progress"]["labs"]["elb-dead-task"]

    assert response.status_code == 302
    assert entry["seed"] != 1 and entry["variants"] == 2 and entry["hints"] == 0
    assert html.count('class="hint"') == 0
    params = labs.draw_params(labs.LABS["elb-dead-task"], entry["seed"])
    assert params == labs.draw_params(labs.LABS["elb-dead-task"], entry["seed"])
    assert goal.search(html).group(0) != before or params == labs.draw_params(  # type: ignore[union-attr]
        labs.LABS["elb-dead-task"], 1
    )


@pytest.mark.parametrize("action", ["hint", "variant"])
def test_hint_and_variant_need_post_and_csrf(action: str) -> None:
    client = Client(enforce_csrf_checks=True)

    assert client.get(f"/labs/elb-dead-task/{action}/").status_code == 405
    assert client.post(f"/labs/elb-dead-task/{action}/").status_code == 403
    assert Client().post(f"/labs/no-such-lab/{action}/").status_code == 404


def test_a_wrong_prediction_shows_no_answer_and_spends_the_attempt(client: Client) -> None:
    _as_learner_one(client)
    wrong = {"predict_most": "elb", "predict_fewest": "elb"}

    first = client.post("/labs/az-outage/check/", wrong, **HX).text
    again = client.post("/labs/az-outage/check/", wrong, **HX).text

    assert 'data-passed="false"' in first
    assert "your prediction, ELB, did not hold." in first
    for name in ("AWS App Mesh", "ECS Service Discovery", "ECS Service Connect"):
        assert name not in first.split('data-testid="verdict"')[1].split("</section>")[0]
    assert _json_run(first) is None
    assert "This attempt is spent: draw a new variant to predict again." in again
    assert 'data-testid="verdict"' not in again
    client.post("/labs/az-outage/variant/")
    fresh = client.get("/labs/az-outage/").text
    assert 'data-testid="attempt-spent"' not in fresh


def test_a_worked_out_lab_is_not_spent_by_a_wrong_check(client: Client) -> None:
    """choose-pattern hides its run until a Check (predict_first) but is worked out, not guessed:
    a wrong Check leaves the attempt open for the next one."""
    _as_learner_one(client)
    # 100/100 can never replace a task: the deployment never finishes, whatever the pattern.
    wrong = {
        "pattern": "elb",
        "app_protocol": "http",
        "load_balancer": "application",
        "scheme": "internal",
        "strategy": "rolling",
        "minimum_healthy_percent": "100",
        "maximum_percent": "100",
        "canary_percent": "5",
        "canary_bake_time_min": "1",
        "bake_time_min": "0",
    }

    first = client.post("/labs/choose-pattern/check/", wrong, **HX).text
    again = client.post("/labs/choose-pattern/check/", wrong, **HX).text

    assert 'data-passed="false"' in first
    assert 'data-testid="attempt-spent"' not in first
    assert 'data-testid="verdict"' in again
    assert 'data-testid="attempt-spent"' not in again


def _json_run(html: str) -> Any:
    match = re.search(r'<script id="lab-run" type="application/json">(.*?)</script>', html)
    assert match is not None
    return json.loads(match.group(1))


def _verdict_html(html: str) -> str:
    return html.split('data-testid="verdict"')[1].split("</section>")[0]


@pytest.mark.parametrize("lang", ["en", "ja"])
@pytest.mark.parametrize(
    ("slug", "values"),
    [
        ("elb-dead-task", {"interval_s": 5, "timeout_s": 2, "unhealthy_threshold": 2}),
        ("elb-dead-task", {"interval_s": 30, "timeout_s": 5, "unhealthy_threshold": 10}),
        ("stale-dns", {"dns_ttl_s": 86400, "retries": 0, "dns_cache": "forever"}),
        ("slow-starters", {"depends_on_healthy": "no", "start_period_s": 0, "grace_period_s": 0}),
        ("az-outage", {"predict_most": "elb", "predict_fewest": "elb"}),
    ],
)
def test_a_failed_verdict_says_each_outcome_once(
    client: Client, slug: str, values: dict[str, Any], lang: str
) -> None:
    """The headline counts the broken goals; each outcome's figures appear once, in its line."""
    _as_learner_one(client)
    lab = labs.LABS[slug]
    with translation.override(lang):
        verdict = labs.check(lab, values, labs.draw_params(lab, 1))

    html = client.post(f"/labs/{slug}/check/", values, HTTP_ACCEPT_LANGUAGE=lang, **HX).text
    shown = html_lib.unescape(_verdict_html(html))

    assert not verdict.passed
    broken = [o for o in verdict.outcomes if not o.passed]
    assert broken
    expected = {
        "en": f"Not yet: {len(broken)} of {len(verdict.outcomes)} goals not met.",
        "ja": f"まだです。{len(verdict.outcomes)} 個の目標のうち {len(broken)} 個が未達成です。",
    }
    assert expected[lang] in shown
    for outcome in verdict.outcomes:  # two outcomes may say the same words, each in its line
        lines = sum(o.detail == outcome.detail for o in verdict.outcomes)
        assert shown.count(outcome.detail) == lines, outcome.detail
    assert 'data-testid="outcome-' in shown


def test_lab_ten_hands_the_in_aws_panel_the_learners_choice_after_a_failed_check(
    client: Client,
) -> None:
    """The panel renders the configuration the learner chose (pattern and wire), even when the
    Check fails and the run stays hidden (predict first)."""
    _as_learner_one(client)
    chosen = {
        "pattern": "service-connect",
        "app_protocol": "grpc",
        "load_balancer": "network",
        "scheme": "internet-facing",
        "front_door": "entry",
        "strategy": "rolling",
        "minimum_healthy_percent": "100",
        "maximum_percent": "100",
        "canary_percent": "5",
        "canary_bake_time_min": "1",
        "bake_time_min": "0",
    }

    before = client.get("/labs/choose-pattern/").text
    after = client.post("/labs/choose-pattern/check/", chosen, **HX).text

    assert '<script id="lab-config" type="application/json">null</script>' in before
    assert 'data-passed="false"' in after
    assert '<script id="lab-run" type="application/json">null</script>' in after
    config = json.loads(
        after.split('<script id="lab-config" type="application/json">')[1].split("</script>")[0]
    )
    assert config["pattern"] == "service-connect"
    assert config["wire"] == {
        "app_protocol": "grpc",
        "load_balancer": "network",
        "scheme": "internet-facing",
        "front_door": "1",
    }
    assert config["scenario"]["services"][1]["name"] == "inventory"
