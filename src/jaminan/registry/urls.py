"""Registry screens, mounted at ``/kepesertaan/``."""

from django.urls import path, register_converter

from jaminan.registry import views


class DigitsConverter:
    length = 0
    regex = ""

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return str(value)


class KpjConverter(DigitsConverter):
    regex = "[0-9]{11}"


class NppConverter(DigitsConverter):
    regex = "[0-9]{8}"


register_converter(KpjConverter, "kpj")
register_converter(NppConverter, "npp")

app_name = "registry"

urlpatterns = [
    path("", views.search, name="search"),
    path("peserta/<kpj:kpj>/", views.person, name="person"),
    path(
        "peserta/<kpj:kpj>/kepesertaan/<int:membership_id>/akhiri/",
        views.membership_end,
        name="membership-end",
    ),
    path(
        "peserta/<kpj:kpj>/kepesertaan/<int:membership_id>/upah/",
        views.wage_report,
        name="wage-report",
    ),
    path("peserta/<kpj:kpj>/tanggungan/baru/", views.dependant_create, name="dependant-create"),
    path("bpu/baru/", views.bpu_worker_create, name="bpu-create"),
    path("pmi/baru/", views.pmi_worker_create, name="pmi-create"),
    path("pemberi-kerja/baru/", views.employer_create, name="employer-create"),
    path("pemberi-kerja/<npp:npp>/", views.employer, name="employer"),
    path("pemberi-kerja/<npp:npp>/pekerja/baru/", views.pu_worker_create, name="pu-create"),
    path("pemberi-kerja/<npp:npp>/proyek/baru/", views.project_create, name="project-create"),
    path("pemberi-kerja/<npp:npp>/impor/", views.import_workers, name="import"),
    path(
        "pemberi-kerja/<npp:npp>/impor/templat.<str:fmt>",
        views.import_template,
        name="import-template",
    ),
    path(
        "pemberi-kerja/<npp:npp>/impor/laporan/<uuid:report_id>.<str:fmt>",
        views.import_report,
        name="import-report",
    ),
    path("validasi/<str:form_name>/", views.validate, name="validate"),
    path("validasi/<str:form_name>/<npp:npp>/", views.validate, name="validate-employer"),
    path(
        "validasi/<str:form_name>/kepesertaan/<int:membership_id>/",
        views.validate,
        name="validate-membership",
    ),
]
