"""Forms for the playground: the settings that matter per pattern, and the system editor.

Each settings field is named by its scenario path (``settings.alb.deregistration_delay_s``, on the
page after its pattern: ``elb-settings.alb.deregistration_delay_s``), so a field and the engine's
error paths speak the same names. A field's initial value is the
engine's normalized default (read from ``load_scenario({})``, never typed here twice) and its help
text says in one line what the setting does. Validation is the engine's: the form builds the
scenario fragment, ``load_scenario`` checks it, and an error lands beside the field its path names.
``PlaygroundSetup`` is the page's whole setup form: it turns a POST into the run the player starts.

Each field also says whether real AWS lets a user set it (the engine's ``IN_AWS``: the API field,
or fixed by AWS, or the application's own code). A value AWS fixes is shown read-only; changing it
is a what-if, not possible in real ECS, and the form refuses it beside its field unless the
page's what-if box is ticked (``SetupForm.what_if``).
"""

from __future__ import annotations

import copy
import html
import re
from collections.abc import Mapping
from functools import cache, cached_property
from typing import Any

from django import forms
from django.conf import settings
from django.forms import BaseFormSet, formset_factory
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from patterns.errors import WEB_REASONS, FieldError, localized
from patterns.player import permalink
from patterns.player.playback import (
    INSTANT_LIMITS,
    LIVE_LIMITS,
    PlaybackError,
    prepare_scenario,
)
from patterns.sim import BUILTIN_SCENARIOS, PATTERNS, ScenarioError, load_scenario
from patterns.sim.cost import work_estimate
from patterns.sim.errors import reason_code
from patterns.sim.scenario import (
    APP_MESH_RETIRED,
    CLIENT,
    FIXED,
    MAX_APP_START_S,
    MAX_SEED,
    MODEL,
    SETTABLE,
    Bounds,
    InAws,
    setting_bounds,
    setting_spec,
)

MAX_SERVICES = 12
MAX_CALLS = 30


@cache
def engine_defaults() -> dict[str, Any]:
    """The engine's normalized scenario for ``{}``: every setting's default and the sample system."""
    return load_scenario({}).to_dict()


def default_at(path: str) -> Any:
    """The engine default at ``settings.<component>.<key>[.<sub>]`` (None where there is none)."""
    node: Any = engine_defaults()
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return None
        node = node[key]
    return node


def _plain(value: Any) -> Any:
    """30.0 -> 30, so a field shows the default as people write it (and as the browser sends it)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _set_path(target: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    node = target
    for key in keys[:-1]:
        node = node.setdefault(key, {})
    node[keys[-1]] = value


# --------------------------------------------------------------------------- fast widgets
# The playground page renders about a hundred of these inputs on every request; Django's
# template-based widget rendering made them most of the page's time (bench/page_bench.py). These
# widgets write the same tags directly: type, name, value, then the attributes Django computed.


def _attrs_html(attrs: Mapping[str, Any]) -> str:
    """`` key="value"`` pairs as Django's attrs.html writes them: True alone, False and None left
    out, values escaped (html.escape escapes the same five characters as Django's escape)."""
    out = []
    for key, value in attrs.items():
        if value is True:
            out.append(f" {key}")
        elif value is not False and value is not None:
            out.append(f' {key}="{html.escape(str(value))}"')
    return "".join(out)


def _input_tag(input_type: str, name: str, value: Any, attrs: Mapping[str, Any]) -> SafeString:
    tag: dict[str, Any] = {"type": input_type, "name": name}
    if value is not None:
        tag["value"] = value
    tag.update(attrs)
    return mark_safe(f"<input{_attrs_html(tag)}>")


class FastInputMixin:
    input_type: str

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        widget: Any = self
        final = widget.build_attrs(widget.attrs, attrs)
        return _input_tag(self.input_type, name, widget.format_value(value), final)


class FastNumberInput(FastInputMixin, forms.NumberInput):
    pass


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastCheckboxInput(forms.CheckboxInput):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        if self.check_test(value):
            final["checked"] = True
        return _input_tag("checkbox", name, self.format_value(value), final)


class FastSelect(forms.Select):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        chosen = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{html.escape(str(v))}"{" selected" if str(v) in chosen else ""}>'
            f"{html.escape(str(label))}</option>"
            for v, label in self.choices
        )
        return mark_safe(f"<select{_attrs_html({'name': name, **final})}>{options}</select>")


class FastCheckboxSelectMultiple(forms.CheckboxSelectMultiple):
    """Each box's ``tag`` (what the page renders) is written directly; the rest is Django's."""

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> Any:
        widget = context["widget"]
        if template_name == self.option_template_name and not widget.get("wrap_label"):
            return _input_tag("checkbox", widget["name"], widget["value"], widget["attrs"])
        return super()._render(template_name, context, renderer)


# (path, kind, label, explanation); kind is "number", "whole" or a tuple of (value, label) choices.
Spec = tuple[str, Any, Promise, Promise]

ALB_ALGORITHMS = (
    ("round_robin", _("Round robin")),
    ("least_outstanding_requests", _("Least outstanding requests")),
    ("weighted_random", _("Weighted random")),
)
ENVOY_LB = (
    ("round_robin", _("Round robin")),
    ("least_request", _("Least request")),
    ("random", _("Random")),
)
DNS_CACHES = (
    ("ttl", _("Honour the record TTL")),
    ("jvm_30s", _("30 s, whatever the TTL (JVM default)")),
    ("forever", _("Forever (never re-resolve)")),
)
ROUTING_POLICIES = (("MULTIVALUE", "MULTIVALUE"), ("WEIGHTED", "WEIGHTED"))

CLIENT_RETRIES: Spec = (
    "settings.client.retries",
    "whole",
    _("Client retries"),
    _(
        "How often the calling application itself retries a failed request; no AWS component retries for it."
    ),
)
CLIENT_TIMEOUT: Spec = (
    "settings.client.timeout_s",
    "number",
    _("Client timeout (s)"),
    _("How long the calling application waits for an answer; 0 waits forever."),
)
ELB_SPECS: tuple[Spec, ...] = (
    (
        "settings.alb.health_check_interval_s",
        "number",
        _("Health check interval (s)"),
        _("Each ALB node checks each target this often."),
    ),
    (
        "settings.alb.health_check_timeout_s",
        "number",
        _("Health check timeout (s)"),
        _("A check with no answer within this time counts as failed."),
    ),
    (
        "settings.alb.healthy_threshold",
        "whole",
        _("Healthy threshold"),
        _("Consecutive passed checks before a node routes to an unhealthy target again."),
    ),
    (
        "settings.alb.unhealthy_threshold",
        "whole",
        _("Unhealthy threshold"),
        _("Consecutive failed checks before a node stops routing to a target."),
    ),
    (
        "settings.alb.deregistration_delay_s",
        "number",
        _("Deregistration delay (s)"),
        _("How long a deregistered target may finish in-flight requests before they are cut."),
    ),
    (
        "settings.alb.algorithm",
        ALB_ALGORITHMS,
        _("Load balancing algorithm"),
        _("How an ALB node picks a target among the healthy ones."),
    ),
    (
        "settings.alb.slow_start_s",
        "number",
        _("Slow start (s)"),
        _("A new target's share of requests grows over this time; 0 turns it off (else 30-900)."),
    ),
    CLIENT_RETRIES,
    CLIENT_TIMEOUT,
)
APP_MESH_SPECS: tuple[Spec, ...] = (
    (
        "settings.app_mesh.route_timeout_s",
        "number",
        _("Route timeout (s)"),
        _(
            "The whole request, retries included, must finish within this time or Envoy answers 504."
        ),
    ),
    (
        "settings.app_mesh.retry_policy.num_retries",
        "whole",
        _("Route retries"),
        _("How often Envoy retries a request that failed in a retriable way."),
    ),
    (
        "settings.envoy.lb_policy",
        ENVOY_LB,
        _("Envoy load balancing"),
        _("How the client-side Envoy picks a host of the cluster."),
    ),
    (
        "settings.app_mesh.outlier_detection.max_server_errors",
        "whole",
        _("Outlier detection: server errors"),
        _(
            "Consecutive 5xx answers that eject a host; App Mesh has no default, so leave all four empty for off."
        ),
    ),
    (
        "settings.app_mesh.outlier_detection.interval_s",
        "number",
        _("Outlier detection: interval (s)"),
        _("How often ejections are reviewed and ejected hosts may return."),
    ),
    (
        "settings.app_mesh.outlier_detection.base_ejection_duration_s",
        "number",
        _("Outlier detection: base ejection (s)"),
        _("How long a first ejection lasts; each repeat lasts longer."),
    ),
    (
        "settings.app_mesh.outlier_detection.max_ejection_percent",
        "number",
        _("Outlier detection: max ejected %"),
        _("At most this share of the hosts may be ejected at once."),
    ),
)
SERVICE_DISCOVERY_SPECS: tuple[Spec, ...] = (
    (
        "settings.cloud_map.dns_ttl_s",
        "number",
        _("DNS record TTL (s)"),
        _("How long a client may keep a resolved answer, including IPs of tasks that are gone."),
    ),
    (
        "settings.client.dns_cache",
        DNS_CACHES,
        _("Client DNS cache"),
        _("How the calling application's runtime caches DNS answers."),
    ),
    (
        "settings.cloud_map.routing_policy",
        ROUTING_POLICIES,
        _("Routing policy"),
        _("MULTIVALUE answers up to 8 healthy records; WEIGHTED answers one."),
    ),
    CLIENT_RETRIES,
    CLIENT_TIMEOUT,
)
SERVICE_CONNECT_SPECS: tuple[Spec, ...] = (
    (
        "settings.service_connect.per_request_timeout_s",
        "number",
        _("Per-request timeout (s)"),
        _("Service Connect's proxy answers 504 when a request takes longer than this."),
    ),
    (
        "settings.envoy.retry_policy.num_retries",
        "whole",
        _("Proxy retries"),
        _("How often the Service Connect proxy retries a request that failed in a retriable way."),
    ),
    (
        "settings.envoy.lb_policy",
        ENVOY_LB,
        _("Envoy load balancing"),
        _("How the Service Connect proxy picks a host of the cluster."),
    ),
    (
        "settings.envoy.outlier_detection.consecutive_5xx",
        "whole",
        _("Outlier detection: failures within the window"),
        _(
            "Failures to one task within the window (30 s) that make one proxy stop sending to it;"
            " successes in between do not reset the count."
        ),
    ),
    (
        "settings.envoy.outlier_detection.failure_window_s",
        "number",
        _("Outlier detection: failure window (s)"),
        _(
            "The failures are counted over this window; 0 counts consecutive errors, as plain Envoy."
        ),
    ),
    (
        "settings.envoy.outlier_detection.interval_s",
        "number",
        _("Outlier detection: interval (s)"),
        _("How often ejections are reviewed and ejected hosts may return."),
    ),
    (
        "settings.envoy.outlier_detection.base_ejection_time_s",
        "number",
        _("Outlier detection: base ejection (s)"),
        _("How long a first ejection lasts; each repeat lasts longer."),
    ),
    (
        "settings.envoy.outlier_detection.max_ejection_percent",
        "number",
        _("Outlier detection: max ejected %"),
        _("At most this share of the hosts may be ejected at once."),
    ),
)
COMMON_SPECS: tuple[Spec, ...] = (
    (
        "settings.app.latency_ms",
        "number",
        _("App response time (ms)"),
        _("The mean time the sample application takes to answer."),
    ),
    (
        "settings.ecs.stop_timeout_s",
        "number",
        _("Stop timeout (s)"),
        _("ECS sends SIGKILL this long after SIGTERM if the app has not exited."),
    ),
    (
        "settings.ecs.health_check_grace_period_s",
        "number",
        _("Health check grace period (s)"),
        _("Failed health checks of a new task are ignored for this long."),
    ),
    (
        "settings.ecs.container_health_start_period_s",
        "number",
        _("Container health check start period (s)"),
        _(
            "Failed container health checks do not count for this long after the task starts;"
            " a passing check ends it. 0 = off."
        ),
    ),
    (
        "settings.ecs.depends_on_healthy",
        "yesno",
        _("Hold until the app is HEALTHY (dependsOn)"),
        _(
            "A small container with dependsOn the app, condition HEALTHY: a new task stays PENDING,"
            " registered nowhere, until its first passing container health check."
        ),
    ),
)
YES_NO = (("False", _("No")), ("True", _("Yes")))


def limit_attr(value: float) -> str:
    """A limit as an HTML ``min``/``max`` attribute: 3600.0 -> "3600", 0.1 -> "0.1"."""
    return str(_plain(value))


def limit_text(value: float) -> str:
    """A limit as the help text says it: 86400.0 -> "86,400", 0.1 -> "0.1"."""
    return f"{_plain(value):,}"


def _bounds_attrs(bounds: Bounds | None) -> dict[str, str]:
    if bounds is None:
        return {}
    lo, hi, _whole = bounds
    return {"min": limit_attr(lo), "max": limit_attr(hi)}


def _field(
    kind: Any, label: Promise, help_text: Promise, default: Any, bounds: Bounds | None = None
) -> forms.Field:
    """A settings field; a number's ``min``/``max`` are the engine's range (``setting_bounds``),
    which the engine checks: the form leaves the refusal and its reason to it."""
    initial = _plain(default)
    attrs: dict[str, str] = {} if initial is None else {"data-initial": str(initial)}
    if kind in ("whole", "number"):
        attrs.update(_bounds_attrs(bounds))
    field: forms.Field
    if kind == "whole":
        field = forms.IntegerField(
            required=False, widget=FastNumberInput(attrs={"step": "1", **attrs})
        )
    elif kind == "number":
        field = forms.FloatField(
            required=False, widget=FastNumberInput(attrs={"step": "any", **attrs})
        )
    elif kind == "yesno":  # a true/false setting: "False"/"True", as str() writes the default
        field = forms.TypedChoiceField(
            choices=YES_NO,
            coerce=lambda raw: raw == "True",
            empty_value=None,
            required=False,
            widget=FastSelect(attrs=attrs),
        )
    else:
        field = forms.ChoiceField(choices=kind, required=False, widget=FastSelect(attrs=attrs))
    field.label = label
    field.help_text = help_text
    field.initial = initial
    return field


def default_text(field: forms.Field) -> str:
    """The default as the field shows it: a choice's label ("No", not "False"), else the value;
    "" for a field without one."""
    if field.initial is None:
        return ""
    for value, label in getattr(field, "choices", ()):
        if str(value) == str(field.initial):
            return str(label)
    return str(field.initial)


def range_text(field: forms.Field) -> str:
    """What a number field says of its range, from its own ``min``/``max`` (so the help text and
    the attributes cannot disagree): "Accepted: 2 to 10."; "" for a field without both."""
    attrs = field.widget.attrs
    if "min" not in attrs or "max" not in attrs:
        return ""
    return gettext("Accepted: %(lo)s to %(hi)s.") % {
        "lo": limit_text(float(attrs["min"])),
        "hi": limit_text(float(attrs["max"])),
    }


def setting_path_bounds(path: str) -> Bounds | None:
    """The engine's range for the number a settings field holds (``settings.alb.x`` -> alb.x)."""
    return setting_bounds(path.removeprefix("settings."))


def in_aws(path: str, pattern: str) -> InAws | None:
    """Whether real AWS lets a user set the setting of a field (``settings.envoy.retry_policy.
    num_retries`` is ``envoy.retry_policy``) under ``pattern``; the common settings read the same
    under every pattern."""
    component, key = path.split(".")[1:3]
    spec = setting_spec(f"{component}.{key}", path)
    if pattern in PATTERNS:
        return spec.in_aws(pattern)
    return spec.aws[0] if spec.aws else None


AWS_NOTES: dict[str, Promise] = {
    SETTABLE: _("Settable in AWS:"),
    FIXED: _("Fixed by AWS: real ECS has no setting for it."),
    CLIENT: _("Your application's own code, not an AWS setting."),
    MODEL: _("A choice of the simulation, not an AWS setting."),
}
FIXED_REFUSED = _(
    "AWS fixes this value; changing it is not possible in real ECS. Tick “What-if: change values "
    "AWS fixes” to try it anyway."
)


class SettingsForm(forms.Form):
    """One pattern's settings; ``settings()`` gives the scenario fragment the engine checks.

    ``what_if`` (the page's box) lets values AWS fixes change; without it they are read-only and
    a changed one is refused beside its field.
    """

    pattern = ""
    title: Promise | str = ""
    specs: tuple[Spec, ...] = ()

    def __init__(self, *args: Any, what_if: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.what_if = what_if
        self.aws: dict[str, InAws | None] = {}
        for path, kind, label, help_text in self.specs:
            bounds = setting_path_bounds(path)
            field = self.fields[path] = _field(kind, label, help_text, default_at(path), bounds)
            self.aws[path] = in_aws(path, self.pattern)
            if self.fixed(path) and not what_if and not self._typed_other(path, field):
                # Read-only, yet reachable with the keyboard; a select cannot be read-only.
                locked = "disabled" if isinstance(field.widget, forms.Select) else "readonly"
                field.widget.attrs[locked] = True

    def fixed(self, path: str) -> bool:
        entry = self.aws.get(path)
        return entry is not None and entry.kind == FIXED

    def _typed_other(self, path: str, field: forms.Field) -> bool:
        """Whether the POST holds a value for ``path`` other than its default (as typed)."""
        raw = self.data.get(self.add_prefix(path)) if self.is_bound else None
        return raw not in (None, "") and str(raw) != str(field.initial)

    def rows(self) -> list[dict[str, Any]]:
        """Each field with its ``default`` (as the field shows it) and what the page says about
        it in AWS: ``kind`` (settable, fixed, client, model), ``note`` (translated) and ``api``
        (the API field's name, settable ones only; ``retired`` when App Mesh's end of support
        makes it history)."""
        out = []
        for path in self.fields:
            entry = self.aws.get(path)
            row: dict[str, Any] = {
                "field": self[path],
                "default": default_text(self.fields[path]),
                "kind": "",
                "note": "",
                "api": "",
                "range": range_text(self.fields[path]),
            }
            if entry is not None:
                row.update(kind=entry.kind, note=AWS_NOTES[entry.kind])
                if entry.kind == SETTABLE:
                    row["api"] = entry.api.split("; ")[0]
                    row["retired"] = APP_MESH_RETIRED in entry.api
            out.append(row)
        return out

    def settings(self) -> dict[str, Any]:
        """The values given, nested by path (``{"alb": {"deregistration_delay_s": 30}}``)."""
        out: dict[str, Any] = {}
        for path, value in self.cleaned_data.items():
            if value is None or value == "":
                continue
            _set_path(out, path.removeprefix("settings."), value)
        return out

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.what_if:
            for path, value in list(cleaned.items()):
                initial = self.fields[path].initial
                if self.fixed(path) and value not in (None, "") and _plain(value) != initial:
                    self.add_error(path, FIXED_REFUSED)
        if not self.errors:
            try:
                load_scenario({"settings": self.settings()})
            except ScenarioError as error:
                self._engine_error(error)
        return cleaned

    def changed_settings(self) -> list[tuple[str, Any]]:
        """(path, value) of each valid field whose value is not the default shown on the page.

        A field left at its default adds nothing to the scenario (the engine fills it in), so a
        run's scenario and its permalink hold only what the visitor changed.
        """
        out = []
        for name, field in self.fields.items():
            raw = self[name].data
            if raw in (None, "") or name not in self.cleaned_data:
                continue
            if field.initial is not None and raw == str(field.initial):
                continue
            out.append((name, _plain(self.cleaned_data[name])))
        return out

    def field_for(self, path: str) -> str | None:
        """The field holding an engine path (``settings.alb.x.y`` -> ``settings.alb.x``), if any."""
        while path and path not in self.fields:
            path = path.rpartition(".")[0]
        return path or None

    def _engine_error(self, error: ScenarioError) -> None:
        """Put the engine's reason beside the field its path names (or on the form)."""
        field = self.field_for(error.path)
        if field:
            self.add_error(field, localized(error))
        else:
            self.add_error(None, localized(f"{error.path}: {error.reason}"))


class CommonSettingsForm(SettingsForm):
    pattern = "common"
    title = _("Common settings")
    specs = COMMON_SPECS


class ElbSettingsForm(SettingsForm):
    pattern = "elb"
    title = _("ELB settings")
    specs = ELB_SPECS


class AppMeshSettingsForm(SettingsForm):
    pattern = "app-mesh"
    title = _("App Mesh settings")
    specs = APP_MESH_SPECS


class ServiceDiscoverySettingsForm(SettingsForm):
    pattern = "service-discovery"
    title = _("Service Discovery settings")
    specs = SERVICE_DISCOVERY_SPECS


class ServiceConnectSettingsForm(SettingsForm):
    pattern = "service-connect"
    title = _("Service Connect settings")
    specs = SERVICE_CONNECT_SPECS


SETTINGS_FORMS: tuple[type[SettingsForm], ...] = (
    CommonSettingsForm,
    ElbSettingsForm,
    AppMeshSettingsForm,
    ServiceDiscoverySettingsForm,
    ServiceConnectSettingsForm,
)


def settings_forms(
    data: Mapping[str, Any] | None = None, *, prefixed: bool = False, what_if: bool = False
) -> list[SettingsForm]:
    """One bound (or unbound) form per pattern plus the common one, in page order.

    On the page each form is prefixed by its pattern (``elb-settings.client.retries``): two
    patterns share some settings, and one page must not hold two fields of the same name.
    ``what_if`` lets the values AWS fixes change.
    """
    return [
        form_class(data, prefix=form_class.pattern if prefixed else None, what_if=what_if)
        for form_class in SETTINGS_FORMS
    ]


class RouteWeightsForm(forms.Form):
    """App Mesh route weights for one virtual service: one weight per virtual node (0-100)."""

    def __init__(self, *args: Any, virtual_service: str, nodes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.virtual_service = virtual_service
        routes = default_at("settings.app_mesh.routes") or {}
        current = {r["virtual_node"]: r["weight"] for r in routes.get(virtual_service, [])}
        for node in nodes:
            field = forms.IntegerField(
                min_value=0, max_value=100, required=True, widget=FastNumberInput
            )
            field.label = node
            field.help_text = _(
                "Share of this virtual service's requests sent to the virtual node."
            )
            field.initial = current.get(node, 100 if node == virtual_service else 0)
            self.fields[node] = field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(cleaned.values()):
            self.add_error(None, _("The weights must not all be zero."))
        return cleaned

    def routes(self) -> dict[str, list[dict[str, Any]]]:
        """``settings.app_mesh.routes`` for this virtual service (the engine's shape)."""
        return {
            self.virtual_service: [
                {"virtual_node": node, "weight": weight}
                for node, weight in self.cleaned_data.items()
            ]
        }


# --------------------------------------------------------------------------- the system editor


def _az_choices() -> list[tuple[str, str]]:
    return [(az, az) for az in engine_defaults()["services"][0]["azs"]]


class ServiceForm(forms.Form):
    name = forms.CharField(
        max_length=40,
        widget=FastTextInput,
        label=_("Service"),
        help_text=_("Lower-case letters, digits and '-', starting with a letter."),
    )
    tasks = forms.IntegerField(
        min_value=0,
        widget=FastNumberInput(attrs={"min": "0", "max": str(LIVE_LIMITS.max_tasks)}),
        label=_("Tasks"),
        help_text=_("The ECS service's desired count."),
    )
    azs = forms.MultipleChoiceField(
        required=False,
        widget=FastCheckboxSelectMultiple,
        label=_("Availability Zones"),
        help_text=_("Tasks are spread over these AZs; none ticked means all of them."),
    )
    app_start_s = forms.FloatField(
        required=False,
        min_value=0,
        widget=FastNumberInput(attrs={"min": "0", "max": limit_attr(MAX_APP_START_S)}),
        label=_("App start (s)"),
        help_text=_("How long the application takes to accept connections after RUNNING."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["azs"].choices = _az_choices()

    def service(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {"name": data["name"], "tasks": data["tasks"]}
        if data.get("azs"):
            out["azs"] = list(data["azs"])
        if data.get("app_start_s") is not None:
            out["app_start_s"] = data["app_start_s"]
        return out


class CallForm(forms.Form):
    source = forms.CharField(
        max_length=40, widget=FastTextInput, label=_("From"), help_text=_("The calling service.")
    )
    target = forms.CharField(
        max_length=40, widget=FastTextInput, label=_("To"), help_text=_("The service it calls.")
    )
    rps = forms.FloatField(
        widget=FastNumberInput(attrs={"min": "0", "max": limit_attr(LIVE_LIMITS.max_rps)}),
        label=_("Requests/s"),
        help_text=_("How many requests a second the caller sends."),
    )

    def call(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"from": data["source"], "to": data["target"], "rps": data["rps"]}


class _EditorFormSet(BaseFormSet):  # type: ignore[type-arg]
    deletion_widget = FastCheckboxInput


ServiceFormSet = formset_factory(
    ServiceForm,
    formset=_EditorFormSet,
    extra=0,
    max_num=MAX_SERVICES,
    validate_max=True,
    can_delete=True,
)
CallFormSet = formset_factory(
    CallForm, formset=_EditorFormSet, extra=0, max_num=MAX_CALLS, validate_max=True, can_delete=True
)

_CALL_FIELDS = {"from": "source", "to": "target", "rps": "rps"}


def system_initial() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The sample system as the editor's initial rows (from the engine's normalized scenario)."""
    scenario = engine_defaults()
    services = [
        {
            "name": s["name"],
            "tasks": s["tasks"],
            "azs": s["azs"],
            "app_start_s": _plain(s["app_start_s"]),
        }
        for s in scenario["services"]
    ]
    calls = [
        {"source": c["from"], "target": c["to"], "rps": _plain(c["rps"])}
        for c in scenario["traffic"]
    ]
    return services, calls


def system_scenario(services: Any, calls: Any) -> dict[str, Any] | None:
    """Services and calls formsets -> ``{"services": [...], "traffic": [...]}`` or None.

    On None the reasons are on the forms: the formsets' own checks first, then the engine's,
    placed on the row and field its path names (``services[1].tasks`` -> row 1, field tasks).
    """
    if not (services.is_valid() and calls.is_valid()):
        return None
    raw = {
        "services": [f.service() for f in _kept(services)],
        "traffic": [f.call() for f in _kept(calls)],
    }
    try:
        load_scenario(raw)
    except ScenarioError as error:
        place_system_error(error.path, localized(error), services, calls)
        return None
    return raw


def _kept(formset: Any) -> list[forms.Form]:
    """The rows that count, in order: not deleted, and not a row added and left empty."""
    return [f for f in formset.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]


def place_system_error(path: str, reason: str, services: Any, calls: Any) -> None:
    """Put an engine reason on the row and field its path names (``services[1].tasks`` -> row 1,
    field tasks; ``traffic[0].from`` -> row 0 of the calls, field source), else above the table."""
    head, _, rest = path.partition(".")
    name, _, index = head.partition("[")
    rows = {"services": _kept(services), "traffic": _kept(calls)}.get(name)
    number = int(index[:-1]) if index.endswith("]") and index[:-1].isdigit() else -1
    if rows is not None and 0 <= number < len(rows):
        row = rows[number]
        key = rest.split(".")[0].split("[")[0]
        field = _CALL_FIELDS.get(key) if name == "traffic" else key
        row.add_error(field if field in row.fields else None, reason)
        return
    services.non_form_errors().append(f"{path}: {reason}")


# --------------------------------------------------------------------------- the whole setup form

#: One call's rate: the playground's cap on all calls together (a system of one call may use it all).
MAX_RPS = LIVE_LIMITS.max_rps
DEFAULT_RPS = 10
SEED_MESSAGE = _("Enter a whole number, 0 or more.")
ALL = "all"
MODES = ("live", "instant")
#: The scenario the page opens on, and the blank sample system (the choice named "").
FIRST_SCENARIO = "kill-task"
BLANK = {"name": "sample", "duration_s": 300}


def _code(error: FieldError) -> str | None:
    found = reason_code(error.reason, WEB_REASONS)
    return found[0] if found else None


def rps_message() -> str:
    return gettext("Enter a rate above 0 and at most %(max)s requests/s.") % {
        "max": limit_text(MAX_RPS)
    }


@cache
def builtin_runs() -> dict[str, dict[str, Any]]:
    """Each built-in scenario as written plus its calls with their rates (so the traffic field can
    override them); the blank sample system is under ""."""
    scenarios = {"": BLANK, **BUILTIN_SCENARIOS}
    return {
        name: {"raw": raw, "traffic": load_scenario(raw).to_dict()["traffic"]}
        for name, raw in scenarios.items()
    }


class SetupForm(forms.Form):
    """The run's own choices: pattern, built-in scenario, traffic per call, seed, own system."""

    pattern = forms.ChoiceField(choices=[(p, p) for p in (*PATTERNS, ALL)])
    scenario = forms.ChoiceField(choices=[(n, n) for n in (*BUILTIN_SCENARIOS, "")], required=False)
    # The scenario and pattern shown before this change: picking another scenario also picks its
    # pattern, unless the pattern was changed in the same breath.
    shown_scenario = forms.CharField(required=False)
    shown_pattern = forms.CharField(required=False)
    rps = forms.FloatField(widget=FastNumberInput(attrs={"min": "0", "max": limit_attr(MAX_RPS)}))
    seed = forms.IntegerField(
        required=False,
        error_messages={"invalid": SEED_MESSAGE},
        widget=FastNumberInput(attrs={"min": "0", "max": str(MAX_SEED)}),
    )
    use_system = forms.BooleanField(required=False)
    # What-if: values AWS fixes may change (the run is not possible in real ECS).
    what_if = forms.BooleanField(required=False)

    def __init__(self, data: Any = None) -> None:
        if data is not None:
            data = self._follow_scenario(data)
        pattern = BUILTIN_SCENARIOS[FIRST_SCENARIO].get("pattern", PATTERNS[0])
        initial = {
            "pattern": pattern,
            "scenario": FIRST_SCENARIO,
            "shown_scenario": FIRST_SCENARIO,
            "shown_pattern": pattern,
            "rps": DEFAULT_RPS,
            "seed": 1,
        }
        super().__init__(data, initial=initial)
        message = rps_message()
        self.fields["rps"].error_messages.update(required=message, invalid=message)

    def rps_help(self) -> str:
        """The traffic field's help: its default and the cap on all calls together."""
        return gettext(
            "Default %(default)s. Applied to every call in the system; all calls together"
            " at most %(max)s requests/s."
        ) % {"default": DEFAULT_RPS, "max": limit_text(MAX_RPS)}

    @staticmethod
    def _follow_scenario(data: Any) -> Any:
        name = data.get("scenario")
        if name == data.get("shown_scenario") or name not in BUILTIN_SCENARIOS:
            return data
        if data.get("pattern") != data.get("shown_pattern"):
            return data
        own = BUILTIN_SCENARIOS[name].get("pattern")
        if not own:
            return data
        data = data.copy()
        data["pattern"] = own
        return data

    def clean_rps(self) -> float:
        rps = self.cleaned_data["rps"]
        if not 0 < rps <= MAX_RPS:
            raise forms.ValidationError(rps_message())
        return float(rps)

    def clean_seed(self) -> int:
        seed = self.cleaned_data["seed"]
        if seed is None:
            return 0  # an empty seed is seed 0, as it always was
        if seed < 0:
            raise forms.ValidationError(SEED_MESSAGE)
        return int(seed)


class PlaygroundSetup:
    """The playground's setup form as one thing: the run's choices, the settings of the patterns
    on screen and the system editor, bound to a POST or unbound for the first page.

    ``run()`` gives what the player starts from, ``{"scenario", "pattern", "start"}``, or None
    with every reason beside its field: the forms' own checks first, then the engine's (with the
    limits of the mode the run starts in), placed by the path the engine names.
    """

    def __init__(self, data: Mapping[str, Any] | None = None) -> None:
        self.bound = data is not None
        self.form = SetupForm(data)
        self.what_if = data is not None and bool(
            SetupForm.base_fields["what_if"].clean(data.get("what_if"))
        )
        self.settings = settings_forms(data, prefixed=True, what_if=self.what_if)
        if data is None:
            services, calls = system_initial()
            self.services = ServiceFormSet(prefix="services", initial=services)
            self.calls = CallFormSet(prefix="calls", initial=calls)
        else:
            self.services = ServiceFormSet(data, prefix="services")
            self.calls = CallFormSet(data, prefix="calls")
        mode = data.get("mode") if data is not None else None
        self.mode = mode if mode in MODES else None

    @property
    def pattern(self) -> str:
        value = self.form["pattern"].value()
        return value if value in (*PATTERNS, ALL) else PATTERNS[0]

    @property
    def what_if_changes(self) -> list[str]:
        """The settings (``envoy.retry_policy.num_retries``) whose value AWS fixes and this run
        changes: a what-if, not possible in real ECS (only with the what-if box ticked)."""
        out: list[str] = []
        for form in self.shown_settings() if self.what_if else []:
            if form.is_valid():
                for path, _value in form.changed_settings():
                    name = path.removeprefix("settings.")
                    if form.fixed(path) and name not in out:
                        out.append(name)
        return out

    def shows(self, form: SettingsForm) -> bool:
        """Whether a settings form is on screen (and so counts) for the chosen pattern."""
        return form.pattern in ("common", self.pattern) or self.pattern == ALL

    def shown_settings(self) -> list[SettingsForm]:
        return [f for f in self.settings if self.shows(f)]

    def settings_on_screen(self) -> list[tuple[SettingsForm, bool]]:
        """Every settings form in page order, with whether it shows (the others stay hidden)."""
        return [(f, self.shows(f)) for f in self.settings]

    @property
    def checks_system(self) -> bool:
        """The system editor's reasons show only when its system is the one to run."""
        return self.bound and bool(self.form["use_system"].value())

    @cached_property
    def run(self) -> dict[str, Any] | None:
        if not self.bound:
            return None
        valid = self.form.is_valid()
        shown = self.shown_settings()
        checked = [f.is_valid() for f in shown]  # every form checked, so every reason shows
        valid = all(checked) and valid
        use_system = valid and self.form.cleaned_data["use_system"]
        system = system_scenario(self.services, self.calls) if use_system else None
        if not valid or (use_system and system is None):
            return None
        data = self.form.cleaned_data
        scenario = self._scenario(data, shown, system)
        limits = INSTANT_LIMITS if self.mode == "instant" else LIVE_LIMITS
        try:
            prepared = prepare_scenario(scenario, data["pattern"], data["seed"], limits)
            permalink.validate_run(scenario, data["seed"], data["pattern"], [])
        except (PlaybackError, permalink.PermalinkError) as error:
            over_requests = _code(error) == "max_requests"
            self._place(error.field, self._reason(error, scenario), bool(system), over_requests)
            return None
        run: dict[str, Any] = {"scenario": scenario, "pattern": data["pattern"], "start": self.mode}
        if self.mode == "instant":
            run.update(_live_instead(prepared, data["pattern"]))
        return run

    def _reason(self, error: FieldError, scenario: dict[str, Any]) -> str:
        """The refusal in the page's language; a cap on all calls together also says how the
        traffic field's rate adds up to it (3 calls x 400 requests/s = 1,200 requests/s)."""
        reason = localized(error)
        if error.field != "scenario.traffic" or self.checks_system:
            return reason
        calls = load_scenario(scenario).traffic
        rate = _plain(self.form.cleaned_data["rps"])
        return gettext(
            "%(reason)s: %(calls)s calls × %(rps)s requests/s = %(total)s requests/s."
        ) % {
            "reason": reason,
            "calls": len(calls),
            "rps": limit_text(rate),
            "total": limit_text(sum(call["rps"] for call in calls)),
        }

    def _scenario(
        self, data: dict[str, Any], shown: list[SettingsForm], system: dict[str, Any] | None
    ) -> dict[str, Any]:
        """The scenario the choices describe: the built-in as written, with the pattern, seed,
        traffic rate, the changed settings and (when ticked) the own system laid over it."""
        entry = builtin_runs().get(data["scenario"]) or builtin_runs()[""]
        scenario = copy.deepcopy(entry["raw"])
        if data["pattern"] == ALL:
            scenario.pop("pattern", None)
        else:
            scenario["pattern"] = data["pattern"]
        scenario["seed"] = data["seed"]
        rps = _plain(data["rps"])
        if any(call["rps"] != rps for call in entry["traffic"]):
            scenario["traffic"] = [{**call, "rps": rps} for call in entry["traffic"]]
        for form in shown:
            for path, value in form.changed_settings():
                _set_path(scenario, path, value)
        if system is not None:
            scenario["services"] = system["services"]
            scenario["traffic"] = system["traffic"]
            scenario["actions"] = [
                a for a in scenario.get("actions", []) if not a.get("task") and not a.get("service")
            ]
        return scenario

    def _place(self, path: str, reason: str, system: bool, over_requests: bool = False) -> None:
        """An engine reason beside the field its path names, else above the start buttons."""
        path = path.removeprefix("scenario.")
        if path.startswith("settings."):
            for form in self.shown_settings():
                field = form.field_for(path)
                if field:
                    form.add_error(field, reason)
                    return
        if system and path in ("services", "traffic"):
            formset = self.services if path == "services" else self.calls
            formset.non_form_errors().append(reason)
            return
        if system and path.startswith(("services[", "traffic[")):
            place_system_error(path, reason, self.services, self.calls)
            return
        # The traffic as a whole, and the requests a run may simulate (rate x length x patterns;
        # the length is the scenario's own): the rate field is what sets them.
        if path == "traffic" or (path == "duration_s" and over_requests and not system):
            path = "rps"
        last = re.sub(r"\[\d+\]", "", path).rpartition(".")[2]
        if last in ("pattern", "scenario", "rps", "seed"):
            self.form.add_error(last, reason)
        else:
            self.form.add_error(None, f"{path}: {reason}")

    @property
    def refused(self) -> bool:
        """A start was asked for and refused: the page moves focus to the first reason."""
        return self.mode is not None and self.run is None


# --------------------------------------------------------------------------- live deployments


#: The engine's deployment strategies (``deploy.strategy``, patterns/sim/deployments.py).
DEPLOY_STRATEGIES = (
    ("rolling", _("rolling")),
    ("blue_green", _("blue/green")),
    ("linear", _("linear")),
    ("canary", _("canary")),
)


def _deploy_field(
    label: Promise, help_text: Promise, initial: float, lo: float, hi: float, step: float
) -> forms.Field:
    widget = FastNumberInput(attrs={"min": f"{lo:g}", "max": f"{hi:g}", "step": f"{step:g}"})
    kind = forms.IntegerField if step == 1 else forms.FloatField
    return kind(
        label=label,
        help_text=help_text,
        initial=initial,
        min_value=lo,
        max_value=hi,
        widget=widget,
        required=False,
    )


class DeployForm(forms.Form):
    """The player's "start a deployment" controls: one engine ``deploy`` action, sent live.

    Field names are the engine's keys (``alarm.for_s`` for the alarm's), so an engine error such as
    ``action.canary_percent`` lands beside its field. Initial values are the engine's defaults
    (``normalize_deploy``); the alarm's are a starting point, the engine has none. Each parameter
    lists the strategies it applies to (``data-strategies``, the engine's ``PARAMETERS``); the
    page's script hides and disables the others.
    """

    prefix = "deploy"
    strategy = forms.ChoiceField(
        label=_("Strategy"),
        choices=DEPLOY_STRATEGIES,
        initial="rolling",
        widget=FastSelect,
        help_text=_("deploymentConfiguration.strategy"),
    )
    bake_time_min = _deploy_field(
        _("bake time (min)"),
        _("Blue and green both run this long after production reaches 100 % (bakeTimeInMinutes)."),
        0,
        0,
        1440,
        1,
    )
    step_percent = _deploy_field(
        _("step (%)"), _("Production traffic moved to green at each step."), 10.0, 3, 100, 0.1
    )
    step_bake_time_min = _deploy_field(
        _("step bake time (min)"), _("Wait between two linear steps."), 6, 0, 1440, 1
    )
    canary_percent = _deploy_field(
        _("canary (%)"), _("Production traffic green gets first."), 5.0, 0.1, 100, 0.1
    )
    canary_bake_time_min = _deploy_field(
        _("canary bake time (min)"),
        _("Wait before the rest of production moves to green."),
        10,
        0,
        1440,
        1,
    )
    alarm = forms.BooleanField(
        label=_("Roll back on an alarm"),
        required=False,
        widget=FastCheckboxInput,
        help_text=_("A CloudWatch alarm on green's error rate with rollback (model)."),
    )
    alarm_error_rate_percent = _deploy_field(
        _("alarm error rate above (%)"),
        _("Green's failed attempts, in percent."),
        10.0,
        0,
        100,
        0.1,
    )
    alarm_for_s = _deploy_field(
        _("alarm period (s)"), _("The window the error rate is computed over."), 30, 1, 3600, 1
    )

    #: The engine's strategies for each parameter (``deployments.PARAMETERS``); the alarm's fields
    #: go with ``alarm``.
    @staticmethod
    def strategies_for(name: str) -> tuple[str, ...]:
        from patterns.sim.deployments import PARAMETERS

        return PARAMETERS["alarm" if name.startswith("alarm") else name]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if name == "strategy":
                continue
            field.widget.attrs["data-strategies"] = " ".join(self.strategies_for(name))
            engine_key = f"alarm.{name[6:]}" if name.startswith("alarm_") else name
            field.widget.attrs["data-key"] = engine_key

    def rows(self) -> list[dict[str, Any]]:
        """The parameter rows the template draws, with the strategies each applies to."""
        return [
            {
                "field": self[name],
                "strategies": " ".join(self.strategies_for(name)),
                "key": self.fields[name].widget.attrs["data-key"],
            }
            for name in self.fields
            if name != "strategy"
        ]

    def action(self, service: str) -> dict[str, Any]:
        """The engine action these (valid) values ask for: what the page's script sends."""
        data = self.cleaned_data
        strategy = data["strategy"]
        action: dict[str, Any] = {"do": "deploy", "service": service}
        if strategy == "rolling":
            return action
        action["strategy"] = strategy
        for name in self.fields:
            if name in ("strategy", "alarm") or name.startswith("alarm_"):
                continue
            if strategy in self.strategies_for(name) and data.get(name) is not None:
                action[name] = data[name]
        if data.get("alarm"):
            action["alarm"] = {
                "error_rate_percent": data.get("alarm_error_rate_percent"),
                "for_s": data.get("alarm_for_s"),
            }
        return action


#: Why a pattern offers only rolling deployments (shown beside the disabled strategies).
DEPLOY_REFUSALS = {
    "service-discovery": _(
        "Only rolling under Service Discovery: ECS does no managed traffic shift for blue/green,"
        " linear or canary deployments with service discovery (Cloud Map DNS records)."
    ),
    "app-mesh": _(
        "Only rolling under App Mesh: App Mesh is retired since 2026-09-30 and ECS's blue/green,"
        " linear and canary deployments were never integrated with it."
    ),
}


def _live_instead(scenario: Any, pattern: str) -> dict[str, Any]:
    """An instant run over the server's instant-run budget (KUMOBEN_INSTANT_BUDGET_S, the
    estimate of ``patterns.sim.cost``; the API would refuse it) starts live instead, where the
    engine works as the clock plays, with a note that says why. Example: Stale DNS under all four
    patterns is 600 s of four simulations, about 6.7 s of engine time against a budget of 4 s."""
    estimate = work_estimate(scenario, patterns=len(PATTERNS) if pattern == ALL else 1)
    budget = settings.KUMOBEN_INSTANT_BUDGET_S
    if estimate <= budget:
        return {}
    note = gettext(
        "Playing live instead: at once, this run would take about %(estimate)s s of server "
        "time, more than the %(budget)s s an instant run may take. Live, the server works it "
        "out as it plays."
    ) % {"estimate": f"{estimate:.1f}", "budget": f"{budget:g}"}
    return {"start": "live", "note": note}
