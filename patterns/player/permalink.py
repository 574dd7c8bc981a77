"""Permalinks: a run's scenario, seed, pattern and live action log as one compact URL-safe token.

The engine is deterministic, so these four things are the whole run: opening the token replays it.
Encoding is canonical JSON (sorted keys, no spaces) -> zlib level 9 -> base64url without padding,
behind a one-character format version. Decoding checks sizes before each expensive step (the token's
length, then the inflated size, so a zip bomb stops at the cap) and validates the scenario and the log
with the engine's own ``load_scenario`` before anything is run. Pure: no Django.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from patterns import untrusted
from patterns.errors import FieldError
from patterns.sim import PATTERNS, ScenarioError, load_scenario

VERSION = "1"
MAX_TOKEN_CHARS = 8192
MAX_JSON_BYTES = 65536
MAX_LOG_ACTIONS = 500
PLAYGROUND_PATTERNS: tuple[str, ...] = (*PATTERNS, "all")
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]*$")


class PermalinkError(FieldError):
    """A token that cannot be opened; ``field`` names the part, ``reason`` says why."""


@dataclass(frozen=True)
class Permalink:
    scenario: dict[str, Any]
    seed: int
    pattern: str
    log: list[dict[str, Any]]


def canonical_json(data: Any) -> str:
    """One text for one value: sorted keys, no spaces, non-ASCII kept (it is compressed anyway)."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def encode(
    scenario: Mapping[str, Any], seed: int, pattern: str, log: Sequence[Mapping[str, Any]]
) -> str:
    """The token for a run; the same run always gives the same token."""
    body = {"scenario": dict(scenario), "seed": seed, "pattern": pattern, "log": list(log)}
    packed = zlib.compress(canonical_json(body).encode(), 9)
    return VERSION + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode(token: Any) -> Permalink:
    """Open a token; raises :class:`PermalinkError` naming the part that is wrong."""
    body = _unpack(token)
    scenario = body.get("scenario")
    if not isinstance(scenario, dict):
        raise PermalinkError("scenario", "missing or not an object")
    seed = body.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise PermalinkError("seed", "must be a whole number from 0 to 2**63 - 1")
    pattern = body.get("pattern")
    if pattern not in PLAYGROUND_PATTERNS:
        raise PermalinkError("pattern", f"must be one of {', '.join(PLAYGROUND_PATTERNS)}")
    log = body.get("log")
    if not isinstance(log, list) or not all(isinstance(a, dict) for a in log):
        raise PermalinkError("log", "must be a list of action objects")
    if len(log) > MAX_LOG_ACTIONS:
        raise PermalinkError("log", f"more than {MAX_LOG_ACTIONS} actions")
    validate_run(scenario, seed, pattern, log)
    return Permalink(scenario=scenario, seed=seed, pattern=pattern, log=log)


def validate_run(
    scenario: Mapping[str, Any], seed: int, pattern: str, log: Sequence[Mapping[str, Any]]
) -> None:
    """The engine's own validation of the scenario with the log replayed as its actions."""
    try:
        base = load_scenario(scenario)
        replay = [*log, *base.to_dict()["actions"]]
        base.with_overrides(
            pattern=None if pattern == "all" else pattern, seed=seed, actions=replay
        )
    except ScenarioError as error:
        raise PermalinkError(f"scenario.{error.path}", error.reason) from None


def _unpack(token: Any) -> dict[str, Any]:
    if not isinstance(token, str) or not token:
        raise PermalinkError("token", "missing or not a string")
    if len(token) > MAX_TOKEN_CHARS:
        raise PermalinkError("token", f"longer than {MAX_TOKEN_CHARS} characters")
    if token[0] != VERSION:
        raise PermalinkError("token", f"unknown format version {token[0]!r}")
    text = token[1:]
    if not _BASE64URL.match(text):
        raise PermalinkError("token", "not base64url text")
    try:
        packed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise PermalinkError("token", "not base64url text") from None
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(packed, MAX_JSON_BYTES)
    except zlib.error:
        raise PermalinkError("token", "not a compressed run (it may have been cut short)") from None
    if inflater.unconsumed_tail:
        raise PermalinkError("token", f"expands beyond {MAX_JSON_BYTES} bytes")
    if not inflater.eof:
        raise PermalinkError("token", "not a compressed run (it may have been cut short)")
    try:
        body = untrusted.load(raw)
    except untrusted.UntrustedJSON as refused:
        reason = "does not hold valid JSON" if str(refused) == "not valid JSON" else str(refused)
        raise PermalinkError("token", reason) from None
    if not isinstance(body, dict):
        raise PermalinkError("token", "does not hold a JSON object")
    return body
