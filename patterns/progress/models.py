"""Progress of signed-in learners (anonymous learners keep theirs in the session)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import models
from django.dispatch import receiver
from django.utils import timezone


class LearnerProgress(models.Model):
    """One row a user: their lab seed and their progress record (see patterns.progress.records)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_progress"
    )
    seed = models.PositiveIntegerField()
    record = models.JSONField(default=dict)
    updated_at = models.DateTimeField(default=timezone.now)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.updated_at = timezone.now()
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return f"progress of {self.user}"


@receiver(user_logged_in, dispatch_uid="kumoben-merge-progress")
def merge_session_progress(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Fold what the learner did before signing in into their saved progress, then forget it."""
    from patterns.progress import records as progress

    if request is None or not hasattr(request, "session"):
        return
    anonymous = request.session.pop(progress.SESSION_KEY, None)
    seed = request.session.get(progress.SEED_KEY)  # a first sign-in keeps the lab numbers seen
    row, _created = LearnerProgress.objects.get_or_create(
        user=user,
        defaults={
            "seed": seed if isinstance(seed, int) else progress.new_seed(),
            "record": progress.empty(),
        },
    )
    if anonymous:
        row.record = progress.merge(row.record, anonymous)
        row.save()
