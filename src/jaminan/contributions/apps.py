from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContributionsConfig(AppConfig):
    name = "jaminan.contributions"
    label = "contributions"
    verbose_name = _("Iuran")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from jaminan.contributions import policies  # noqa: F401
        from jaminan.contributions.person_panel import arrears_panel
        from jaminan.registry import panels

        panels.register("contributions.arrears", arrears_panel)
