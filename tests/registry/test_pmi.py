"""PMI registration with the optional JHT amount per month: service, form, API, person page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.geo.models import Regency
from jaminan.registry import services
from jaminan.registry.errors import InvalidValue, ProgramRuleViolation, RegistryError
from jaminan.registry.models import Membership, Person
from jaminan.rules import parameters
from tests.registry.conftest import make_nik

pytestmark = pytest.mark.django_db

#: What the rules allow from 22 Feb 2023 (parameter pmi.jht_options), as the message lists them.
OPTIONS_MESSAGE = (
    "Iuran JHT per bulan PMI harus salah satu dari: Rp50.000, Rp100.000, Rp200.000, Rp300.000, "
    "Rp400.000, Rp500.000, Rp600.000."
)
WITH_JHT = ["JKK", "JKM", "JHT"]


def register(facts: Any, regency: Regency, **extra: Any) -> Membership:
    return services.register_pmi_worker(
        **{
            "person": facts(regency=regency),
            "destination": "Malaysia",
            "contract_months": 24,
            "start_date": date(2026, 2, 1),
            "registered_on": date(2026, 2, 3),
            **extra,
        }
    )


def refused(facts: Any, regency: Regency, **extra: Any) -> RegistryError:
    persons = Person.objects.count()
    with pytest.raises(RegistryError) as exc:
        register(facts, regency, **extra)
    assert Person.objects.count() == persons and not Membership.objects.exists()  # nothing saved
    return exc.value


# ------------------------------------------------------------------------------------------- service


def test_pmi_with_jht_records_the_amount_per_month_and_audits_it(
    facts: Any, balikpapan: Regency
) -> None:
    m = register(facts, balikpapan, programs=WITH_JHT, jht_monthly=100_000)
    m.refresh_from_db()
    assert (m.segment, m.programs, m.pmi_contract_months, m.pmi_jht_monthly) == (
        "PMI",
        ["JKK", "JKM", "JHT"],
        24,
        100_000,
    )
    event = AuditEvent.objects.get(
        action="create", object_type="registry.Membership", object_id=str(m.pk)
    )
    assert event.changes["pmi_jht_monthly"] == 100_000


def test_pmi_without_jht_has_no_amount(facts: Any, balikpapan: Regency) -> None:
    m = register(facts, balikpapan)
    m.refresh_from_db()
    assert (m.programs, m.pmi_jht_monthly) == (["JKK", "JKM"], None)


def test_every_option_in_force_is_accepted(facts: Any, balikpapan: Regency) -> None:
    options = list(parameters.get("pmi.jht_options", date(2026, 2, 1), fact="x").value)
    assert services.pmi_jht_options(date(2026, 2, 3)) == options
    for amount in options:
        m = register(facts, balikpapan, programs=WITH_JHT, jht_monthly=amount)
        assert m.pmi_jht_monthly == amount
        m.delete()


def test_jht_without_an_amount_is_refused(facts: Any, balikpapan: Regency) -> None:
    exc = refused(facts, balikpapan, programs=WITH_JHT)
    assert isinstance(exc, InvalidValue)
    assert (exc.code, exc.field, exc.message) == (
        "invalid",
        "jht_monthly",
        "Iuran JHT per bulan wajib diisi bila peserta PMI ikut JHT.",
    )


@pytest.mark.parametrize("amount", [75_000, 0, 700_000, 100_001, True, "100000"])
def test_an_amount_that_is_not_an_option_is_refused_naming_the_options(
    facts: Any, balikpapan: Regency, amount: Any
) -> None:
    exc = refused(facts, balikpapan, programs=WITH_JHT, jht_monthly=amount)
    assert isinstance(exc, ProgramRuleViolation)
    assert (exc.code, exc.field, exc.message) == ("jht_option", "jht_monthly", OPTIONS_MESSAGE)


def test_an_amount_without_jht_is_refused(facts: Any, balikpapan: Regency) -> None:
    exc = refused(facts, balikpapan, jht_monthly=100_000)
    assert isinstance(exc, ProgramRuleViolation)
    assert (exc.code, exc.field, exc.message) == (
        "program_rule",
        "jht_monthly",
        "Iuran JHT per bulan hanya diisi bila peserta PMI ikut JHT.",
    )


def test_the_options_are_those_of_the_registration_month(facts: Any, balikpapan: Regency) -> None:
    """pmi.jht_options is in force from 22 Feb 2023; the PMI bill looks the rules up on the first
    day of the registration month, so a February 2023 registration has no option yet."""
    exc = refused(
        facts,
        balikpapan,
        programs=WITH_JHT,
        jht_monthly=100_000,
        start_date=date(2023, 2, 25),
        registered_on=date(2023, 2, 25),
    )
    assert (exc.code, exc.field, exc.message) == (
        "jht_option",
        "jht_monthly",
        "JHT PMI belum dapat dipilih pada bulan pendaftaran 02/2023.",
    )
    m = register(
        facts,
        balikpapan,
        programs=WITH_JHT,
        jht_monthly=600_000,
        start_date=date(2023, 3, 1),
        registered_on=date(2023, 3, 1),
    )
    assert m.pmi_jht_monthly == 600_000


# ------------------------------------------------------------------------------------------------ API


@pytest.fixture
def api(make_user: Callable[..., Any], token_for: Callable[[Any], str]) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token_for(make_user(Role.BRANCH_OFFICER))}")


def pmi_payload(serial: int, **extra: Any) -> dict[str, Any]:
    return {
        "nik": make_nik(date(1995, 4, 7), "P", serial=serial),
        "name": "Rina Lestari",
        "birth_date": "1995-04-07",
        "sex": "P",
        "address_regency": "64.71",
        "destination": "Hong Kong",
        "contract_months": 24,
        "start_date": "2026-02-01",
        **extra,
    }


def test_api_registers_a_pmi_with_jht(api: Client, reference: None) -> None:
    r = api.post(
        "/api/v1/pmi-workers",
        pmi_payload(1, programs=WITH_JHT, jht_monthly=200_000),
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["segment"],
        body["programs"],
        body["office"],
        body["pmi_destination"],
        body["pmi_contract_months"],
        body["pmi_jht_monthly"],
    ) == ("PMI", WITH_JHT, "KC-BALIKPAPAN", "Hong Kong", 24, 200_000)
    assert Membership.objects.get(pk=body["id"]).pmi_jht_monthly == 200_000
    r = api.post("/api/v1/pmi-workers", pmi_payload(2), content_type="application/json")
    assert r.status_code == 201 and r.json()["pmi_jht_monthly"] is None
    assert r.json()["programs"] == ["JKK", "JKM"]


@pytest.mark.parametrize(
    ("extra", "code", "message"),
    [
        (
            {"programs": WITH_JHT},
            "invalid",
            "Iuran JHT per bulan wajib diisi bila peserta PMI ikut JHT.",
        ),
        ({"programs": WITH_JHT, "jht_monthly": 150_000}, "jht_option", OPTIONS_MESSAGE),
        (
            {"jht_monthly": 100_000},
            "program_rule",
            "Iuran JHT per bulan hanya diisi bila peserta PMI ikut JHT.",
        ),
    ],
)
def test_api_refuses_a_bad_jht_amount_on_the_field(
    api: Client, reference: None, extra: dict[str, Any], code: str, message: str
) -> None:
    r = api.post("/api/v1/pmi-workers", pmi_payload(3, **extra), content_type="application/json")
    assert r.status_code == 422
    assert r.json() == {"code": code, "message": message, "field": "jht_monthly"}
    assert not Person.objects.exists()


def test_api_pmi_registration_is_for_the_office(
    make_user: Callable[..., Any], token_for: Callable[[Any], str]
) -> None:
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_for(make_user(Role.EMPLOYER_USER))}")
    r = client.post("/api/v1/pmi-workers", pmi_payload(4), content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "forbidden"


# ----------------------------------------------------------------------------------------- screens


@pytest.fixture
def officer_client(make_user: Callable[..., Any]) -> Client:
    client = Client()
    client.force_login(make_user(Role.BRANCH_OFFICER, "petugas-pmi"))
    return client


def pmi_post(regency: Regency, **extra: Any) -> dict[str, Any]:
    return {
        "nik": make_nik(date(1995, 4, 7), "P", serial=9),
        "name": "Rina Lestari",
        "birth_date": "1995-04-07",
        "sex": "P",
        "address_regency": str(regency.pk),
        "destination": "Taiwan",
        "contract_months": "24",
        "start_date": str(timezone.localdate()),
        **extra,
    }


def test_form_registers_a_pmi_with_jht_and_the_person_page_shows_it(
    officer_client: Client, balikpapan: Regency
) -> None:
    page = officer_client.get("/kepesertaan/pmi/baru/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Iuran JHT per bulan (PMI)" in content
    assert '<option value="100000">Rp100.000</option>' in content
    assert 'id="register-pmi"' in officer_client.get("/kepesertaan/").content.decode()
    response = officer_client.post(
        "/kepesertaan/pmi/baru/", pmi_post(balikpapan, with_jht="on", jht_monthly="100000")
    )
    m = Membership.objects.get(segment="PMI")
    kpj = m.participant.kpj_number
    assert response.status_code == 302 and response["Location"] == f"/kepesertaan/peserta/{kpj}/"
    assert (m.programs, m.pmi_contract_months, m.pmi_destination, m.pmi_jht_monthly) == (
        WITH_JHT,
        24,
        "Taiwan",
        100_000,
    )
    person_page = officer_client.get(f"/kepesertaan/peserta/{kpj}/").content.decode()
    assert 'data-pmi-jht="100000">· Iuran JHT per bulan (PMI): Rp100.000</span>' in person_page


def test_form_refuses_jht_without_an_amount_and_an_amount_without_jht(
    officer_client: Client, balikpapan: Regency
) -> None:
    for extra, message in (
        ({"with_jht": "on"}, "Iuran JHT per bulan wajib diisi bila peserta PMI ikut JHT."),
        ({"jht_monthly": "100000"}, "Iuran JHT per bulan hanya diisi bila peserta PMI ikut JHT."),
    ):
        response = officer_client.post("/kepesertaan/pmi/baru/", pmi_post(balikpapan, **extra))
        assert response.status_code == 200
        assert response.context["form"].errors["jht_monthly"] == [message]
    response = officer_client.post(
        "/kepesertaan/pmi/baru/", pmi_post(balikpapan, with_jht="on", jht_monthly="75000")
    )
    assert "jht_monthly" in response.context["form"].errors
    assert not Membership.objects.exists()


def test_inline_check_of_the_jht_amount(officer_client: Client, balikpapan: Regency) -> None:
    response = officer_client.post(
        "/kepesertaan/validasi/pmi/",
        {**pmi_post(balikpapan, with_jht="on"), "_field": "jht_monthly"},
    )
    assert response.status_code == 200
    assert "Iuran JHT per bulan wajib diisi bila peserta PMI ikut JHT." in response.content.decode()


def test_pmi_form_is_for_the_office(make_user: Callable[..., Any], reference: None) -> None:
    client = Client()
    client.force_login(make_user(Role.EMPLOYER_USER))
    assert client.get("/kepesertaan/pmi/baru/").status_code in (403, 404)
