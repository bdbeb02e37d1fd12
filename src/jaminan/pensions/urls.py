"""Pension screens, mounted at ``/pensiun/``."""

from django.urls import path

from jaminan.pensions import views

app_name = "pensions"

urlpatterns = [
    path("", views.pension_list, name="list"),
    path("<int:pension_id>/", views.pension_detail, name="detail"),
    path("<int:pension_id>/konfirmasi/", views.confirm, name="confirm"),
    path("pembayaran/", views.roll, name="roll"),
]
