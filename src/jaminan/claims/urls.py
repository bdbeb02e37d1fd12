"""Claims screens, mounted at ``/klaim/``."""

from django.urls import path

from jaminan.claims import views

app_name = "claims"

urlpatterns = [
    path("", views.worklist, name="worklist"),
    path("baru/", views.claim_create, name="create"),
    path("<int:claim_id>/", views.claim_detail, name="detail"),
    path("<int:claim_id>/<slug:action>/", views.claim_action, name="action"),
]
