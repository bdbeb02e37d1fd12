from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "jaminan.accounts"
    label = "accounts"
    verbose_name = _("Akun, peran dan audit")

    def ready(self) -> None:
        from jaminan.accounts import policies, signals  # noqa: F401  (scope policies, login audit)
