from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patterns", "0006_receipts"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="removed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="removed at"),
        ),
    ]
