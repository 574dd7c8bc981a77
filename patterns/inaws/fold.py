"""The run at the playhead: a scenario's actions (and a live run's log) folded up to ``at``.

``fold(scenario, at)`` answers the scenario the configuration is generated from and one
:class:`Step` per action. An action at or before ``at`` is applied: ``set``, ``scale``,
``add_service`` and ``deploy`` change what the configuration shows (the setting's value, a
service's ``desiredCount``, a new service, a deployment strategy); faults and rollbacks change
nothing in it and are told as what AWS would show; a ``set`` on a value AWS fixes is a what-if,
applied to the simulation's value (its comment says so) but never a field. Actions after ``at``
are listed as later in the run and change nothing.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, replace
from typing import Any

from patterns.sim import Scenario
from patterns.sim.scenario import CLIENT, FIXED, MODEL, PATTERN_COMPONENTS, SETTABLE, SETTINGS

from . import texts
from .generate import STRATEGY_API

#: What kind of thing each action is, for the panel's marks: a field of the configuration, an
#: event AWS would show, a what-if on a value AWS fixes, the caller's own code, the simulation's
#: model, a setting the pattern does not read.
FIELD, EVENT, WHAT_IF, OWN_CODE, MODEL_ONLY, UNUSED = (
    "field",
    "event",
    "what_if",
    "client",
    "model",
    "unused",
)
CONFIGURATION = ("set", "scale", "deploy", "add_service")


@dataclass(frozen=True)
class Step:
    """One action of the run as the panel tells it: ``kind`` (one of the six above),
    ``later`` when it is after the playhead, the sentence and its public source."""

    at_s: float
    do: str
    kind: str
    text: str
    source: str
    later: bool
    metrics: str = ""
    metrics_source: str = ""


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def _set_step(action: dict[str, Any], pattern: str, lang: str) -> tuple[str, str, str]:
    """(kind, text, source) of a ``set``."""
    setting = action["setting"]
    component, _, key = setting.partition(".")
    values = {"setting": setting, "value": _plain(action["value"])}
    spec = SETTINGS[component][key]
    entry = spec.in_aws(pattern) if component in PATTERN_COMPONENTS[pattern] else None
    if entry is None:
        return UNUSED, texts.UNUSED.say(lang, **values), ""
    if entry.kind == SETTABLE:
        api = entry.api.split("; ")[0]
        return (
            FIELD,
            texts.FIELDS["set"].say(lang, api=api, **values),
            texts.field_source(entry.api),
        )
    if entry.kind == FIXED:
        why = texts.fixed_text(setting, pattern)
        text = texts.WHAT_IF.say(lang, default=_plain(spec.default), why=why.say(lang), **values)
        return WHAT_IF, text, why.source
    if entry.kind == CLIENT:
        return OWN_CODE, texts.CLIENT.say(lang, **values), texts.CLIENT.source
    assert entry.kind == MODEL
    return MODEL_ONLY, texts.MODEL.say(lang, **values), texts.MODEL.source


def _explain(action: dict[str, Any], pattern: str, lang: str) -> Step:
    do = action["do"]
    at_s = float(action["at_s"])
    if do == "set":
        kind, text, source = _set_step(action, pattern, lang)
        return Step(at_s, do, kind, text, source, False)
    if do == "scale":
        text = texts.FIELDS["scale"].say(lang, service=action["service"], count=action["count"])
        return Step(at_s, do, FIELD, text, texts.FIELDS["scale"].source, False)
    if do == "deploy":
        strategy = action.get("strategy", "rolling")
        text = texts.FIELDS["deploy"].say(
            lang,
            service=action["service"],
            strategy=strategy,
            api_strategy=STRATEGY_API[strategy],
        )
        return Step(at_s, do, FIELD, text, texts.FIELDS["deploy"].source, False)
    if do == "add_service":
        service = action["service"]
        text = texts.FIELDS["add_service"].say(
            lang, service=service["name"], count=service["tasks"]
        )
        return Step(at_s, do, FIELD, text, texts.FIELDS["add_service"].source, False)
    event = texts.EVENTS[do]
    values = {k: _plain(v) for k, v in action.items() if k not in ("at_s", "do")}
    if "delay_ms" in values:  # grouped as the page writes numbers: 19,000
        delay = float(action["delay_ms"])
        values["delay_ms"] = f"{int(delay):,}" if delay.is_integer() else f"{delay:,}"
    metrics = texts.metrics(pattern, do, lang)
    return Step(
        at_s,
        do,
        EVENT,
        event.say(lang, **values),
        event.source,
        False,
        metrics,
        texts.METRICS_SOURCES[pattern] if metrics else "",
    )


def _apply(folded: dict[str, Any], action: dict[str, Any]) -> None:
    """Change the scenario the configuration is generated from, for a configuration action."""
    do = action["do"]
    if do == "set":
        component, _, key = action["setting"].partition(".")
        folded["settings"][component][key] = copy.deepcopy(action["value"])
    elif do == "scale":
        for service in folded["services"]:
            if service["name"] == action["service"]:
                service["tasks"] = action["count"]
    elif do == "add_service":
        folded["services"].append(copy.deepcopy(action["service"]))
        folded["traffic"].extend(copy.deepcopy(action["traffic"]))
    elif do == "deploy":
        folded["actions"].append(copy.deepcopy(action))


def fold(scenario: Scenario, at: float, lang: str = "en") -> tuple[dict[str, Any], list[Step]]:
    """The scenario as it stands at ``at`` (for :func:`patterns.inaws.generate.generate`) and
    every action of the run, applied or later, in time order."""
    folded = scenario.to_dict()
    folded["actions"] = []
    steps: list[Step] = []
    for action in scenario.actions:
        step = _explain(action, scenario.pattern, lang)
        if action["at_s"] > at:
            steps.append(replace(step, later=True))
            continue
        _apply(folded, action)
        steps.append(step)
    return folded, steps
