from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoverageConfig(AppConfig):
    name = "jaminan.coverage"
    label = "coverage"
    verbose_name = _("Cakupan")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jaminan.coverage import policies  # noqa: F401
