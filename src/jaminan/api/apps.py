from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "jaminan.api"
    label = "api"
    verbose_name = "API"
