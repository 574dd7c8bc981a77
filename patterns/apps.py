from __future__ import annotations

from django.apps import AppConfig


class PatternsConfig(AppConfig):
    name = "patterns"
    verbose_name = "Kumoben patterns"

    def ready(self) -> None:
        import kumoben.checks  # noqa: F401 - registers the classroom-mode deploy check
