"""Every number field of every lab carries HTML min/max, and a field that fills an engine setting
takes them from the engine's published range (``setting_bounds``), as the playground's form does:
the browser then refuses what the engine would refuse, and the lazy learner plays the extremes a
learner can really type. Which setting a field fills is found by building the lab's scenario with
the field changed, not from a list here, so a new field cannot slip past."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from patterns.labs import checks as labs
from patterns.labs.forms import lab_form
from patterns.sim.scenario import setting_bounds

pytestmark = pytest.mark.django_db

NUMBER_FIELDS = [
    pytest.param(lab.slug, spec.name, id=f"{lab.slug}.{spec.name}")
    for lab in labs.LABS.values()
    for spec in lab.fields
    if not spec.choices
]


def _flat(tree: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for key, value in tree.items():
        if isinstance(value, Mapping):
            yield from _flat(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _settings_filled_by(lab: labs.Lab, spec: labs.LabField) -> list[str]:
    """The scenario settings (component.key[.part]) that follow this field's value."""
    params = labs.draw_params(lab, 1)
    defaults = lab.defaults()
    filled = []
    values = [v for v in (spec.lo, spec.hi, (spec.lo + spec.hi) / 2) if v != defaults[spec.name]]
    builds = [lab.build({**defaults, spec.name: v}, params) for v in values[:2]]
    settings = [dict(_flat(b.get("settings", {}))) for b in builds]
    for path, first in settings[0].items():
        if first == values[0] and settings[1].get(path) == values[1]:
            filled.append(path)
    return filled


def _attrs(html: str, name: str) -> dict[str, str]:
    tag = re.search(rf'<input type="number" name="{name}"[^>]*>', html)
    assert tag is not None, name
    return dict(re.findall(r'(\w+)="([^"]*)"', tag.group(0)))


@pytest.mark.parametrize(("slug", "name"), NUMBER_FIELDS)
def test_every_lab_number_field_has_min_and_max_from_the_engine(slug: str, name: str) -> None:
    lab = labs.LABS[slug]
    spec = next(f for f in lab.fields if f.name == name)
    html = str(lab_form(lab, 1)[name])

    attrs = _attrs(html, name)

    assert float(attrs["min"]) == spec.lo and float(attrs["max"]) == spec.hi
    for path in _settings_filled_by(lab, spec):
        lo, hi, _whole = setting_bounds(path) or (None, None, None)
        assert (spec.lo, spec.hi) == (lo, hi), (path, (lo, hi))
        assert spec.setting in ("", f"settings.{path}")


def test_fields_are_found_filling_their_settings() -> None:
    """The search above finds what it should (else every lab would pass it vacuously)."""
    elb = labs.LABS["elb-dead-task"]
    interval = next(f for f in elb.fields if f.name == "interval_s")

    assert _settings_filled_by(elb, interval) == ["alb.health_check_interval_s"]
