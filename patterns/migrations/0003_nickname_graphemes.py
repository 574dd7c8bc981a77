"""Nicknames are counted in characters as people count them (any emoji sequence is one), so the
column holds the worst case in code points (joining.NICKNAME_MAX_CODE_POINTS), and the unique key
is kept as its SHA-256 (joining.nickname_key_digest), a fixed 64 characters."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import migrations, models


def _digest_keys(apps: Any, schema_editor: Any) -> None:
    participants = apps.get_model("patterns", "Participant")
    for participant in participants.objects.only("pk", "nickname_key").iterator():
        key = participant.nickname_key
        if len(key) == 64 and all(c in "0123456789abcdef" for c in key):
            continue  # already a digest
        participant.nickname_key = hashlib.sha256(key.encode()).hexdigest()
        participant.save(update_fields=["nickname_key"])


class Migration(migrations.Migration):
    dependencies = [("patterns", "0002_progress")]

    operations = [
        migrations.AlterField(
            model_name="participant", name="nickname", field=models.CharField(max_length=320)
        ),
        migrations.RunPython(_digest_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="participant",
            name="nickname_key",
            field=models.CharField(editable=False, max_length=64),
        ),
    ]
