"""The app's one field-error base class (defined beside the engine, which raises it too), and the
one place a refusal is put into the page's language.

The engine and the web layer refuse in English and keep it that way (logs, tests, the JSON API's
``reason``); every reason has a code: the engine's in :data:`patterns.sim.errors.REASONS`, the web
layer's (sockets, permalinks, playback limits, diagram tokens, the In AWS form) in
:data:`WEB_REASONS`. :func:`localized` finds the code and its parameters and says the same thing
with ``gettext``: the Japanese is in ``locale/ja``, with the template in ``%(name)s`` form as msgid.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext

from patterns.sim.errors import REASONS, FieldError, reason_code, split_key

__all__ = ["REASONS", "WEB_REASONS", "FieldError", "localized", "localized_frame", "msgid"]

#: Code -> English template of the reasons the web layer gives (same ``{name}`` slots).
WEB_REASONS: dict[str, str] = {
    # WebSocket frames (patterns/live.py and the consumers)
    "binary_frame": "binary frames are not accepted; send JSON text",
    "larger_than_bytes": "larger than {max} bytes",
    "not_json": "not valid JSON",
    "json_object": "expected a JSON object",
    "missing_string": "missing or not a string",
    "unknown_type": "unknown type {type}; expected one of {types}",
    "too_many_frames": "too many frames; slow down",
    "expected_whole": "expected a whole number from {lo} to {hi}",
    "expected_text_length": "expected a string of {lo} to {hi} characters",
    "expected_bool": "expected true or false",
    "only_students": "only students can do that",
    "only_instructor": "only the instructor can do that",
    "db_refused_command": "the database refused this command; nothing changed",
    "saved_room_reconnecting": "saved; the other screens get it once the room reconnects",
    "layer_unreachable": "the channel layer is unreachable; try again shortly",
    "number_from_to": "must be a number from {lo} to {hi}",
    "whole_from_to": "must be a whole number from {lo} to {hi}",
    "run_id": "must be the run id from the hello",
    "max_branches": "at most {max} branches a run",
    "start_first": "send a start frame first",
    "scenario_first": "start a scenario first",
    "engine_action": "expected an engine action such as {do: kill_task, ...}",
    # work budgets (patterns/live.py)
    "over_budget": (
        "this run would cost about {estimate} s of server time, over the limit of {budget} s a"
        " request ({setting}); shorten it, or lower its traffic or tasks"
    ),
    "engine_worker": "the engine's worker process stopped; try again",
    "runs_busy": "at most {max} runs at once from one address; try again when one has finished",
    "run_rate": (
        "more than {burst} runs at once or {rate} a minute from one address ({setting}); "
        "try again in a few seconds"
    ),
    # a room socket's ?sim= (what a reconnecting screen holds of the shared run)
    "resume_have": "expected <run>.<next frame>.<actions>, such as s12.340.1",
    # the playground's run (patterns/player/)
    "action_before_now": "an added action is before the current time {t}",
    "max_duration": "at most {max} s in the playground",
    "max_rps": "at most {max} requests/s in total",
    "max_tasks": "at most {max} tasks in total",
    "max_actions": "at most {max} actions a run",
    "more_actions": "more than {max} actions",
    "seconds": "must be a number of seconds",
    "an_object": "must be an object",
    "object_or_builtin": "must be an object or the name of a built-in scenario",
    "until_now": "must be between 0 and the current time {t}",
    "extend_log": "must extend the current log",
    "set_by_server_now": "is set by the server to the current time",
    "set_by_server_fork": "is set by the server to the fork time",
    "set_by_server": "is set by the server",
    "run_ended": "the run has ended",
    "max_requests": (
        "too long for this traffic: at most {max} requests per run"
        " (requests/s x seconds x patterns)"
    ),
    "unknown_scenario": "unknown built-in scenario {name}",
    "action_list": "must be a list of action objects",
    # permalinks and diagram tokens
    "holds_no_object": "does not hold a JSON object",
    "holds_no_json": "does not hold valid JSON",
    "no_json": "does not hold JSON",
    "expands_beyond": "expands beyond {max} bytes",
    "longer_than": "longer than {max} characters",
    "missing_object": "missing or not an object",
    "cut_short": "not a compressed run (it may have been cut short)",
    "not_base64": "not base64url text",
    "invalid_base64": "is not valid base64url",
    "base64_alphabet": "must be base64url (A-Z a-z 0-9 - _)",
    "not_zlib": "is not zlib-compressed data",
    "format_version": "unknown format version {version}",
    "self_call_topology": "a service does not call itself",
    "max_virtual_services": "at most {max} virtual services",
    "max_entries": "at most {max} entries, got {count}",
    "duplicate_az_plain": "duplicate AZ",
    "duplicate_task": "duplicate task {task}",
    "task_of": "must be '{service}-<n>'",
    "a_list": "must be a list",
    "az_name": "must be an AZ name such as ap-northeast-1a",
    "exact_keys": "must be an object with exactly {keys}",
    "service_azs": "must be one of the service's azs",
    "name_pattern": "must match [a-z][a-z0-9-]{0,39}",
    "topology_service": "must name a service of the topology",
    "weighted_target": "needs at least one weighted target",
    # the In AWS form (patterns/inaws/views.py)
    "scenario_required": "is required: a built-in scenario's name or JSON",
    "neither": "neither a built-in scenario ({names}) nor JSON",
    "a_json_object": "must be a JSON object",
    "pattern_or_all": "must be one of {choices} or {all}",
    "one_pattern": "name one pattern to download",
    # the diagram exports at the playhead (patterns/playground/exports.py)
    "permalink_required": "is required (the run's permalink)",
    "pattern_of_run": "must be one this run shows: {shown}",
    "at_in_run": "must be between 0 and {duration} seconds",
    "app_mesh_retired": "App Mesh reached end of support on 2026-09-30: nothing to apply",
    # JSON from the network (patterns/untrusted.py) and live logs (patterns/player/runs.py)
    "nested_deeper": "nested deeper than {max} levels",
    "json_constant": "{name} is not a number JSON allows",
    "lone_surrogate": "contains a lone surrogate (not a Unicode character)",
    "nul_character": "contains a NUL character",
    "not_utf8": "not valid UTF-8",
    "seconds_number": "missing or not a number of seconds",
    "json_action_list": "must be a JSON list of actions",
    "playhead_range": "must be from 0 to the run's {duration} s",
}

_ALL = {**REASONS, **WEB_REASONS}
_SLOT = re.compile(r"\{(\w+)\}")
# A parameter that is a number of four or more digits: said with grouping (1,000), as the page
# writes its limits; the English reason the engine keeps stays as it is ("at most 1000").
_LONG_NUMBER = re.compile(r"(-?)(\d{4,})(\.\d+)?")


def grouped(value: str) -> str:
    """``"1000"`` -> ``"1,000"``, ``"86400.5"`` -> ``"86,400.5"``; anything else as it is."""
    match = _LONG_NUMBER.fullmatch(value)
    if match is None:
        return value
    sign, whole, fraction = match.groups()
    return f"{sign}{int(whole):,}{fraction or ''}"


def msgid(code: str) -> str:
    """The gettext msgid of a code: its English template with ``%(name)s`` slots."""
    template = _ALL[code]
    if not _SLOT.search(template):
        return template
    return _SLOT.sub(r"%(\1)s", template.replace("%", "%%"))


def _say(reason: str) -> str | None:
    found = reason_code(reason, _ALL)
    if found is None:
        return None
    code, params = found
    text = gettext(msgid(code))
    return text % {k: grouped(v) for k, v in params.items()} if params else text


def localized(error: FieldError | str) -> str:
    """The error's reason in the active language.

    A reason the catalogues do not know (a text already translated where it was raised, such as
    the study sessions' own) is returned as it is. A reason that starts with a key or a JSON path
    (``"ttl_s: must be zero or more"``, the engine's settings objects and re-wrapped errors) keeps
    the key and says the rest.
    """
    reason = error.reason if isinstance(error, FieldError) else error
    said = _say(reason)
    if said is not None:
        return said
    key, rest = split_key(reason)
    if key:
        inner = localized(rest)
        if inner != rest:
            return gettext("%(key)s: %(reason)s") % {"key": key, "reason": inner}
    return reason


def localized_frame(error: FieldError) -> dict[str, Any]:
    """``error.as_frame()`` with the reason in the active language."""
    return {**error.as_frame(), "reason": localized(error)}


# Compile the templates now, not on a socket's first refusal (a flood is answered frame by frame).
reason_code("", _ALL)
