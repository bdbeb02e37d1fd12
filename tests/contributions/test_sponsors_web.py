"""Sponsor screens: list and sponsor page (budget used, remaining, people covered, alert), program page,
forms (sponsor, program, beneficiary, upload), the budget calculator (HTMX) and the donor form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.contributions import sponsors
from jaminan.contributions.models import Beneficiary, Sponsor, SponsorshipProgram
from jaminan.geo.models import Regency
from jaminan.registry.models import Membership
from tests.contributions.test_sponsors import neighbour, nik_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def kukar(reference: None) -> Regency:
    return Regency.objects.select_related("branch_office").get(code="64.02")


@pytest.fixture
def this_month() -> date:
    return timezone.localdate().replace(day=1)


@pytest.fixture
def program(kukar: Regency, this_month: date) -> SponsorshipProgram:
    """A regency program whose last month is this month (so its alert shows), two beneficiaries."""
    sponsor = sponsors.create_sponsor(
        kind=Sponsor.Kind.REGENCY, name="Pemerintah Kabupaten Kutai Kartanegara", regency=kukar
    )
    program = sponsors.create_program(
        sponsor=sponsor,
        name="Pekerja Rentan Kukar",
        start_month=this_month,
        end_month=this_month,
        budget_ceiling=10 * 16_800,
    )
    for serial in (1, 2):
        sponsors.enrol_beneficiary(program=program, person=neighbour(serial))
    return program


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_sponsor_list_and_page(
    program: SponsorshipProgram,
    admin_user: Any,
    django_assert_max_num_queries: Any,
) -> None:
    client = client_for(admin_user)
    for i in range(5):
        sponsors.create_sponsor(
            kind=Sponsor.Kind.CSR, name=f"PT Peduli {i}", regency=program.sponsor.regency
        )
    with django_assert_max_num_queries(12):
        response = client.get(reverse("contributions:sponsors"))
    html = response.content.decode()
    assert response.status_code == 200
    assert program.sponsor.code in html and "PT Peduli 4" in html
    assert "Rp168.000" in html  # the regency's ceiling
    response = client.get(reverse("contributions:sponsors"), {"jenis": "regency"})
    assert "PT Peduli" not in response.content.decode()

    response = client.get(reverse("contributions:sponsor", args=[program.sponsor.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="people-covered">2<' in html
    assert 'id="budget-used">Rp0<' in html
    assert 'id="budget-remaining">Rp168.000<' in html
    assert 'id="budget-committed">Rp33.600<' in html
    assert program.sponsor.payer_account.virtual_account in html
    assert f'id="alert-{program.pk}"' in html and "Tetangga 1" in html
    assert AuditEvent.objects.filter(
        action="view", object_type="contributions.Beneficiary"
    ).exists()


def test_program_page_lists_beneficiaries(
    program: SponsorshipProgram, admin_user: Any, django_assert_max_num_queries: Any
) -> None:
    client = client_for(admin_user)
    url = reverse("contributions:program", args=[program.sponsor.code, program.pk])
    with django_assert_max_num_queries(16):
        response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tetangga 1" in html and "Tetangga 2" in html
    assert neighbour(1).nik in html  # the administrator sees the full NIK
    assert 'id="committed">Rp33.600<' in html
    events = AuditEvent.objects.filter(action="view", object_type="contributions.Beneficiary")
    assert events.count() == 1


def test_sponsor_user_sees_only_their_sponsor(
    program: SponsorshipProgram, kukar: Regency, make_user: Callable[..., Any]
) -> None:
    other = sponsors.create_sponsor(kind=Sponsor.Kind.CSR, name="PT Lain", regency=kukar)
    user = make_user(Role.SPONSOR_USER, "pemkab-kukar", sponsor_code=program.sponsor.code)
    client = client_for(user)
    html = client.get(reverse("contributions:sponsors")).content.decode()
    assert program.sponsor.code in html and other.code not in html
    assert client.get(reverse("contributions:sponsor", args=[other.code])).status_code == 404
    page = client.get(reverse("contributions:program", args=[program.sponsor.code, program.pk]))
    assert page.status_code == 200
    assert neighbour(1).nik not in page.content.decode()  # masked for a sponsor user
    assert client.get(reverse("contributions:sponsor-create")).status_code == 403
    assert client.get(reverse("contributions:donate")).status_code == 403
    employer_user = make_user(Role.EMPLOYER_USER, "pemberi-kerja")
    assert client_for(employer_user).get(reverse("contributions:sponsors")).status_code == 403
    assert Client().get(reverse("contributions:sponsors")).status_code == 302


def test_create_sponsor_and_program_forms(
    kukar: Regency, make_user: Callable[..., Any], this_month: date
) -> None:
    officer = make_user(Role.BRANCH_OFFICER, "petugas-kukar", office=kukar.branch_office)
    client = client_for(officer)
    response = client.post(
        reverse("contributions:sponsor-create"),
        {"kind": "village", "name": "Pemerintah Desa Loa Kulu", "regency": kukar.pk},
    )
    sponsor = Sponsor.objects.get(name="Pemerintah Desa Loa Kulu")
    assert response.status_code == 302 and sponsor.code.startswith("DESA-")
    url = reverse("contributions:program-create", args=[sponsor.code])
    one_month = sponsors.monthly_amount(this_month, 1_000_000, False).total  # APBDes: discounted
    bad = client.post(
        url,
        {
            "name": "Desa 2026",
            "start_month": "2026-05",
            "end_month": "2026-04",
            "budget_ceiling": "1.000.000",
        },
    )
    assert bad.status_code == 200 and "Bulan terakhir sebelum bulan mulai" in bad.content.decode()
    response = client.post(
        url,
        {
            "name": "Desa 2026",
            "start_month": f"{this_month:%Y-%m}",
            "end_month": f"{this_month:%Y-%m}",
            "budget_ceiling": str(one_month),
        },
    )
    program = SponsorshipProgram.objects.get(name="Desa 2026")
    assert response.status_code == 302
    assert program.budget_ceiling == one_month and program.declared_income == 1_000_000

    enrol = reverse("contributions:program-enrol", args=[sponsor.code, program.pk])
    facts = neighbour(7)
    post = {
        "nik": facts.nik,
        "name": facts.name,
        "birth_date": facts.birth_date.isoformat(),
        "sex": facts.sex,
    }
    assert client.post(enrol, post).status_code == 302
    assert Beneficiary.objects.filter(program=program).count() == 1
    second = neighbour(8)
    response = client.post(
        enrol,
        {**post, "nik": second.nik, "name": second.name},
    )
    assert response.status_code == 200
    assert "Pagu anggaran terlampaui" in response.content.decode()


def test_upload_page(
    program: SponsorshipProgram, admin_user: Any, settings: Any, tmp_path: Any
) -> None:
    settings.REGISTRY_IMPORT_REPORT_DIR = tmp_path
    client = client_for(admin_user)
    url = reverse("contributions:program-upload", args=[program.sponsor.code, program.pk])
    birth = date(1979, 2, 3)
    content = (
        "nik,nama,tanggal_lahir,jenis_kelamin\n"
        f"{nik_for(birth, serial=1)},Ani,1979-02-03,L\n"
        "6402,Salah,1979-02-03,L\n"
    ).encode()
    response = client.post(
        url,
        {"file": SimpleUploadedFile("daftar.csv", content, "text/csv"), "dry_run": "on"},
    )
    html = response.content.decode()
    assert 'id="upload-counts">diterima 1, ditolak 1, tidak berubah 0<' in html
    assert "accepted" not in html and "nik_invalid" in html
    assert Beneficiary.objects.filter(program=program).count() == 2
    response = client.post(url, {"file": SimpleUploadedFile("daftar.csv", content, "text/csv")})
    assert "Disimpan: 1 penerima manfaat baru." in response.content.decode()
    assert Beneficiary.objects.filter(program=program).count() == 3
    template = client.get(
        reverse("contributions:program-template", args=[program.sponsor.code, program.pk])
    )
    assert template.content.decode().startswith("nik,nama,tanggal_lahir,jenis_kelamin\n")


def test_upload_without_a_file_says_so_and_the_report_downloads(
    program: SponsorshipProgram,
    admin_user: Any,
    make_user: Callable[..., Any],
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.REGISTRY_IMPORT_REPORT_DIR = tmp_path
    client = client_for(admin_user)
    url = reverse("contributions:program-upload", args=[program.sponsor.code, program.pk])
    for data in ({}, {"dry_run": "on"}):
        response = client.post(url, data)
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="file-error">Pilih berkas untuk diunggah.<' in html
        assert 'id="upload-summary"' not in html

    content = (
        "nik,nama,tanggal_lahir,jenis_kelamin\n"
        "6402,Salah,1979-02-03,L\n"
        f"{nik_for(date(1979, 2, 3), serial=3)},Ani,1979-02-03,P\n"
    ).encode()
    response = client.post(
        url, {"file": SimpleUploadedFile("daftar.csv", content, "text/csv"), "dry_run": "on"}
    )
    report_id = response.context["report_id"]
    report_url = reverse(
        "contributions:program-upload-report",
        args=[program.sponsor.code, program.pk, report_id, "csv"],
    )
    assert f'href="{report_url}"' in response.content.decode()
    download = client.get(report_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in download["Content-Disposition"]
    lines = download.content.decode().splitlines()
    assert lines[0] == "baris,kolom,kode,pesan"
    assert [line.split(",")[:3] for line in lines[1:]] == [
        ["2", "nik", "nik_invalid"],
        ["3", "jenis_kelamin", "nik_sex_mismatch"],
    ]
    xlsx = client.get(report_url.replace(".csv", ".xlsx"))
    assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
    assert AuditEvent.objects.filter(
        action="export", object_type="contributions.SponsorshipProgram"
    ).exists()
    # Only the session that uploaded downloads its report.
    other = client_for(make_user(Role.SYSTEM_ADMIN, "admin-lain"))
    assert other.get(report_url).status_code == 404


def test_lapsed_program_covers_nobody_on_the_sponsor_pages(
    kukar: Regency, admin_user: Any, this_month: date, django_assert_max_num_queries: Any
) -> None:
    """A program whose last month is over but which was not ended: nobody covered, an alert."""
    sponsor = sponsors.create_sponsor(
        kind=Sponsor.Kind.CSR, name="PT Borneo Agro Lestari", regency=kukar
    )
    start = sponsors.add_months(this_month, -3)
    lapsed = sponsors.create_program(
        sponsor=sponsor,
        name="CSR lewat",
        start_month=start,
        end_month=sponsors.add_months(this_month, -1),
        budget_ceiling=10**6,
    )
    for serial in (81, 82):
        sponsors.enrol_beneficiary(program=lapsed, person=neighbour(serial), on=start)
    client = client_for(admin_user)
    with django_assert_max_num_queries(12):
        listing = client.get(reverse("contributions:sponsors")).content.decode()
    assert f'data-program="{lapsed.pk}" data-lapsed="1"' in listing
    assert "sudah berakhir, belum ditutup" in listing and "2 kepesertaan masih terbuka" in listing
    row = listing[listing.index(f'data-code="{sponsor.code}"') :]
    assert '<td class="text-end">0</td>' in row[: row.index("</tr>")]  # people covered

    page = client.get(reverse("contributions:sponsor", args=[sponsor.code])).content.decode()
    assert 'id="people-covered">0<' in page
    assert f'id="alert-{lapsed.pk}" data-lapsed="1"' in page and "Tetangga 81" in page
    program_page = client.get(
        reverse("contributions:program", args=[sponsor.code, lapsed.pk])
    ).content.decode()
    assert 'id="program-lapsed"' in program_page
    assert 'id="covered">2 / 0<' in program_page

    assert sponsors.end_lapsed_programs(as_of=timezone.localdate()) == 1
    page = client.get(reverse("contributions:sponsor", args=[sponsor.code])).content.decode()
    assert "belum ditutup" not in page


def test_sponsor_list_and_page_leave_out_cancelled_ceilings(
    program: SponsorshipProgram, admin_user: Any, this_month: date
) -> None:
    cancelled = sponsors.create_program(
        sponsor=program.sponsor,
        name="Dibatalkan",
        start_month=sponsors.add_months(this_month, 1),
        end_month=sponsors.add_months(this_month, 2),
        budget_ceiling=1_000_000,
    )
    sponsors.end_program(program=cancelled)
    client = client_for(admin_user)
    listing = client.get(reverse("contributions:sponsors")).content.decode()
    assert "Rp168.000" in listing and "Rp1.168.000" not in listing
    page = client.get(reverse("contributions:sponsor", args=[program.sponsor.code]))
    html = page.content.decode()
    assert 'id="ceiling">Rp168.000<' in html and 'id="budget-remaining">Rp168.000<' in html


def test_end_program_button(program: SponsorshipProgram, admin_user: Any) -> None:
    client = client_for(admin_user)
    url = reverse("contributions:program-end", args=[program.sponsor.code, program.pk])
    response = client.post(url)
    assert response.status_code == 302
    program.refresh_from_db()
    assert program.status in (
        SponsorshipProgram.Status.ENDED,
        SponsorshipProgram.Status.CANCELLED,
    )
    assert not Membership.objects.filter(
        sponsorship__program=program, end_date__isnull=True
    ).exists()


def test_budget_calculator_htmx(admin_user: Any) -> None:
    client = client_for(admin_user)
    url = reverse("contributions:sponsor-budget")
    page = client.get(url)
    assert page.status_code == 200 and 'id="budget-form"' in page.content.decode()
    response = client.get(
        url,
        {"workers": "35440", "months": "3", "start_month": "2022-01", "kind": "regency"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "<html" not in html
    assert 'id="budget-total">Rp1.786.176.000<' in html
    response = client.get(
        url,
        {"workers": "2", "months": "12", "start_month": "2026-01", "kind": "individual"},
        HTTP_HX_REQUEST="true",
    )
    assert 'id="budget-total">Rp252.000<' in response.content.decode()
    bad = client.get(url, {"workers": "-1", "months": "0", "start_month": "x", "kind": "?"})
    assert bad.status_code == 200 and 'id="budget-errors"' in bad.content.decode()


def test_donor_form(kukar: Regency, admin_user: Any, this_month: date) -> None:
    client = client_for(admin_user)
    url = reverse("contributions:donate")
    assert client.get(url).status_code == 200
    a, b = neighbour(51, sex="L"), neighbour(52)
    data = {
        "donor_name": "Hj. Rahmawati",
        "contact_phone": "081255551234",
        "regency": kukar.pk,
        "start_month": f"{this_month:%Y-%m}",
        "months": "3",
    }
    for i, n in enumerate((a, b)):
        data |= {
            f"nik_{i}": n.nik,
            f"name_{i}": n.name,
            f"birth_date_{i}": n.birth_date.isoformat(),
            f"sex_{i}": n.sex,
        }
    bad = client.post(url, {**data, "sex_1": "L"})
    assert bad.status_code == 200 and "tidak sesuai dengan NIK" in bad.content.decode()
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    sponsor = Sponsor.objects.get(name="Hj. Rahmawati")
    assert sponsor.kind == Sponsor.Kind.INDIVIDUAL
    months = sponsors.months_of(this_month, sponsors.add_months(this_month, 2))
    expected = 2 * sum(sponsors.monthly_amount(m, 1_000_000, False).total for m in months)
    assert f'id="donor-total">Rp{expected:,}<'.replace(",", ".") in html
    assert sponsor.payer_account.virtual_account in html
    assert "Rp16.800" in html
    assert Beneficiary.objects.filter(program__sponsor=sponsor).count() == 2


def test_donor_form_refuses_a_past_start_month(
    kukar: Regency, admin_user: Any, this_month: date
) -> None:
    client = client_for(admin_user)
    n = neighbour(53)
    data = {
        "donor_name": "Pak Budi",
        "contact_phone": "081255551234",
        "regency": kukar.pk,
        "start_month": f"{sponsors.add_months(this_month, -1):%Y-%m}",
        "months": "3",
        "nik_0": n.nik,
        "name_0": n.name,
        "birth_date_0": n.birth_date.isoformat(),
        "sex_0": n.sex,
    }
    response = client.post(reverse("contributions:donate"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["start_month"] == [
        "Bulan mulai tidak boleh sebelum bulan ini."
    ]
    assert not Sponsor.objects.filter(name="Pak Budi").exists()


def test_a_donor_signed_in_sponsors_neighbours_themselves(
    kukar: Regency, make_user: Callable[..., Any], this_month: date, program: SponsorshipProgram
) -> None:
    """A donor (a person) with their own sponsor user fills the form in for themselves: no donor
    fields, a new program under their sponsor record, its page theirs to read; a regency's user
    gets no donor form."""
    donor = sponsors.create_sponsor(
        kind=Sponsor.Kind.INDIVIDUAL,
        name="Hj. Rahmawati",
        regency=kukar,
        contact_phone="081255551234",
    )
    client = client_for(make_user(Role.SPONSOR_USER, "rahmawati", sponsor_code=donor.code))
    url = reverse("contributions:donate")
    page = client.get(url).content.decode()
    assert 'id="donor-self"' in page and donor.code in page
    assert 'name="donor_name"' not in page and 'name="contact_phone"' not in page
    assert f'href="{url}"' in page  # in the menu
    a, b = neighbour(61, sex="L"), neighbour(62)
    data = {"regency": kukar.pk, "start_month": f"{this_month:%Y-%m}", "months": "1"}
    for i, n in enumerate((a, b)):
        data |= {
            f"nik_{i}": n.nik,
            f"name_{i}": n.name,
            f"birth_date_{i}": n.birth_date.isoformat(),
            f"sex_{i}": n.sex,
        }
    response = client.post(url, data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lindungi tetangga lain" in html and donor.payer_account.virtual_account in html
    assert Sponsor.objects.filter(name="Hj. Rahmawati").count() == 1  # no second sponsor
    (made,) = SponsorshipProgram.objects.filter(sponsor=donor)
    assert made.start_month == made.end_month == this_month
    assert set(
        Beneficiary.objects.filter(program=made).values_list(
            "membership__participant__person__nik", flat=True
        )
    ) == {a.nik, b.nik}
    assert AuditEvent.objects.filter(
        object_type="contributions.SponsorshipProgram", action="create", actor__username="rahmawati"
    ).exists()
    assert (
        client.get(reverse("contributions:program", args=[donor.code, made.pk])).status_code == 200
    )
    # A sponsor that is not a person (the regency of the fixture) has no donor form.
    regency_user = client_for(
        make_user(Role.SPONSOR_USER, "kukar", sponsor_code=program.sponsor.code)
    )
    assert regency_user.get(url).status_code == 403
    assert (
        f'href="{url}"' not in regency_user.get(reverse("contributions:sponsors")).content.decode()
    )
    assert regency_user.post(url, data).status_code == 403
