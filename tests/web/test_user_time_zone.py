"""Times are shown in the user's own zone (WIB for Kalbar/Kalteng, WITA elsewhere); business dates
stay the institution's (WITA)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.template import Context, Template
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from jaminan.accounts.roles import Role
from jaminan.contributions import payments
from jaminan.geo.models import Office, Regency
from jaminan.geo.zones import institution_today
from jaminan.registry import services
from jaminan.web.middleware import UserTimeZoneMiddleware

# 16:30 UTC = 23:30 WIB on the 21st = 00:30 WITA on the 22nd.
LATE_EVENING = dt.datetime(2026, 11, 21, 16, 30, tzinfo=dt.UTC)
SHOWN = Template('{{ t|date:"d/m/Y H:i T" }}')


def _through_middleware(user: Any) -> dict[str, Any]:
    seen: dict[str, Any] = {}

    def view(request: HttpRequest) -> HttpResponse:
        seen["zone"] = timezone.get_current_timezone_name()
        seen["shown"] = SHOWN.render(Context({"t": LATE_EVENING}))
        seen["user_today"] = timezone.localdate()
        seen["institution_today"] = institution_today()
        return HttpResponse("ok")

    request = RequestFactory().get("/")
    request.user = user
    UserTimeZoneMiddleware(view)(request)
    return seen


@pytest.fixture
def late_evening(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: LATE_EVENING)


def test_pontianak_officer_sees_wib_and_the_zone_is_deactivated_after_the_request(
    make_user: Callable[..., Any], late_evening: None
) -> None:
    officer = make_user(
        Role.BRANCH_OFFICER, "petugas-ptk", office=Office.objects.get(code="KC-PONTIANAK")
    )
    seen = _through_middleware(officer)
    assert seen["zone"] == "Asia/Pontianak"
    assert seen["shown"] == "21/11/2026 23:30 WIB"
    assert timezone.get_current_timezone_name() == "Asia/Makassar"


def test_a_wib_user_at_2330_gets_the_institutions_date_for_business_rules(
    make_user: Callable[..., Any], late_evening: None
) -> None:
    officer = make_user(
        Role.BRANCH_OFFICER, "petugas-ptk", office=Office.objects.get(code="KC-PONTIANAK")
    )
    seen = _through_middleware(officer)
    assert seen["user_today"] == dt.date(2026, 11, 21)  # what the screen's clock says
    assert seen["institution_today"] == dt.date(2026, 11, 22)  # WITA's day: business rules
    timezone.activate(timezone.get_fixed_timezone(7 * 60))
    try:
        # A payment dated the institution's today is accepted even while WIB is active.
        assert payments.clean_paid_on(dt.date(2026, 11, 22)) == dt.date(2026, 11, 22)
    finally:
        timezone.deactivate()


def test_balikpapan_officer_sees_wita(make_user: Callable[..., Any], late_evening: None) -> None:
    officer = make_user(Role.BRANCH_OFFICER, "petugas-bpn")  # KC-BALIKPAPAN by default
    seen = _through_middleware(officer)
    assert seen["zone"] == "Asia/Makassar"
    assert seen["shown"] == "22/11/2026 00:30 WITA"


def test_regional_staff_and_anonymous_users_see_wita(
    make_user: Callable[..., Any], late_evening: None
) -> None:
    analyst = make_user(Role.REGIONAL_ANALYST, "analis")
    assert _through_middleware(analyst)["shown"] == "22/11/2026 00:30 WITA"
    assert _through_middleware(AnonymousUser())["shown"] == "22/11/2026 00:30 WITA"


def test_an_employer_user_sees_the_zone_of_its_employers_regency(
    make_user: Callable[..., Any], late_evening: None
) -> None:
    employer = services.register_employer(
        name="PT Khatulistiwa",
        legal_form="PT",
        kbli="41011",
        size_class="medium",
        risk_group=2,
        regency=Regency.objects.get(code="61.71"),  # Kota Pontianak
        registered_on=dt.date(2020, 1, 1),
    )
    user = make_user(Role.EMPLOYER_USER, "pk-ptk", employer_npp=employer.npp)
    assert _through_middleware(user)["zone"] == "Asia/Pontianak"
    # The binding changes: the next request follows it.
    user.scope.employer_npp = "TIDAK-ADA"
    user.scope.save()
    assert _through_middleware(user)["zone"] == "Asia/Makassar"


def test_pages_label_times_with_the_users_zone(client: Any, make_user: Callable[..., Any]) -> None:
    officer = make_user(
        Role.BRANCH_OFFICER, "petugas-ptk", office=Office.objects.get(code="KC-PONTIANAK")
    )
    client.force_login(officer)
    page = client.get("/").content.decode()
    assert 'data-zone="WIB"' in page
    client.force_login(make_user(Role.BRANCH_OFFICER, "petugas-bpn"))
    assert 'data-zone="WITA"' in client.get("/").content.decode()
    client.logout()
    assert 'data-zone="WITA"' in client.get(reverse("login")).content.decode()


def test_a_bearer_token_call_sees_the_users_zone(
    make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    """The zone middleware runs before the token is read: the API's token authentication activates
    the token user's zone (a Pontianak officer's API message says WIB) and it is gone after."""
    from jaminan.contributions import reversals
    from tests.contributions.test_payments import bill_month, employer_payer, make_employer, pay

    officer = make_user(
        Role.BRANCH_OFFICER, "petugas-ptk", office=Office.objects.get(code="KC-PONTIANAK")
    )
    payer = employer_payer(make_employer("61.71"))  # Kota Pontianak, WIB
    bill = bill_month(payer, dt.date(2026, 1, 1))
    payment = pay(payer, "PTK-1", bill.amount, dt.date(2026, 2, 10))
    reversals.reverse_payment(payment=payment, reason="Transfer ditolak", actor=officer)
    body = {
        "payer": payer.virtual_account,
        "reference": "PTK-1",
        "amount": bill.amount,
        "paid_on": "2026-02-10",
    }
    answer = Client().post(
        "/api/v1/payments",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(officer)}",
    )
    assert answer.status_code == 409, answer.json()
    assert answer.json()["code"] == "already_reversed"
    assert answer.json()["message"].endswith(" WIB."), answer.json()["message"]
    assert timezone.get_current_timezone_name() == "Asia/Makassar"
