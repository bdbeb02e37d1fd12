from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "jaminan.claims"
    label = "claims"
    verbose_name = _("Klaim")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jaminan.claims import policies  # noqa: F401
