"""Contributions screens, mounted at ``/iuran/``: each area keeps its own patterns."""

from jaminan.contributions import views_billing, views_payments, views_sponsors

app_name = "contributions"

urlpatterns = [
    *views_billing.urlpatterns,
    *views_payments.urlpatterns,
    *views_sponsors.urlpatterns,
]
