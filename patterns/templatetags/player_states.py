"""What the player partial shows that is the same on every page: the badge table and the legend
(both from STATES) and the speeds (``catalog.SPEEDS``).

Tags rather than view context: the playground, lessons, labs and study sessions all include the
player partial, and each gets the same values without its view knowing about them.
"""

from __future__ import annotations

from django import template

from patterns.catalog import SPEEDS
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


@register.simple_tag
def player_speeds() -> tuple[str, ...]:
    """The player's speeds, slowest first, as written on its buttons and in the presenter's select."""
    return SPEEDS
