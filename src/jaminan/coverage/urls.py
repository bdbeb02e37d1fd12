"""Coverage screens, mounted at ``/cakupan/``."""

from django.urls import path

from jaminan.coverage import views

app_name = "coverage"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("peta/", views.map_page, name="map"),
    path("peta/batas.geojson", views.boundaries, name="boundaries"),
    path("peta/data.json", views.map_data, name="map_data"),
    path("rekonsiliasi/", views.reconciliation_page, name="reconciliation"),
    path("kepatuhan/", views.compliance_page, name="compliance"),
    path("kepatuhan/<slug:name>.<str:fmt>", views.compliance_export, name="compliance_export"),
    path("perencana/", views.planner_page, name="planner"),
    path("laporan.<str:fmt>", views.report_download, name="report"),
]
