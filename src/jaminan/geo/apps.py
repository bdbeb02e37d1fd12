from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "jaminan.geo"
    label = "geo"
    verbose_name = _("Wilayah dan kantor")

    def ready(self) -> None:
        from jaminan.geo import policies  # noqa: F401
