"""The admin: instructors are users with the "Can run instructor-led study sessions" permission
(give it here, or with `manage.py createinstructor`); sessions are read mostly as records."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from patterns.sessions.models import Answer, Participant, Poll, SessionCommand, StudySession


class ParticipantInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Participant
    fields = ("nickname", "joined_at", "last_seen", "online", "following")
    readonly_fields = ("nickname", "joined_at", "last_seen", "online", "following")
    extra = 0
    can_delete = True


class PollInline(admin.TabularInline):  # type: ignore[type-arg]
    model = Poll
    fields = ("number", "kind", "prompt", "state", "scored")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(StudySession)
class StudySessionAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("title", "join_code", "owner", "created_at", "expires_at", "ended_at")
    list_filter = ("ended_at",)
    search_fields = ("title", "code", "owner__username")
    readonly_fields = ("public_id", "code", "created_at", "state", "last_seq")
    inlines = [ParticipantInline, PollInline]

    @admin.display(description=_("join code"), ordering="code")
    def join_code(self, session: StudySession) -> str:
        return session.display_code


@admin.register(SessionCommand)
class SessionCommandAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("session", "seq", "kind", "at", "vt")
    list_filter = ("kind",)
    readonly_fields = ("session", "seq", "kind", "at", "vt", "payload")


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("session", "number", "kind", "prompt", "state", "scored")


@admin.register(Answer)
class AnswerAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("poll", "participant", "choice", "value", "answered_at", "changes")
