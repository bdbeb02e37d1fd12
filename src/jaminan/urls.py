from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from jaminan.api.api import api

admin.site.site_header = "jaminan"
admin.site.site_title = "jaminan"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("kepesertaan/", include("jaminan.registry.urls")),
    path("iuran/", include("jaminan.contributions.urls")),
    path("jht/", include("jaminan.jht.urls")),
    path("pensiun/", include("jaminan.pensions.urls")),
    path("klaim/", include("jaminan.claims.urls")),
    path("cakupan/", include("jaminan.coverage.urls")),
    path("", include("jaminan.web.urls")),
]
