"""Study sessions: the session, its participants, its timed command log, polls and answers.

The command log is the source of truth for a live session: every instructor command is a row, in
order, so any server process (or the same one after a restart) can rebuild the room's state by
folding the log (`patterns.sessions.log.fold`). `StudySession.state` is that fold cached on the row,
written in the same transaction as the command, so a reconnecting client reads one row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StudySession(models.Model):
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="study_sessions",
        verbose_name=_("instructor"),
    )
    public_id = models.CharField(_("public id"), max_length=24, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=120)
    lesson_slug = models.SlugField(_("lesson"), max_length=80, blank=True)
    # Stored without the dash: "K7P4QM". Unique only among sessions that have not ended, so
    # codes of finished sessions can be handed out again.
    code = models.CharField(_("join code"), max_length=6, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    state = models.JSONField(_("state"), default=dict, editable=False)
    last_seq = models.PositiveIntegerField(_("last command number"), default=0, editable=False)

    class Meta:
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        ordering = ["-created_at"]
        permissions = [("run_study_sessions", "Can run instructor-led study sessions")]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(ended_at__isnull=True), name="live_session_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.display_code})"

    @property
    def display_code(self) -> str:
        return f"{self.code[:3]}-{self.code[3:]}"

    def is_live(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.ended_at is None and now < self.expires_at


class Participant(models.Model):
    session = models.ForeignKey(
        StudySession,
        on_delete=models.CASCADE,
        related_name="participants",
        verbose_name=_("study session"),
    )
    # At most 20 characters of at most 16 code points each (joining.NICKNAME_MAX_CODE_POINTS).
    nickname = models.CharField(_("nickname"), max_length=320)
    # SHA-256 of NFKC + casefold of the nickname: "Ａｙａ" and "aya" collide, as a class would
    # expect (joining.nickname_key_digest).
    nickname_key = models.CharField(max_length=64, editable=False)
    # SHA-256 of the bearer token kept in the student's Django session; the token itself is
    # never stored, so a database leak does not let anyone speak as a student.
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    joined_at = models.DateTimeField(_("joined at"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), null=True, blank=True)
    online = models.BooleanField(_("online"), default=False)
    # Open sockets of this participant on every process (two tabs count two): closing one of
    # them leaves the student online. A process killed without a clean disconnect leaves its
    # count behind; lobby() also needs a fresh last_seen, so that student goes offline anyway.
    connections = models.PositiveIntegerField(_("open connections"), default=0)
    following = models.BooleanField(_("following"), default=True)
    # Set when the instructor removes the participant (a "remove" command of the log, written in
    # the same transaction): their token no longer admits them. The nickname stays taken, so a
    # removed prankster cannot come back under the same name, and the report keeps their answers.
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "nickname_key"], name="nickname_unique_in_session"
            )
        ]

    def __str__(self) -> str:
        return self.nickname


class SessionCommand(models.Model):
    """One instructor command, in order. `vt` is the shared simulation's virtual time."""

    session = models.ForeignKey(
        StudySession,
        on_delete=models.CASCADE,
        related_name="commands",
        verbose_name=_("study session"),
    )
    seq = models.PositiveIntegerField(_("number"))
    at = models.DateTimeField(_("at"), default=timezone.now)
    vt = models.FloatField(_("simulation time (s)"), default=0.0)
    kind = models.CharField(_("kind"), max_length=24)
    payload = models.JSONField(_("payload"), default=dict)

    class Meta:
        verbose_name = _("session command")
        verbose_name_plural = _("session commands")
        ordering = ["session", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["session", "seq"], name="command_seq_unique")
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.kind}"


class Poll(models.Model):
    CHOICE = "choice"
    NUMERIC = "numeric"
    KINDS = [(CHOICE, _("Multiple choice")), (NUMERIC, _("Number"))]
    OPEN = "open"
    REVEALED = "revealed"
    STATES = [(OPEN, _("Open")), (REVEALED, _("Revealed"))]

    session = models.ForeignKey(
        StudySession,
        on_delete=models.CASCADE,
        related_name="polls",
        verbose_name=_("study session"),
    )
    number = models.PositiveIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=8, choices=KINDS)
    prompt = models.CharField(_("question"), max_length=300)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    # For CHOICE the index of the right choice, for NUMERIC the right value; null: no right answer.
    correct = models.FloatField(_("right answer"), null=True, blank=True)
    tolerance = models.FloatField(_("tolerance"), default=0.0)
    unit = models.CharField(_("unit"), max_length=12, blank=True)
    scored = models.BooleanField(_("scored"), default=False)
    state = models.CharField(_("state"), max_length=8, choices=STATES, default=OPEN)
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    revealed_at = models.DateTimeField(_("revealed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["session", "number"]
        constraints = [
            models.UniqueConstraint(fields=["session", "number"], name="poll_number_unique")
        ]

    def __str__(self) -> str:
        return f"Q{self.number}: {self.prompt[:40]}"

    def is_correct(self, choice: int | None, value: float | None) -> bool | None:
        if self.correct is None:
            return None
        if self.kind == self.CHOICE:
            return choice is not None and choice == int(self.correct)
        return value is not None and abs(value - self.correct) <= self.tolerance


class Answer(models.Model):
    poll = models.ForeignKey(
        Poll, on_delete=models.CASCADE, related_name="answers", verbose_name=_("poll")
    )
    participant = models.ForeignKey(
        Participant, on_delete=models.CASCADE, related_name="answers", verbose_name=_("participant")
    )
    choice = models.PositiveSmallIntegerField(_("choice"), null=True, blank=True)
    value = models.FloatField(_("number answered"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), default=timezone.now)
    changes = models.PositiveSmallIntegerField(_("changes"), default=0)

    class Meta:
        verbose_name = pgettext_lazy("model", "answer")
        verbose_name_plural = pgettext_lazy("model", "answers")
        ordering = ["poll", "answered_at"]
        constraints = [
            models.UniqueConstraint(fields=["poll", "participant"], name="one_answer_per_poll")
        ]

    def __str__(self) -> str:
        return f"{self.participant}: {self.choice if self.choice is not None else self.value}"


class JoinAttempt(models.Model):
    """Failed and successful joins, for throttling guesses across every server process."""

    ip = models.GenericIPAddressField()
    session = models.ForeignKey(
        StudySession, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    ok = models.BooleanField(default=False)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["ip", "at"]), models.Index(fields=["session", "at"])]

    def __str__(self) -> str:
        return f"{self.ip} {'ok' if self.ok else 'failed'} {self.at:%H:%M:%S}"


class Receipt(models.Model):
    """A request a screen numbered itself (review D13): an instructor command or a student's
    answer, by the id the browser gave it. A screen that lost its connection before the reply
    sends the request again with the same id; finding the receipt, the room replies with the
    original result instead of doing it twice, whichever server process the screen reaches."""

    session = models.ForeignKey(StudySession, on_delete=models.CASCADE, related_name="+")
    client_id = models.CharField(max_length=40)
    # The student who sent it; null: the instructor's console or projector.
    participant = models.ForeignKey(
        Participant, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=24)
    result = models.JSONField(default=dict)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "client_id"], name="receipt_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id}"
