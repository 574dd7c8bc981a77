"""The app's one field-error base class (defined beside the engine, which raises it too)."""

from patterns.sim.errors import FieldError

__all__ = ["FieldError"]
