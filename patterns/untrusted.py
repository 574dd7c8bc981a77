"""JSON from the network, parsed so that what comes out is safe for every layer behind it.

``json.loads`` alone lets through what later breaks a request or a socket (review D7): nesting
deep enough to raise RecursionError, ``NaN``/``Infinity`` (PostgreSQL's json type refuses them),
lone surrogates (``"\\ud800"`` cannot be encoded as UTF-8) and NUL characters (PostgreSQL text
refuses them). ``load`` refuses all of these with a reason a client can act on; callers turn the
``UntrustedJSON`` error into their own field error (``frame`` on a socket, ``body`` over HTTP).
"""

from __future__ import annotations

import json
from typing import Any

MAX_DEPTH = 32


class UntrustedJSON(ValueError):
    """Refused JSON; ``str(error)`` says why."""


def _refuse_constant(name: str) -> Any:
    raise UntrustedJSON(f"{name} is not a number JSON allows")


def _check_string(text: str) -> None:
    if "\x00" in text:
        raise UntrustedJSON("contains a NUL character")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise UntrustedJSON("contains a lone surrogate (not a Unicode character)") from None


def load(text: str | bytes) -> Any:
    """Parse ``text`` or raise ``UntrustedJSON`` naming what is wrong with it."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError:
            raise UntrustedJSON("not valid UTF-8") from None
    try:
        data = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:
        raise UntrustedJSON(f"nested deeper than {MAX_DEPTH} levels") from None
    except UntrustedJSON:
        raise
    except ValueError:
        raise UntrustedJSON("not valid JSON") from None
    # Walk without recursion: depth, keys and strings.
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            _check_string(value)
        elif isinstance(value, (dict, list)):
            if depth > MAX_DEPTH:
                raise UntrustedJSON(f"nested deeper than {MAX_DEPTH} levels")
            if isinstance(value, dict):
                for key, item in value.items():
                    _check_string(key)
                    stack.append((item, depth + 1))
            else:
                stack.extend((item, depth + 1) for item in value)
    return data
