"""Registry screens: search, person and employer pages, registration forms with inline checks, import."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.geo.models import Office, Regency
from jaminan.registry import services
from jaminan.registry.models import ConstructionProject, Employer, Membership, Person
from jaminan.registry.services import PersonFacts

pytestmark = pytest.mark.django_db

NIK = "6471054508900003"  # Balikpapan, woman born 5 August 1990
NIK_BIRTH = date(1990, 8, 5)


def nik_for(i: int, *, day: int = 12, month: int = 3, year: int = 88, female: bool = False) -> str:
    return f"647101{day + 40 if female else day:02d}{month:02d}{year:02d}{i:04d}"


@pytest.fixture
def balikpapan(reference: None) -> Regency:
    return Regency.objects.get(code="64.71")


@pytest.fixture
def pontianak(reference: None) -> Regency:
    return Regency.objects.get(code="61.71")


def make_employer(
    regency: Regency, *, name: str = "PT Maju Bersama", size: str = "small"
) -> Employer:
    return services.register_employer(
        name=name, legal_form="PT", kbli="47111", size_class=size, risk_group=2, regency=regency
    )


def add_worker(
    employer: Employer, i: int, *, wage: int = 4_000_000, name: str | None = None
) -> Membership:
    return services.register_pu_worker(
        employer=employer,
        person=PersonFacts(
            nik=nik_for(i), name=name or f"Pekerja {i:04d}", birth_date=date(1988, 3, 12), sex="L"
        ),
        wage=wage,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 10),
    )


@pytest.fixture
def officer(make_user: Callable[..., Any]) -> Any:
    return make_user(Role.BRANCH_OFFICER, "petugas-bpn")


@pytest.fixture
def client_for() -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


def html(response: Any) -> str:
    return response.content.decode()


# ------------------------------------------------------------------------------------------------- access


def test_screens_require_login(reference: None) -> None:
    for url in ("/kepesertaan/", "/kepesertaan/pemberi-kerja/baru/", "/kepesertaan/bpu/baru/"):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_navigation_shows_registry_for_staff_and_employer_users(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client]
) -> None:
    for role in (Role.BRANCH_OFFICER, Role.REGIONAL_ANALYST, Role.EMPLOYER_USER, Role.SYSTEM_ADMIN):
        assert 'href="/kepesertaan/"' in html(client_for(make_user(role)).get("/"))
    assert 'href="/kepesertaan/"' not in html(client_for(make_user(Role.PARTICIPANT)).get("/"))


def test_registration_forms_are_for_the_office_and_employer_users(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    analyst = client_for(make_user(Role.REGIONAL_ANALYST))
    assert analyst.get("/kepesertaan/pemberi-kerja/baru/").status_code == 403
    assert analyst.post("/kepesertaan/validasi/employer/", {"_field": "kbli"}).status_code == 403
    assert analyst.get(f"/kepesertaan/pemberi-kerja/{employer.npp}/impor/").status_code == 403
    assert (
        analyst.get(f"/kepesertaan/pemberi-kerja/{employer.npp}/pekerja/baru/").status_code == 403
    )
    own = client_for(make_user(Role.EMPLOYER_USER, "pk-sendiri", employer_npp=employer.npp))
    assert own.get(f"/kepesertaan/pemberi-kerja/{employer.npp}/pekerja/baru/").status_code == 200
    assert own.get("/kepesertaan/pemberi-kerja/baru/").status_code == 403
    other = client_for(make_user(Role.EMPLOYER_USER, "pk-lain", employer_npp="99999997"))
    assert other.get(f"/kepesertaan/pemberi-kerja/{employer.npp}/pekerja/baru/").status_code == 404
    assert other.get(f"/kepesertaan/pemberi-kerja/{employer.npp}/").status_code == 404


# ------------------------------------------------------------------------------------------------- search


def test_search_by_nik_kpj_npp_and_name_with_nik_unmasked_for_an_officer_and_audited(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    membership = add_worker(employer, 3, name="Siti Aminah")
    person = membership.participant.person
    kpj = membership.participant.kpj_number
    client = client_for(officer)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count()
    for q in (person.nik, kpj, "aminah"):
        page = html(client.get("/kepesertaan/", {"q": q}))
        assert f'href="/kepesertaan/peserta/{kpj}/"' in page and person.nik in page, q
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).count() == before + 3
    page = html(client.get("/kepesertaan/", {"q": employer.npp}))
    assert f'href="/kepesertaan/pemberi-kerja/{employer.npp}/"' in page
    assert "Tidak ada hasil" in html(client.get("/kepesertaan/", {"q": "tidak ada orang ini"}))


def test_search_masks_the_nik_for_an_employer_user(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    person = add_worker(employer, 3).participant.person
    client = client_for(make_user(Role.EMPLOYER_USER, employer_npp=employer.npp))
    page = html(client.get("/kepesertaan/", {"q": "pekerja 0003"}))
    assert "6471********0003" in page and person.nik not in page


def test_search_is_scoped_to_the_officers_branch_office(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], pontianak: Regency
) -> None:
    employer = make_employer(pontianak, name="CV Khatulistiwa")
    add_worker(employer, 5, name="Budi Santoso")
    officer = make_user(Role.BRANCH_OFFICER, "petugas-bpn")
    page = html(client_for(officer).get("/kepesertaan/", {"q": "santoso"}))
    assert "Budi Santoso" not in page and "Tidak ada hasil" in page
    assert "CV Khatulistiwa" not in html(
        client_for(officer).get("/kepesertaan/", {"q": "khatulistiwa"})
    )


def test_search_htmx_returns_only_the_results(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    make_employer(balikpapan)
    response = client_for(officer).get(
        "/kepesertaan/", {"q": "maju"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="search-results"
    )
    assert "PT Maju Bersama" in html(response) and "<html" not in html(response)


def test_search_query_count_does_not_grow_with_results(
    officer: Any,
    client_for: Callable[[Any], Client],
    balikpapan: Regency,
    django_assert_max_num_queries: Any,
) -> None:
    employer = make_employer(balikpapan)
    for i in range(1, 26):
        add_worker(employer, i)
    client = client_for(officer)
    # session, user, scope, office; persons; employers; the audit event of the unmasked NIKs.
    with django_assert_max_num_queries(7):
        page = html(client.get("/kepesertaan/", {"q": "pekerja"}))
    assert page.count('href="/kepesertaan/peserta/') == 20 and 'id="results-limited"' in page


# ---------------------------------------------------------------------------------------------- person page


def test_person_page_shows_identity_timeline_employers_dependants_and_wages(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    first = make_employer(balikpapan, name="PT Lama")
    second = make_employer(balikpapan, name="PT Baru", size="medium")
    old = add_worker(first, 7, wage=3_900_000)
    services.end_membership(membership=old, end_date=date(2026, 2, 28), reason="resigned")
    participant = old.participant
    new = services.register_pu_worker(
        employer=second,
        person=participant.person,
        wage=5_250_000,
        start_date=date(2026, 3, 1),
        registered_on=date(2026, 5, 1),
    )
    services.report_wage(membership=new, month=date(2026, 4, 1), amount=5_500_000)
    services.add_dependant(
        participant=participant,
        name="Anak Pertama",
        relation="child",
        birth_date=date(2015, 6, 1),
        school_level="SD",
    )
    response = client_for(officer).get(f"/kepesertaan/peserta/{participant.kpj_number}/")
    assert response.status_code == 200
    page = html(response)
    assert participant.person.nik in page
    assert "PT Lama" in page and "PT Baru" in page
    assert "mengundurkan diri" in page  # end reason
    assert "pendaftaran terlambat" in page  # registered 61 days after starting
    assert "Rp5.500.000" in page and "Rp5.250.000" in page and "Rp3.900.000" in page
    assert "Anak Pertama" in page
    assert re.search(r"JKK.*JKM.*JHT.*JP.*JKP", page, re.S)
    view = AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW, object_type="registry.Person"
    ).last()
    assert view is not None and view.object_id == str(participant.person.pk)
    assert view.changes["nik_unmasked"] is True


def test_person_page_masks_the_nik_for_an_employer_user(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    participant = add_worker(employer, 3).participant
    client = client_for(make_user(Role.EMPLOYER_USER, employer_npp=employer.npp))
    page = html(client.get(f"/kepesertaan/peserta/{participant.kpj_number}/"))
    assert "6471********0003" in page and participant.person.nik not in page


def test_person_of_another_branch_office_is_404(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], pontianak: Regency
) -> None:
    participant = add_worker(make_employer(pontianak), 4).participant
    officer = make_user(Role.BRANCH_OFFICER, "petugas-bpn")
    assert (
        client_for(officer).get(f"/kepesertaan/peserta/{participant.kpj_number}/").status_code
        == 404
    )
    pontianak_officer = make_user(
        Role.BRANCH_OFFICER, "petugas-ptk", office=Office.objects.get(code="KC-PONTIANAK")
    )
    assert (
        client_for(pontianak_officer)
        .get(f"/kepesertaan/peserta/{participant.kpj_number}/")
        .status_code
        == 200
    )


def test_person_page_query_count(
    officer: Any,
    client_for: Callable[[Any], Client],
    balikpapan: Regency,
    django_assert_max_num_queries: Any,
) -> None:
    participant = None
    for n in range(6):
        employer = make_employer(balikpapan, name=f"PT Ke-{n}")
        m = add_worker(employer, 9)
        participant = m.participant
        for month in range(2, 8):
            services.report_wage(membership=m, month=date(2026, month, 1), amount=4_000_000 + month)
        if n < 5:
            services.end_membership(
                membership=m, end_date=date(2026, 12, 31), reason="contract_ended"
            )
    assert participant is not None
    client = client_for(officer)
    # session, user, scope, office; participant+person; memberships+employer/project/office; wages;
    # dependants; the audit VIEW event.
    with django_assert_max_num_queries(9):
        assert client.get(f"/kepesertaan/peserta/{participant.kpj_number}/").status_code == 200


# -------------------------------------------------------------------------------------------- employer page


def test_employer_page_shows_workers_wage_bill_and_projects(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    add_worker(employer, 1, wage=4_000_000)
    m = add_worker(employer, 2, wage=5_000_000)
    services.report_wage(membership=m, month=date(2026, 3, 1), amount=6_000_000)
    ended = add_worker(employer, 3, wage=9_000_000)
    services.end_membership(membership=ended, end_date=date(2026, 2, 1), reason="dismissed")
    services.register_project(
        contractor=employer,
        owner_type="APBD",
        name="Jalan Lingkar Balikpapan",
        contract_value=12_500_000_000,
        start_date=date(2026, 2, 1),
        end_date=date(2026, 12, 31),
        regency=balikpapan,
    )
    page = html(client_for(officer).get(f"/kepesertaan/pemberi-kerja/{employer.npp}/"))
    assert 'id="wage-bill">Rp10.000.000<' in page
    assert 'id="active-workers">2<' in page
    assert "Pekerja 0001" in page and "Pekerja 0002" in page and "Pekerja 0003" not in page
    assert "Jalan Lingkar Balikpapan" in page and "Rp12.500.000.000" in page
    # The workers' NIKs were shown unmasked to an officer: the read is audited.
    view = AuditEvent.objects.filter(action="view", object_type="registry.Employer").last()
    assert view is not None and view.changes["nik_unmasked"] is True
    assert nik_for(1) in page


def test_employer_page_query_count_and_paging(
    officer: Any,
    client_for: Callable[[Any], Client],
    balikpapan: Regency,
    django_assert_max_num_queries: Any,
) -> None:
    employer = make_employer(balikpapan)
    for i in range(1, 56):
        add_worker(employer, i)
    for n in range(3):
        services.register_project(
            contractor=employer,
            owner_type="private",
            name=f"Gedung {n}",
            contract_value=1_000_000_000,
            start_date=date(2026, 1, 1),
            end_date=date(2026, 6, 30),
            regency=balikpapan,
        )
    client = client_for(officer)
    # session, user, scope, office; employer; wage bill; worker count; projects; audit VIEW; one page of
    # workers with person, participant and latest wage.
    with django_assert_max_num_queries(10):
        page = html(client.get(f"/kepesertaan/pemberi-kerja/{employer.npp}/"))
    assert page.count("<tr data-kpj=") == 50 and "Rp220.000.000" in page
    page = html(client.get(f"/kepesertaan/pemberi-kerja/{employer.npp}/", {"halaman": "2"}))
    assert page.count("<tr data-kpj=") == 5 and "Pekerja 0055" in page


# ------------------------------------------------------------------------------------------- registration


def employer_post(regency: Regency, **extra: Any) -> dict[str, Any]:
    return {
        "name": "PT Sungai Mahakam",
        "kind": "business",
        "legal_form": "PT",
        "npwp": "01.234.567.8-901.000",
        "kbli": "10792",
        "size_class": "medium",
        "risk_group": "3",
        "regency": str(regency.pk),
        **extra,
    }


def test_register_an_employer(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    response = client_for(officer).post(
        "/kepesertaan/pemberi-kerja/baru/", employer_post(balikpapan)
    )
    employer = Employer.objects.get(name="PT Sungai Mahakam")
    assert (
        response.status_code == 302
        and response["Location"] == f"/kepesertaan/pemberi-kerja/{employer.npp}/"
    )
    assert employer.office.code == "KC-BALIKPAPAN" and employer.npwp == "012345678901000"
    assert AuditEvent.objects.filter(
        action="create", object_type="registry.Employer", object_id=str(employer.pk)
    )


def test_employer_form_errors_are_on_their_fields_and_nothing_is_saved(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency, pontianak: Regency
) -> None:
    client = client_for(officer)
    response = client.post(
        "/kepesertaan/pemberi-kerja/baru/", employer_post(balikpapan, kbli="107", npwp="123")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["kbli"] == ["KBLI harus 5 digit angka."]
    assert form.errors["npwp"] == ["NPWP harus 15 atau 16 digit angka."]
    # An officer registers employers of the regencies served by the officer's own branch office.
    response = client.post("/kepesertaan/pemberi-kerja/baru/", employer_post(pontianak))
    assert "regency" in response.context["form"].errors
    assert not Employer.objects.exists()


def pu_post(**extra: Any) -> dict[str, Any]:
    return {
        "nik": NIK,
        "name": "Siti Aminah",
        "birth_date": "1990-08-05",
        "sex": "P",
        "wage": "4.250.000",
        "start_date": str(timezone.localdate() - timedelta(days=3)),
        **extra,
    }


def test_register_a_pu_worker_on_an_employer_page(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    client = client_for(officer)
    url = f"/kepesertaan/pemberi-kerja/{employer.npp}/pekerja/baru/"
    response = client.post(url, pu_post())
    assert (
        response.status_code == 302
        and response["Location"] == f"/kepesertaan/pemberi-kerja/{employer.npp}/"
    )
    membership = Membership.objects.get(employer=employer)
    assert membership.programs == ["JKK", "JKM", "JHT", "JKP"]  # small employer, under 54
    assert membership.wages.get().amount == 4_250_000
    page = html(client.get(response["Location"]))
    assert "Siti Aminah" in page and membership.participant.kpj_number in page
    # Registering the same person again on the same employer: the error is on the NIK, nothing added.
    response = client.post(url, pu_post())
    assert response.status_code == 200
    assert "sudah menjadi peserta aktif" in response.context["form"].errors["nik"][0]
    assert Membership.objects.count() == 1


def test_pu_worker_nik_mismatch_and_program_rules_are_refused_on_their_fields(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan, size="large")
    client = client_for(officer)
    url = f"/kepesertaan/pemberi-kerja/{employer.npp}/pekerja/baru/"
    form = client.post(url, pu_post(birth_date="1990-08-06", sex="L")).context["form"]
    assert form.errors["birth_date"] == [
        "Tanggal lahir tidak sesuai dengan NIK (NIK menyandikan 05/08/1990)."
    ]
    assert form.errors["sex"] == [
        "Jenis kelamin tidak sesuai dengan NIK (NIK menyandikan perempuan)."
    ]
    form = client.post(url, pu_post(programs=["JKK", "JKM", "JHT"])).context["form"]
    assert form.errors["programs"] == ["Program wajib untuk skala usaha ini belum dipilih: JP."]
    form = client.post(url, pu_post(nik="9971054508900003")).context["form"]
    assert form.errors["nik"] == ["NIK tidak sah: Kode provinsi pada NIK tidak dikenal."]
    form = client.post(url, pu_post(wage="4,5 juta")).context["form"]
    assert "wage" in form.errors
    # A rule only the service knows, broken after it created the person: rolled back as a whole.
    form = client.post(url, pu_post(start_date="1985-01-02")).context["form"]
    assert form.errors["start_date"] == ["Tanggal mulai bekerja sebelum tanggal lahir."]
    assert not Person.objects.exists() and not Membership.objects.exists()


def test_officer_override_of_a_nik_mismatch_is_saved_with_its_reason(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    url = f"/kepesertaan/pemberi-kerja/{employer.npp}/pekerja/baru/"
    response = client_for(officer).post(
        url,
        pu_post(birth_date="1990-08-06", override_reason="Akta kelahiran menyebut 6 Agustus 1990"),
    )
    assert response.status_code == 302
    person = Person.objects.get(nik=NIK)
    assert person.birth_date == date(1990, 8, 6)
    assert person.nik_override_reason == "Akta kelahiran menyebut 6 Agustus 1990"


def test_employer_user_cannot_override_a_nik_mismatch(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    client = client_for(make_user(Role.EMPLOYER_USER, employer_npp=employer.npp))
    url = f"/kepesertaan/pemberi-kerja/{employer.npp}/pekerja/baru/"
    assert "override_reason" not in html(client.get(url))
    response = client.post(url, pu_post(birth_date="1990-08-06", override_reason="saya yakin"))
    assert "birth_date" in response.context["form"].errors and not Person.objects.exists()
    assert client.post(url, pu_post()).status_code == 302


def test_register_a_bpu_worker(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    client = client_for(officer)
    post = {
        **pu_post(),
        "address_regency": str(balikpapan.pk),
        "declared_income": "2.000.000",
        "with_jht": "on",
        "payer": "self",
    }
    del post["wage"]
    response = client.post("/kepesertaan/bpu/baru/", post)
    membership = Membership.objects.get(segment="BPU")
    assert response.status_code == 302
    assert response["Location"] == f"/kepesertaan/peserta/{membership.participant.kpj_number}/"
    assert (
        membership.programs == ["JKK", "JKM", "JHT"] and membership.office.code == "KC-BALIKPAPAN"
    )
    response = client.post("/kepesertaan/bpu/baru/", {**post, "declared_income": "0"})
    assert response.status_code == 200 and "declared_income" in response.context["form"].errors


def test_register_a_construction_project(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    url = f"/kepesertaan/pemberi-kerja/{employer.npp}/proyek/baru/"
    post = {
        "name": "Jembatan Teluk",
        "owner_type": "APBN",
        "contract_value": "25.000.000.000",
        "start_date": "2026-03-01",
        "end_date": "2026-02-01",
        "regency": str(balikpapan.pk),
    }
    client = client_for(officer)
    form = client.post(url, post).context["form"]
    assert form.errors["end_date"] == ["Tanggal selesai proyek sebelum tanggal mulai."]
    response = client.post(url, {**post, "end_date": "2027-02-01"})
    assert response.status_code == 302
    project = ConstructionProject.objects.get()
    assert project.contract_value == 25_000_000_000 and project.contractor == employer


# ----------------------------------------------------------------------------------------- inline checks


def test_inline_validation_of_the_nik_as_the_officer_types(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    client = client_for(officer)
    url = f"/kepesertaan/validasi/pu/{employer.npp}/"
    page = html(client.post(url, {"_field": "nik", "nik": "647105450890"}))
    assert 'id="error-nik"' in page and "NIK tidak sah: NIK harus 16 digit." in page
    page = html(client.post(url, {"_field": "nik", "nik": NIK}))
    assert 'id="error-nik"' in page and "invalid-feedback" not in page
    page = html(client.post(url, {"_field": "birth_date", "nik": NIK, "birth_date": "1990-08-06"}))
    assert "Tanggal lahir tidak sesuai dengan NIK" in page
    page = html(client.post("/kepesertaan/validasi/employer/", {"_field": "kbli", "kbli": "12a"}))
    assert "KBLI harus 5 digit angka." in page
    assert client.post("/kepesertaan/validasi/nope/", {"_field": "nik"}).status_code == 404
    assert client.get(url).status_code == 405
    assert client.post("/kepesertaan/validasi/pu/", {"_field": "nope"}).status_code == 404


def test_form_widgets_post_to_the_validate_endpoint(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    page = html(client_for(officer).get(f"/kepesertaan/pemberi-kerja/{employer.npp}/pekerja/baru/"))
    assert f'hx-post="/kepesertaan/validasi/pu/{employer.npp}/"' in page
    assert 'hx-target="#error-nik"' in page and 'id="error-nik"' in page


# ------------------------------------------------------------------------------------------------ import


def csv_file(rows: list[str], name: str = "pekerja.csv") -> io.BytesIO:
    content = "nik,nama,tanggal_lahir,jenis_kelamin,upah,tanggal_mulai\n" + "\n".join(rows) + "\n"
    upload = io.BytesIO(content.encode("utf-8"))
    upload.name = name
    return upload


IMPORT_ROWS = [
    f"{nik_for(1)},Andi,1988-03-12,L,4.500.000,2026-01-05",
    f"{nik_for(2)},Badu,12/03/1988,L,4500000,2026-01-05",
    f"{nik_for(3)},Citra,1988-03-12,X,4500000,2026-01-05",
    f"{nik_for(1)},Andi lagi,1988-03-12,L,4500000,2026-01-05",
]


def test_import_template_downloads(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    client = client_for(officer)
    response = client.get(f"/kepesertaan/pemberi-kerja/{employer.npp}/impor/templat.csv")
    assert response.content.decode().startswith(
        "nik,nama,tanggal_lahir,jenis_kelamin,upah,tanggal_mulai\n"
    )
    assert "attachment" in response["Content-Disposition"]
    response = client.get(f"/kepesertaan/pemberi-kerja/{employer.npp}/impor/templat.xlsx")
    assert response.content[:2] == b"PK"
    assert (
        client.get(f"/kepesertaan/pemberi-kerja/{employer.npp}/impor/templat.pdf").status_code
        == 404
    )


def test_import_dry_run_then_apply_then_report_download(
    officer: Any,
    client_for: Callable[[Any], Client],
    balikpapan: Regency,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.REGISTRY_IMPORT_REPORT_DIR = tmp_path
    employer = make_employer(balikpapan)
    client = client_for(officer)
    url = f"/kepesertaan/pemberi-kerja/{employer.npp}/impor/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"file": csv_file(IMPORT_ROWS), "dry_run": "on"})
    page = html(response)
    assert "accepted 2, rejected 2" in page and 'id="dry-run-note"' in page
    assert not Membership.objects.exists()
    rows = [(i.baris, i.kolom, i.kode) for i in response.context["report"].issues]
    assert rows == [(4, "jenis_kelamin", "sex_invalid"), (5, "nik", "duplicate_in_file")]
    response = client.post(url, {"file": csv_file(IMPORT_ROWS)})
    assert (
        "accepted 2, rejected 2" in html(response)
        and Membership.objects.filter(employer=employer).count() == 2
    )
    report_id = response.context["report_id"]
    download = client.get(f"{url}laporan/{report_id}.csv")
    assert download.content.decode().splitlines() == [
        "baris,kolom,kode,pesan",
        "4,jenis_kelamin,sex_invalid,Kolom jenis_kelamin harus L atau P.",
        "5,nik,duplicate_in_file,NIK sudah muncul pada baris 2 berkas ini.",
    ]
    assert client.get(f"{url}laporan/{report_id}.xlsx").content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="export", object_type="registry.Employer").exists()
    # Another session cannot fetch the report.
    other = client_for(officer)
    other.cookies.clear()
    other.force_login(officer)
    assert other.get(f"{url}laporan/{report_id}.csv").status_code == 404
    # The same file again changes nothing.
    response = client.post(url, {"file": csv_file(IMPORT_ROWS)})
    assert "accepted 0, rejected 2" in html(response) and Membership.objects.count() == 2


def test_import_of_the_xlsx_template_as_a_dry_run(
    officer: Any,
    client_for: Callable[[Any], Client],
    balikpapan: Regency,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.REGISTRY_IMPORT_REPORT_DIR = tmp_path
    employer = make_employer(balikpapan)
    client = client_for(officer)
    url = f"/kepesertaan/pemberi-kerja/{employer.npp}/impor/"
    upload = io.BytesIO(client.get(f"{url}templat.xlsx").content)
    upload.name = "templat-pekerja.xlsx"
    response = client.post(url, {"file": upload, "dry_run": "on"})
    page = html(response)
    # The example row is valid; its wage is below Balikpapan's 2026 UMK: a warning, not a rejection.
    assert "accepted 1, rejected 0" in page
    assert [(i.baris, i.kolom, i.kode) for i in response.context["report"].issues] == [
        (2, "upah", "wage_below_minimum")
    ]
    assert 'class="table-warning"' in page
    assert not Membership.objects.exists()


def test_import_of_an_unreadable_file_says_why(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    upload = io.BytesIO(b"nama;nik\nA;B\n")
    upload.name = "salah.csv"
    response = client_for(officer).post(
        f"/kepesertaan/pemberi-kerja/{employer.npp}/impor/", {"file": upload}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"][0].startswith("Judul kolom harus persis")


# -------------------------------------------------------------- ending memberships, wages, dependants


def end_url(m: Membership) -> str:
    return f"/kepesertaan/peserta/{m.participant.kpj_number}/kepesertaan/{m.pk}/akhiri/"


def wage_url(m: Membership) -> str:
    return f"/kepesertaan/peserta/{m.participant.kpj_number}/kepesertaan/{m.pk}/upah/"


def test_end_a_membership_from_the_person_page_audited(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    m = add_worker(make_employer(balikpapan), 11, name="Rudi Hartono")
    kpj = m.participant.kpj_number
    client = client_for(officer)
    person_page = html(client.get(f"/kepesertaan/peserta/{kpj}/"))
    assert f'href="{end_url(m)}"' in person_page and f'href="{wage_url(m)}"' in person_page
    page = html(client.get(end_url(m)))
    assert "Rudi Hartono" in page and 'name="end_date"' in page and 'value="resigned"' in page
    assert f'hx-post="/kepesertaan/validasi/end/kepesertaan/{m.pk}/"' in page
    response = client.post(end_url(m), {"end_date": "2026-04-30", "reason": "resigned"})
    assert response.status_code == 302 and response["Location"] == f"/kepesertaan/peserta/{kpj}/"
    m.refresh_from_db()
    assert (m.end_date, m.end_reason) == (date(2026, 4, 30), "resigned")
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.UPDATE, object_type="registry.Membership", object_id=str(m.pk)
    )
    assert event.actor_id == officer.pk
    assert event.changes == {"end_date": [None, "2026-04-30"], "end_reason": ["", "resigned"]}
    page = html(client.get(response["Location"]))
    assert "berakhir pada 30 April 2026 (mengundurkan diri)" in page  # the success message
    assert "30 April 2026 (mengundurkan diri)" in page and f'id="end-membership-{m.pk}"' not in page
    # Ending it again: the page says it has ended; a post is refused and changes nothing.
    assert 'id="already-ended"' in html(client.get(end_url(m)))
    form = client.post(end_url(m), {"end_date": "2026-05-31", "reason": "dismissed"}).context[
        "form"
    ]
    assert form.non_field_errors() == ["Kepesertaan ini sudah berakhir."]
    m.refresh_from_db()
    assert m.end_date == date(2026, 4, 30)


def test_end_a_membership_from_the_employer_page_goes_back_there(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    employer = make_employer(balikpapan)
    m = add_worker(employer, 12)
    add_worker(employer, 13)
    client = client_for(officer)
    page = html(client.get(f"/kepesertaan/pemberi-kerja/{employer.npp}/"))
    assert f'href="{end_url(m)}?kembali=pemberi-kerja"' in page
    response = client.post(
        f"{end_url(m)}?kembali=pemberi-kerja", {"end_date": "2026-02-28", "reason": "dismissed"}
    )
    assert response["Location"] == f"/kepesertaan/pemberi-kerja/{employer.npp}/"
    page = html(client.get(response["Location"]))
    assert "Kepesertaan PU Pekerja 0012 berakhir pada 28 Februari 2026 (PHK)." in page
    assert 'id="active-workers">1<' in page and f'data-kpj="{m.participant.kpj_number}"' not in page
    assert "Pekerja 0013" in page and 'id="wage-bill">Rp4.000.000<' in page


def test_end_membership_errors_are_on_their_fields_and_nothing_is_saved(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    m = add_worker(make_employer(balikpapan), 14)
    client = client_for(officer)
    response = client.post(end_url(m), {"end_date": "2025-12-31", "reason": "retired"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "end_date": ["Tanggal berakhir sebelum tanggal mulai (05/01/2026)."]
    }
    form = client.post(end_url(m), {"end_date": "31/01/2026", "reason": "fired"}).context["form"]
    assert list(form.errors) == ["reason"]
    form = client.post(end_url(m), {"end_date": "kemarin", "reason": ""}).context["form"]
    assert set(form.errors) == {"end_date", "reason"}
    m.refresh_from_db()
    assert m.end_date is None and m.end_reason == ""
    assert not AuditEvent.objects.filter(action="update", object_type="registry.Membership")


def test_end_membership_inline_validation(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    m = add_worker(make_employer(balikpapan), 15)
    client = client_for(officer)
    url = f"/kepesertaan/validasi/end/kepesertaan/{m.pk}/"
    page = html(client.post(url, {"_field": "end_date", "end_date": "2025-12-31"}))
    assert 'id="error-end_date"' in page
    assert "Tanggal berakhir sebelum tanggal mulai (05/01/2026)." in page
    page = html(client.post(url, {"_field": "end_date", "end_date": "2026-03-31"}))
    assert "valid-feedback" in page and "invalid-feedback" not in page
    assert client.post("/kepesertaan/validasi/end/kepesertaan/999999/", {}).status_code == 404
    m.refresh_from_db()
    assert m.end_date is None


def test_ending_a_membership_is_scoped(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], pontianak: Regency
) -> None:
    employer = make_employer(pontianak, name="CV Khatulistiwa")
    m = add_worker(employer, 16)
    other_npp = make_employer(pontianak, name="CV Lain").npp
    other = add_worker(Employer.objects.get(npp=other_npp), 17)
    post = {"end_date": "2026-03-31", "reason": "resigned"}
    officer_bpn = client_for(make_user(Role.BRANCH_OFFICER, "petugas-bpn"))
    assert officer_bpn.get(end_url(m)).status_code == 404
    assert officer_bpn.post(end_url(m), post).status_code == 404
    assert officer_bpn.post(wage_url(m), {"month": "2026-03", "amount": "1"}).status_code == 404
    validate = f"/kepesertaan/validasi/end/kepesertaan/{m.pk}/"
    assert officer_bpn.post(validate, {"_field": "end_date"}).status_code == 404
    other_employer = client_for(make_user(Role.EMPLOYER_USER, "pk-lain", employer_npp=other_npp))
    assert other_employer.post(end_url(m), post).status_code == 404
    analyst = client_for(make_user(Role.REGIONAL_ANALYST))
    assert analyst.get(end_url(m)).status_code == 403
    # A membership id under the KPJ of another participant is not found either.
    officer_ptk = client_for(
        make_user(
            Role.BRANCH_OFFICER, "petugas-ptk", office=Office.objects.get(code="KC-PONTIANAK")
        )
    )
    wrong = f"/kepesertaan/peserta/{other.participant.kpj_number}/kepesertaan/{m.pk}/akhiri/"
    assert officer_ptk.post(wrong, post).status_code == 404
    m.refresh_from_db()
    assert m.end_date is None
    # The employer's own user may end it.
    own = client_for(make_user(Role.EMPLOYER_USER, "pk-sendiri", employer_npp=employer.npp))
    assert own.post(end_url(m), post).status_code == 302
    m.refresh_from_db()
    assert m.end_date == date(2026, 3, 31)


def test_end_membership_page_query_count(
    officer: Any,
    client_for: Callable[[Any], Client],
    balikpapan: Regency,
    django_assert_max_num_queries: Any,
) -> None:
    m = add_worker(make_employer(balikpapan), 18)
    client = client_for(officer)
    # session, user, scope, office; the membership with participant, person, employer, project,
    # office; the audit VIEW event.
    with django_assert_max_num_queries(6):
        assert client.get(end_url(m)).status_code == 200
    # The post adds the locked re-read, the update and the audit UPDATE event (in a savepoint).
    with django_assert_max_num_queries(12):
        response = client.post(end_url(m), {"end_date": "2026-03-31", "reason": "resigned"})
    assert response.status_code == 302


def test_report_a_new_wage_from_the_person_page(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    m = add_worker(make_employer(balikpapan), 21, wage=4_000_000)
    client = client_for(officer)
    assert 'type="month"' in html(client.get(wage_url(m)))
    response = client.post(wage_url(m), {"month": "2026-04", "amount": "4.750.000"})
    assert response["Location"] == f"/kepesertaan/peserta/{m.participant.kpj_number}/"
    assert list(m.wages.order_by("effective_month").values_list("effective_month", "amount")) == [
        (date(2026, 1, 1), 4_000_000),
        (date(2026, 4, 1), 4_750_000),
    ]
    page = html(client.get(response["Location"]))
    assert "Upah Rp4.750.000 berlaku mulai 1 April 2026 dicatat" in page
    # Correcting the same month updates it (audited with the old and new amount).
    client.post(wage_url(m), {"month": "04/2026", "amount": "4800000"})
    assert m.wages.get(effective_month=date(2026, 4, 1)).amount == 4_800_000
    event = AuditEvent.objects.filter(action="update", object_type="registry.ReportedWage").get()
    assert event.changes == {"amount": [4_750_000, 4_800_000]} and event.actor_id == officer.pk
    # A month before the membership, a bad month or amount: on their fields, nothing saved.
    form = client.post(wage_url(m), {"month": "2025-12", "amount": "5000000"}).context["form"]
    assert form.errors == {"month": ["Bulan upah sebelum kepesertaan dimulai."]}
    form = client.post(wage_url(m), {"month": "2026-13", "amount": "-5"}).context["form"]
    assert set(form.errors) == {"month", "amount"}
    assert m.wages.count() == 2


def test_bpu_income_below_the_lowest_tier_is_refused_on_the_amount(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    m = services.register_bpu_worker(
        person=PersonFacts(
            nik=nik_for(22),
            name="Nelayan",
            birth_date=date(1988, 3, 12),
            sex="L",
            address_regency=balikpapan,
        ),
        declared_income=2_000_000,
        start_date=date(2026, 1, 1),
    )
    client = client_for(officer)
    form = client.post(wage_url(m), {"month": "2026-03", "amount": "500000"}).context["form"]
    assert list(form.errors) == ["amount"] and "Data BPU tidak sah" in form.errors["amount"][0]
    assert m.wages.count() == 1
    assert client.post(wage_url(m), {"month": "2026-03", "amount": "2500000"}).status_code == 302
    assert m.wages.get(effective_month=date(2026, 3, 1)).amount == 2_500_000


def dependant_url(participant: Any) -> str:
    return f"/kepesertaan/peserta/{participant.kpj_number}/tanggungan/baru/"


def test_add_a_dependant_from_the_person_page_audited(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    participant = add_worker(make_employer(balikpapan), 31).participant
    client = client_for(officer)
    assert f'href="{dependant_url(participant)}"' in html(
        client.get(f"/kepesertaan/peserta/{participant.kpj_number}/")
    )
    child_nik = "6471050306150001"  # boy born 3 June 2015
    response = client.post(
        dependant_url(participant),
        {
            "name": "Ahmad Kecil",
            "relation": "child",
            "birth_date": "2015-06-03",
            "nik": child_nik,
            "school_level": "SD",
        },
    )
    assert response["Location"] == f"/kepesertaan/peserta/{participant.kpj_number}/"
    dependant = participant.dependants.get()
    assert (dependant.name, dependant.relation, dependant.nik, dependant.school_level) == (
        "Ahmad Kecil",
        "child",
        child_nik,
        "SD",
    )
    assert AuditEvent.objects.filter(
        action="create",
        object_type="registry.Dependant",
        object_id=str(dependant.pk),
        actor=officer,
    ).exists()
    page = html(client.get(response["Location"]))
    assert "Ahmad Kecil ditambahkan sebagai tanggungan (anak)." in page
    # Without a NIK, and a spouse without a school level.
    assert (
        client.post(
            dependant_url(participant),
            {"name": "Sari", "relation": "spouse", "birth_date": "1990-02-01"},
        ).status_code
        == 302
    )
    assert participant.dependants.count() == 2


def test_dependant_errors_are_on_their_fields_inline_and_nothing_is_saved(
    officer: Any, client_for: Callable[[Any], Client], balikpapan: Regency
) -> None:
    participant = add_worker(make_employer(balikpapan), 32).participant
    client = client_for(officer)
    post = {"name": "Ahmad", "relation": "child", "birth_date": "2015-06-04"}
    form = client.post(dependant_url(participant), {**post, "nik": "6471050306150001"}).context[
        "form"
    ]
    assert form.errors == {
        "birth_date": ["Tanggal lahir tidak sesuai dengan NIK (NIK menyandikan 03/06/2015)."]
    }
    form = client.post(dependant_url(participant), {**post, "nik": "647105030615"}).context["form"]
    assert form.errors == {"nik": ["NIK tidak sah: NIK harus 16 digit."]}
    form = client.post(dependant_url(participant), {**post, "relation": "cousin"}).context["form"]
    assert list(form.errors) == ["relation"]
    assert not participant.dependants.exists()
    page = html(
        client.post(
            "/kepesertaan/validasi/dependant/",
            {"_field": "birth_date", "nik": "6471050306150001", "birth_date": "2015-06-04"},
        )
    )
    assert 'id="error-birth_date"' in page and "tidak sesuai dengan NIK" in page


def test_adding_a_dependant_is_scoped(
    make_user: Callable[..., Any], client_for: Callable[[Any], Client], pontianak: Regency
) -> None:
    participant = add_worker(make_employer(pontianak), 33).participant
    post = {"name": "Sari", "relation": "spouse", "birth_date": "1990-02-01"}
    officer = client_for(make_user(Role.BRANCH_OFFICER, "petugas-bpn"))
    assert officer.get(dependant_url(participant)).status_code == 404
    assert officer.post(dependant_url(participant), post).status_code == 404
    assert (
        client_for(make_user(Role.PARTICIPANT, participant_kpj=participant.kpj_number))
        .post(dependant_url(participant), post)
        .status_code
        == 403
    )
    assert not participant.dependants.exists()


def test_participant_form_pages_query_count(
    officer: Any,
    client_for: Callable[[Any], Client],
    balikpapan: Regency,
    django_assert_max_num_queries: Any,
) -> None:
    m = add_worker(make_employer(balikpapan), 34)
    client = client_for(officer)
    # session, user, scope, office; the participant (or membership) with person; the audit VIEW event.
    with django_assert_max_num_queries(6):
        assert client.get(dependant_url(m.participant)).status_code == 200
    with django_assert_max_num_queries(6):
        assert client.get(wage_url(m)).status_code == 200
