"""The app's models, filed with the feature each belongs to; Django finds them here."""

from __future__ import annotations

from patterns.progress.models import LearnerProgress
from patterns.sessions.models import (
    Answer,
    JoinAttempt,
    Participant,
    Poll,
    SessionCommand,
    StudySession,
)

__all__ = [
    "Answer",
    "JoinAttempt",
    "LearnerProgress",
    "Participant",
    "Poll",
    "SessionCommand",
    "StudySession",
]
