"""The Django form of a lab's settings, built from its LabField specs."""

from __future__ import annotations

from typing import Any

from django import forms

from patterns.errors import localized
from patterns.labs import checks as labs
from patterns.sim import ScenarioError


def _form_field(lab: labs.Lab, spec: labs.LabField, attempt_seed: int) -> forms.Field:
    if spec.choices:
        ordered = labs.choice_order(lab.slug, spec, attempt_seed)
        choices = [(value, str(label)) for value, label in ordered]
        if not spec.default:
            choices = [("", "—"), *choices]
        return forms.ChoiceField(label=spec.label, choices=choices, required=spec.required)
    if spec.integer:
        return forms.IntegerField(
            label=spec.label, min_value=int(spec.lo), max_value=int(spec.hi), required=spec.required
        )
    return forms.FloatField(
        label=spec.label, min_value=spec.lo, max_value=spec.hi, required=spec.required
    )


def lab_form(lab: labs.Lab, attempt_seed: int, data: Any = None) -> forms.Form:
    """The lab's form for one attempt: diagnosis choices in the order drawn for ``attempt_seed``."""
    form = forms.Form(data=data, initial=lab.defaults(), auto_id="lab-%s")
    for spec in lab.fields:
        form.fields[spec.name] = _form_field(lab, spec, attempt_seed)
    return form


def attach_engine_error(lab: labs.Lab, form: forms.Form, error: ScenarioError) -> None:
    """An engine rule (e.g. timeout below interval) goes beside the field that sets it."""
    target = next((f.name for f in lab.fields if f.setting and error.path == f.setting), None)
    form.add_error(target, localized(error))
