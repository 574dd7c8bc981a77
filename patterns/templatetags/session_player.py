"""The playground player embedded in a study session's pages (presenter and student room).

A tag rather than view context: the session views stay as they are.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from patterns.catalog import PATTERN_NAMES, scenario_title
from patterns.player.playback import PLAYGROUND_PATTERNS
from patterns.sim import BUILTIN_SCENARIOS

register = template.Library()


@register.simple_tag(takes_context=True)
def session_player(context: Any) -> SafeString:
    return render_to_string("player/_player.html", {}, request=context.get("request"))


@register.simple_tag
def sim_scenarios() -> list[dict[str, str]]:
    """Built-in scenarios the instructor can start: name and its title in the page's language."""
    return [{"name": name, "description": scenario_title(name)} for name in BUILTIN_SCENARIOS]


@register.simple_tag
def sim_patterns() -> list[dict[str, str]]:
    """The patterns a shared run can use: slug and the name a learner reads (the four side by
    side under "all")."""
    names = {**PATTERN_NAMES, "all": gettext("All four side by side")}
    return [{"slug": slug, "name": names[slug]} for slug in PLAYGROUND_PATTERNS]
