from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatternsConfig(AppConfig):
    name = "patterns"
    verbose_name = _("Kumoben patterns")

    def ready(self) -> None:
        import kumoben.checks  # noqa: F401 - registers the classroom-mode deploy check
