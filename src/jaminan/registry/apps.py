from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "jaminan.registry"
    label = "registry"
    verbose_name = _("Kepesertaan")

    def ready(self) -> None:
        from jaminan.registry import policies  # noqa: F401
