from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PensionsConfig(AppConfig):
    name = "jaminan.pensions"
    label = "pensions"
    verbose_name = _("Jaminan Pensiun")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jaminan.pensions import policies  # noqa: F401
