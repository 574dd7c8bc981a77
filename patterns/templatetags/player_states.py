"""The diagram states for templates: the player's badge table and the legend, both from STATES.

Tags rather than view context: the playground, lessons, labs and study sessions all include the
player partial, and each gets the same table without its view knowing about it.
"""

from __future__ import annotations

from django import template

from patterns.player.states import STATES, State, badge_table

register = template.Library()


@register.simple_tag
def state_badges() -> list[dict[str, str]]:
    """``{state, badge}`` for each state class, most severe first, for the player's script (via
    json_script)."""
    return [{"state": name, "badge": badge} for name, badge in badge_table()]


@register.simple_tag
def diagram_states() -> tuple[State, ...]:
    """Every state a diagram element can show, in legend order."""
    return STATES
