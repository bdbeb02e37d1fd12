from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JhtConfig(AppConfig):
    name = "jaminan.jht"
    label = "jht"
    verbose_name = _("Jaminan Hari Tua")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jaminan.jht import policies  # noqa: F401
