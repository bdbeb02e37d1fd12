from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "jaminan.contributions"
    label = "contributions"
    verbose_name = _("Iuran")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jaminan.contributions import policies  # noqa: F401
