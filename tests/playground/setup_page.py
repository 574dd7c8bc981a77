"""The playground's setup form as a browser sends it: the pairs a page's form submits, a post to
the setup view, and the reasons its answer shows beside each field (shared by the setup tests)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

from django.test import Client

TOKEN = "b" * 32  # a CSRF secret: the cookie and the header carry the same value
SETUP = "/playground/setup"


class _FormValues(HTMLParser):
    """The (name, value) pairs a browser submits for ``#setup`` (templates' rows left out), from
    the page or from the setup view's answer."""

    def __init__(self) -> None:
        super().__init__()
        self.pairs: list[tuple[str, str]] = []
        self._in_form = False
        self._in_template = 0
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if a.get("id") in ("setup", "setup-fields"):  # the page's form, or the view's answer
            self._in_form = True
        if not self._in_form:
            return
        if tag == "template":
            self._in_template += 1
        if self._in_template:
            return
        if tag == "input" and "name" in a:
            kind = a.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in a:
                return
            default = "on" if kind in ("radio", "checkbox") else ""
            self.pairs.append((a["name"], a.get("value", default)))
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select:
            self._options.append((a.get("value", ""), "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "template" and self._in_template:
            self._in_template -= 1
        elif tag == "select" and self._select:
            chosen = [v for v, selected in self._options if selected] or [self._options[0][0]]
            self.pairs.append((self._select, chosen[0]))
            self._select = None
        elif tag == "form":
            self._in_form = False


def form_values(html: str) -> dict[str, Any]:
    """Each name's value; a name sent more than once (a row's AZ boxes) holds the list."""
    parser = _FormValues()
    parser.feed(html)
    values: dict[str, Any] = {}
    for name, value in parser.pairs:
        if name in values:
            kept = values[name]
            values[name] = [*kept, value] if isinstance(kept, list) else [kept, value]
        else:
            values[name] = value
    return values


def post(client: Client, data: dict[str, Any], lang: str = "en") -> str:
    response = client.post(
        SETUP, data, HTTP_X_CSRFTOKEN=TOKEN, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE=lang
    )
    assert response.status_code == 200
    return response.content.decode()


def the_run(html: str) -> Any:
    match = re.search(r'<script id="setup-run" type="application/json">(.*?)</script>', html, re.S)
    return json.loads(match.group(1)) if match else None


def error_beside(html: str, name: str) -> str | None:
    """The reason shown in the error slot of the field ``name`` (None when the slot is hidden)."""
    match = re.search(
        rf'<p class="field__error"[^>]*data-error-for="{re.escape(name)}"([^>]*)>(.*?)</p>',
        html,
        re.S,
    )
    assert match, f"no error slot for {name}"
    return None if "hidden" in match.group(1) else match.group(2)


def shown_errors(html: str) -> dict[str, Any]:
    return {
        m.group(1): m.group(3)
        for m in re.finditer(
            r'<p class="field__error"[^>]*data-error-for="([^"]+)"([^>]*)>(.*?)</p>', html, re.S
        )
        if "hidden" not in m.group(2)
    }
