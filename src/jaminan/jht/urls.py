"""JHT screens, mounted at ``/jht/``."""

from django.urls import path

from jaminan.jht import views
from jaminan.registry import urls as registry_urls  # noqa: F401  (registers the "kpj" converter)

app_name = "jht"

urlpatterns = [
    path("", views.index, name="index"),
    path("<kpj:kpj>/", views.statement, name="statement"),
    path("<kpj:kpj>/pdf/", views.statement_pdf, name="statement_pdf"),
]
