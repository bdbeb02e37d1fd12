"""Browser tests of the registry screens: a branch officer registers a PU worker on an employer, with the
NIK checked inline (HTMX) as it is typed, and finds the worker on the employer page and by search; and ends
a worker's membership from the employer page (end date checked inline) and sees it ended."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from jaminan.accounts.roles import Role
from jaminan.geo.models import Regency
from jaminan.registry import services
from jaminan.registry.models import Membership

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_registers_a_pu_worker_and_finds_them_on_the_employer_page(
    login: Any, page: Any, live_server: Any, make_user: Callable[..., Any]
) -> None:
    make_user(Role.BRANCH_OFFICER, "petugas-kepesertaan")
    employer = services.register_employer(
        name="PT Teluk Balikpapan Sejahtera",
        legal_form="PT",
        kbli="52101",
        size_class="small",
        risk_group=2,
        regency=Regency.objects.get(code="64.71"),
    )
    login("petugas-kepesertaan")

    page.click("nav >> text=Kepesertaan")
    page.fill("#id_q", employer.npp)
    page.click("#search-form button[type=submit]")
    page.click(f"#employer-results >> text={employer.name}")
    page.wait_for_url(f"{live_server.url}/kepesertaan/pemberi-kerja/{employer.npp}/")
    assert page.locator("#no-workers").is_visible()

    page.click("#register-worker")
    # The NIK is checked as it is typed: too short, then a valid one.
    page.fill("#id_nik", "64710545089")
    page.wait_for_selector("#error-nik.invalid-feedback >> text=NIK harus 16 digit")
    page.fill("#id_nik", "6471054508900003")
    page.wait_for_selector(
        "#error-nik.valid-feedback >> text=NIK sah: perempuan, lahir 5 Agustus 1990"
    )
    page.fill("#id_name", "Siti Aminah")
    page.fill("#id_birth_date", "1990-08-06")
    page.select_option("#id_sex", "P")
    # The birth date disagrees with the NIK: said inline on the birth-date field.
    page.wait_for_selector("#error-birth_date >> text=tidak sesuai dengan NIK")
    page.fill("#id_birth_date", "1990-08-05")
    page.wait_for_selector("#error-birth_date.valid-feedback", state="attached")
    page.fill("#id_wage", "4.250.000")
    page.fill("#id_start_date", str(timezone.localdate() - timedelta(days=2)))
    page.click("#submit")

    page.wait_for_url(f"{live_server.url}/kepesertaan/pemberi-kerja/{employer.npp}/")
    membership = Membership.objects.select_related("participant").get(employer=employer)
    kpj = membership.participant.kpj_number
    assert kpj in page.locator(".alert-success").inner_text()
    row = page.locator(f"#workers tr[data-kpj='{kpj}']")
    assert "Siti Aminah" in row.inner_text()
    assert "6471054508900003" in row.inner_text()  # an officer sees the full NIK
    assert "Rp4.250.000" in row.inner_text()
    assert page.locator("#wage-bill").inner_text() == "Rp4.250.000"

    # And by name through the search box.
    page.click("nav >> text=Kepesertaan")
    page.fill("#id_q", "aminah")
    page.click("#search-form button[type=submit]")
    page.click("#person-results >> text=Siti Aminah")
    page.wait_for_url(f"{live_server.url}/kepesertaan/peserta/{kpj}/")
    assert page.locator("#kpj").inner_text() == kpj
    assert "PT Teluk Balikpapan Sejahtera" in page.locator("#memberships").inner_text()


def test_officer_ends_a_membership_from_the_employer_page_and_sees_it_ended(
    login: Any, page: Any, live_server: Any, make_user: Callable[..., Any]
) -> None:
    make_user(Role.BRANCH_OFFICER, "petugas-kepesertaan")
    employer = services.register_employer(
        name="PT Mahakam Jaya",
        legal_form="PT",
        kbli="52101",
        size_class="small",
        risk_group=2,
        regency=Regency.objects.get(code="64.71"),
    )
    membership = services.register_pu_worker(
        employer=employer,
        person=services.PersonFacts(
            nik="6471054508900003", name="Siti Aminah", birth_date=date(1990, 8, 5), sex="P"
        ),
        wage=4_250_000,
        start_date=date(2026, 1, 5),
        registered_on=date(2026, 1, 10),
    )
    kpj = membership.participant.kpj_number
    login("petugas-kepesertaan")

    page.goto(f"{live_server.url}/kepesertaan/pemberi-kerja/{employer.npp}/")
    page.click(f"#workers tr[data-kpj='{kpj}'] >> a.end-membership")
    page.wait_for_url(f"**/kepesertaan/peserta/{kpj}/kepesertaan/{membership.pk}/akhiri/*")
    assert "Siti Aminah" in page.locator("h1 + p").inner_text()
    # An end date before the start is said inline, on the field, before anything is posted.
    page.fill("#id_end_date", "2025-12-31")
    page.wait_for_selector(
        "#error-end_date.invalid-feedback >> text=Tanggal berakhir sebelum tanggal mulai"
    )
    page.fill("#id_end_date", "2026-03-31")
    page.wait_for_selector("#error-end_date.valid-feedback", state="attached")
    page.select_option("#id_reason", "resigned")
    page.click("#submit")

    # Back on the employer page: the worker is no longer among the active ones.
    page.wait_for_url(f"{live_server.url}/kepesertaan/pemberi-kerja/{employer.npp}/")
    assert "berakhir pada 31 Maret 2026" in page.locator(".alert-success").inner_text()
    assert page.locator(f"#workers tr[data-kpj='{kpj}']").count() == 0
    assert page.locator("#no-workers").is_visible()
    membership.refresh_from_db()
    assert (membership.end_date, membership.end_reason) == (date(2026, 3, 31), "resigned")

    # The person page shows the membership ended, with its date and reason, and no end button.
    page.goto(f"{live_server.url}/kepesertaan/peserta/{kpj}/")
    item = page.locator(f"#memberships li[data-membership='{membership.pk}']")
    assert "berakhir" in item.locator(".badge.text-bg-secondary").inner_text()
    assert "31 Maret 2026 (mengundurkan diri)" in item.inner_text()
    assert item.locator(f"#end-membership-{membership.pk}").count() == 0
