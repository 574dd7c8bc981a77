from __future__ import annotations

from typing import Any

import pytest
from django.forms import (
    CheckboxInput,
    CheckboxSelectMultiple,
    Form,
    MultipleChoiceField,
    NumberInput,
    Select,
    TextInput,
)
from django.http import QueryDict
from django.test.html import parse_html

from patterns.playground.forms import (
    AppMeshSettingsForm,
    CallFormSet,
    ElbSettingsForm,
    FastCheckboxInput,
    FastNumberInput,
    FastSelect,
    FastTextInput,
    RouteWeightsForm,
    ServiceConnectSettingsForm,
    ServiceDiscoverySettingsForm,
    ServiceForm,
    ServiceFormSet,
    settings_forms,
    system_initial,
    system_scenario,
)
from patterns.sim import load_scenario

pytestmark = pytest.mark.unit


def _engine_value(path: str) -> Any:
    node: Any = load_scenario({}).to_dict()
    for key in path.split("."):
        node = node[key]
    return node


def _rows(prefix: str, rows: list[dict[str, Any]]) -> QueryDict:
    data = QueryDict(mutable=True)
    data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
    data[f"{prefix}-INITIAL_FORMS"] = "0"
    for i, row in enumerate(rows):
        for key, value in row.items():
            if isinstance(value, list):
                data.setlist(f"{prefix}-{i}-{key}", value)
            else:
                data[f"{prefix}-{i}-{key}"] = str(value)
    return data


def _system(services: list[dict[str, Any]], calls: list[dict[str, Any]]) -> tuple[Any, Any, Any]:
    service_set = ServiceFormSet(_rows("services", services), prefix="services")
    call_set = CallFormSet(_rows("traffic", calls), prefix="traffic")
    return system_scenario(service_set, call_set), service_set, call_set


def test_settings_fields_start_at_the_engines_defaults() -> None:
    forms = settings_forms()

    for form in forms:
        for name, field in form.fields.items():
            # App Mesh's outlier detection is off by default: no value to start from.
            no_default = name.startswith("settings.app_mesh.outlier_detection.")
            engine = None if no_default else _engine_value(name)
            expected = int(engine) if isinstance(engine, float) and engine.is_integer() else engine
            assert field.initial == expected, name
    assert [f.pattern for f in forms] == [
        "common",
        "elb",
        "app-mesh",
        "service-discovery",
        "service-connect",
    ]
    assert ElbSettingsForm()["settings.alb.deregistration_delay_s"].initial == 300


def test_settings_field_carries_its_default_and_explanation_for_the_page() -> None:
    field = ElbSettingsForm()["settings.alb.unhealthy_threshold"]

    html = str(field)

    assert 'data-initial="2"' in html
    assert 'name="settings.alb.unhealthy_threshold"' in html
    assert field.help_text == "Consecutive failed checks before a node stops routing to a target."


def test_settings_form_gives_the_scenario_fragment() -> None:
    form = ServiceConnectSettingsForm(
        {
            "settings.envoy.outlier_detection.consecutive_5xx": "3",
            "settings.envoy.lb_policy": "random",
            "settings.service_connect.per_request_timeout_s": "2.5",
        },
        what_if=True,
    )

    assert form.is_valid(), form.errors
    assert form.settings() == {
        "envoy": {"lb_policy": "random", "outlier_detection": {"consecutive_5xx": 3}},
        "service_connect": {"per_request_timeout_s": 2.5},
    }


@pytest.mark.parametrize(
    ("form_class", "data", "field", "message"),
    [
        (
            ElbSettingsForm,
            {"settings.alb.deregistration_delay_s": "99999"},
            "settings.alb.deregistration_delay_s",
            "must be between 0 and 3,600, got 99,999.0",
        ),
        (
            ElbSettingsForm,
            {"settings.alb.health_check_timeout_s": "40"},
            "settings.alb.health_check_timeout_s",
            "must be shorter than alb.health_check_interval_s",
        ),
        (
            ElbSettingsForm,
            {"settings.alb.deregistration_delay_s": "1e400"},
            "settings.alb.deregistration_delay_s",
            "Enter a number.",
        ),
        (
            ElbSettingsForm,
            {"settings.alb.algorithm": "fastest"},
            "settings.alb.algorithm",
            "Select a valid choice. fastest is not one of the available choices.",
        ),
        (
            AppMeshSettingsForm,
            {"settings.app_mesh.outlier_detection.max_server_errors": "3"},
            "settings.app_mesh.outlier_detection.interval_s",
            "is required",
        ),
        (
            ServiceDiscoverySettingsForm,
            {"settings.cloud_map.dns_ttl_s": "-1"},
            "settings.cloud_map.dns_ttl_s",
            "must be between 0 and 86,400, got -1.0",
        ),
        (
            ElbSettingsForm,
            {"settings.client.retries": "2.5"},
            "settings.client.retries",
            "Enter a whole number.",
        ),
    ],
)
def test_settings_form_puts_the_reason_beside_the_field(
    form_class: Any, data: dict[str, str], field: str, message: str
) -> None:
    form = form_class(data)

    assert not form.is_valid()
    assert form.errors == {field: [message]}


def test_route_weights_form_gives_app_mesh_routes() -> None:
    form = RouteWeightsForm(
        {"inventory": "90", "inventory-v2": "10"},
        virtual_service="inventory",
        nodes=["inventory", "inventory-v2"],
    )

    assert form.is_valid(), form.errors
    assert form.routes() == {
        "inventory": [
            {"virtual_node": "inventory", "weight": 90},
            {"virtual_node": "inventory-v2", "weight": 10},
        ]
    }


def test_route_weights_form_refuses_all_zero_weights() -> None:
    form = RouteWeightsForm({"a": "0", "b": "0"}, virtual_service="a", nodes=["a", "b"])

    assert not form.is_valid()
    assert form.non_field_errors() == ["The weights must not all be zero."]


def test_system_editor_builds_the_scenario_the_engine_accepts() -> None:
    services, calls = system_initial()
    services[2]["tasks"] = 5
    services[2]["azs"] = ["ap-northeast-1a"]

    raw, _, _ = _system(services, calls)

    assert raw is not None
    assert raw["services"][2] == {
        "name": "inventory",
        "tasks": 5,
        "azs": ["ap-northeast-1a"],
        "app_start_s": 0.0,
    }
    assert raw["traffic"] == [
        {"from": "user", "to": "contract", "rps": 10.0},
        {"from": "contract", "to": "inventory", "rps": 10.0},
        {"from": "contract", "to": "billing", "rps": 10.0},
    ]
    assert load_scenario(raw).services[2]["tasks"] == 5


def test_system_editor_puts_engine_errors_on_the_right_row() -> None:
    services, calls = system_initial()
    services[1]["name"] = "user"
    duplicate, service_set, _ = _system(services, calls)

    services, calls = system_initial()
    calls[2]["target"] = "payments"
    unknown, _, call_set = _system(services, calls)

    assert duplicate is None
    assert service_set.forms[1].errors == {"name": ["duplicate service 'user'"]}
    assert unknown is None
    assert call_set.forms[2].errors == {"target": ["unknown service 'payments'"]}


def test_system_editor_drops_deleted_rows() -> None:
    services, calls = system_initial()
    services[3]["DELETE"] = "on"
    calls[2]["DELETE"] = "on"

    raw, _, _ = _system(services, calls)

    assert raw is not None
    assert [s["name"] for s in raw["services"]] == ["user", "contract", "inventory"]
    assert len(raw["traffic"]) == 2


def test_system_editor_refuses_too_many_services() -> None:
    services = [{"name": f"s{i}", "tasks": 1} for i in range(13)]

    raw, service_set, _ = _system(services, [])

    assert raw is None
    assert service_set.non_form_errors() == ["Please submit at most 12 forms."]


@pytest.mark.parametrize(
    ("fast", "stock", "value"),
    [
        (
            FastNumberInput(attrs={"step": "any", "data-initial": "30"}),
            NumberInput(attrs={"step": "any", "data-initial": "30"}),
            30,
        ),
        (FastTextInput(), TextInput(), 'a<b"'),
        (FastTextInput(), TextInput(), None),
        (FastCheckboxInput(), CheckboxInput(), True),
        (FastCheckboxInput(), CheckboxInput(), False),
        (
            FastSelect(choices=[("ttl", "T<"), ("f", "F")]),
            Select(choices=[("ttl", "T<"), ("f", "F")]),
            "ttl",
        ),
    ],
)
def test_fast_widgets_render_what_djangos_templates_render(
    fast: Any, stock: Any, value: Any
) -> None:
    attrs = {"id": "id_x", "aria-describedby": "id_x_helptext"}

    mine = fast.render("x", value, attrs=attrs)
    django = stock.render("x", value, attrs=attrs)

    assert parse_html(mine) == parse_html(django)


def test_fast_checkbox_boxes_render_what_djangos_templates_render() -> None:
    class Stock(Form):
        azs = MultipleChoiceField(
            choices=ServiceForm().fields["azs"].choices, widget=CheckboxSelectMultiple
        )

    form = ServiceForm(initial={"azs": ["ap-northeast-1c"]})
    stock = Stock(initial={"azs": ["ap-northeast-1c"]})

    assert [parse_html(b.tag()) for b in form["azs"]] == [parse_html(b.tag()) for b in stock["azs"]]


def test_settings_forms_on_the_page_are_named_by_pattern_and_path() -> None:
    forms = settings_forms({"elb-settings.client.retries": "2"}, prefixed=True)
    elb = next(f for f in forms if f.pattern == "elb")
    discovery = next(f for f in forms if f.pattern == "service-discovery")

    assert elb["settings.client.retries"].html_name == "elb-settings.client.retries"
    assert elb.is_valid() and discovery.is_valid()
    assert elb.changed_settings() == [("settings.client.retries", 2)]
    assert discovery.changed_settings() == []


def test_system_editor_ignores_a_row_added_and_left_empty() -> None:
    services, calls = system_initial()
    data = _rows("services", services)
    data["services-TOTAL_FORMS"] = str(len(services) + 1)
    data["services-INITIAL_FORMS"] = str(len(services))
    service_set = ServiceFormSet(data, prefix="services")
    call_set = CallFormSet(_rows("traffic", calls), prefix="traffic")

    raw = system_scenario(service_set, call_set)

    assert raw is not None
    assert [s["name"] for s in raw["services"]] == ["user", "contract", "inventory", "billing"]


def test_settings_form_refuses_a_changed_value_aws_fixes_without_the_what_if_box() -> None:
    data = {
        "settings.envoy.retry_policy.num_retries": "5",
        "settings.envoy.lb_policy": "round_robin",  # the default: nothing changed
        "settings.service_connect.per_request_timeout_s": "2.5",  # settable in AWS
    }

    refused = ServiceConnectSettingsForm(data)
    allowed = ServiceConnectSettingsForm(data, what_if=True)

    assert refused.errors == {
        "settings.envoy.retry_policy.num_retries": [
            "AWS fixes this value; changing it is not possible in real ECS. Tick “What-if: "
            "change values AWS fixes” to try it anyway."
        ]
    }
    assert allowed.is_valid(), allowed.errors
    assert allowed.changed_settings() == [
        ("settings.service_connect.per_request_timeout_s", 2.5),
        ("settings.envoy.retry_policy.num_retries", 5),
    ]


def test_settings_form_shows_values_aws_fixes_read_only_and_names_the_api_fields() -> None:
    form = ServiceConnectSettingsForm()
    rows = {row["field"].name: row for row in form.rows()}

    retries = str(form["settings.envoy.retry_policy.num_retries"])
    lb = str(form["settings.envoy.lb_policy"])
    timeout = str(form["settings.service_connect.per_request_timeout_s"])

    assert (" readonly" in retries, " disabled" in lb) == (True, True)
    assert " readonly" not in timeout and " disabled" not in timeout
    assert {name: row["kind"] for name, row in rows.items()} == {
        "settings.service_connect.per_request_timeout_s": "settable",
        "settings.envoy.retry_policy.num_retries": "fixed",
        "settings.envoy.lb_policy": "fixed",
        "settings.envoy.outlier_detection.consecutive_5xx": "fixed",
        "settings.envoy.outlier_detection.failure_window_s": "fixed",
        "settings.envoy.outlier_detection.interval_s": "fixed",
        "settings.envoy.outlier_detection.base_ejection_time_s": "fixed",
        "settings.envoy.outlier_detection.max_ejection_percent": "fixed",
    }
    assert rows["settings.service_connect.per_request_timeout_s"]["api"] == (
        "ServiceConnectService.timeout.perRequestTimeoutSeconds"
    )
    mesh = {row["field"].name: row for row in AppMeshSettingsForm().rows()}
    assert (
        mesh["settings.app_mesh.retry_policy.num_retries"]["api"],
        mesh["settings.app_mesh.retry_policy.num_retries"]["retired"],
    ) == ("App Mesh Route spec.httpRoute.retryPolicy", True)
    assert " readonly" not in str(
        ServiceConnectSettingsForm(what_if=True)["settings.envoy.retry_policy.num_retries"]
    )


def test_settings_form_depends_on_healthy_is_a_yes_no_field_giving_a_boolean() -> None:
    form = settings_forms({"settings.ecs.depends_on_healthy": "True"})[0]

    assert form.is_valid(), form.errors
    assert form.settings() == {"ecs": {"depends_on_healthy": True}}
    assert form.changed_settings() == [("settings.ecs.depends_on_healthy", True)]
    assert 'data-initial="False"' in str(form["settings.ecs.depends_on_healthy"])


@pytest.mark.parametrize(
    ("lang", "no", "round_robin"), [("en", "No", "Round robin"), ("ja", "いいえ", "ラウンドロビン")]
)
def test_a_settings_default_reads_as_its_field_shows_it(
    lang: str, no: str, round_robin: str
) -> None:
    """A yes/no or choice default is the option's label in the page's language ("No", never
    Python's "False"); a number stays a number."""
    from django.utils import translation

    with translation.override(lang):
        rows = {
            row["field"].name: row["default"] for form in settings_forms() for row in form.rows()
        }

    assert rows["settings.ecs.depends_on_healthy"] == no
    assert rows["settings.alb.algorithm"] == round_robin
    assert rows["settings.alb.deregistration_delay_s"] == "300"


def test_settings_form_depends_on_healthy_left_at_no_changes_nothing() -> None:
    form = settings_forms({"settings.ecs.depends_on_healthy": "False"})[0]

    assert form.is_valid(), form.errors
    assert form.changed_settings() == []


def test_settings_form_depends_on_healthy_refuses_other_values_beside_the_field() -> None:
    form = settings_forms({"settings.ecs.depends_on_healthy": "maybe"})[0]

    assert not form.is_valid()
    assert form.errors["settings.ecs.depends_on_healthy"] == [
        "Select a valid choice. maybe is not one of the available choices."
    ]
