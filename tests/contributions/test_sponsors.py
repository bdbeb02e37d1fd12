"""Sponsors: budget, enrolment against the ceiling, billing of a sponsor, the donor form's service,
end of program and its 30-day alert, beneficiary-list upload, scoping (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max, Model
from django.utils import timezone

from jaminan.accounts.models import AuditEvent
from jaminan.accounts.roles import Role
from jaminan.contributions import billing, ledger, sponsors
from jaminan.contributions.models import Beneficiary, Bill, BillLine, Sponsor, SponsorshipProgram
from jaminan.geo.models import Regency
from jaminan.registry import identifiers
from jaminan.registry.errors import AlreadyActiveMember, NotFound
from jaminan.registry.models import Membership, Participant, Person, ReportedWage
from jaminan.registry.services import PersonFacts, register_bpu_worker

KUKAR_WORKERS = 35_440
KUKAR_BUDGET = 1_786_176_000  # Rp1,78 miliar from the APBD of Kutai Kartanegara, three months


def nik_for(birth: date, sex: str = "L", *, regency: str = "6402", serial: int = 1) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{regency}05{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def neighbour(serial: int, *, sex: str = "P", birth: date = date(1985, 3, 12)) -> PersonFacts:
    return PersonFacts(
        nik=nik_for(birth, sex, serial=serial), name=f"Tetangga {serial}", birth_date=birth, sex=sex
    )


@pytest.fixture
def kukar(reference: None) -> Regency:
    return Regency.objects.select_related("branch_office").get(code="64.02")


@pytest.fixture
def regency_sponsor(kukar: Regency) -> Sponsor:
    return sponsors.create_sponsor(
        kind=Sponsor.Kind.REGENCY, name="Pemerintah Kabupaten Kutai Kartanegara", regency=kukar
    )


def _insert(model: type[Model], columns: list[str], rows: list[tuple[Any, ...]]) -> list[int]:
    """Rows with explicit ids (one executemany; ``bulk_create`` takes half a minute here)."""
    first = (model._default_manager.aggregate(m=Max("id"))["m"] or 0) + 1
    ids = list(range(first, first + len(rows)))
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in ["id", *columns])
    marks = ", ".join(["%s"] * (len(columns) + 1))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})",
            [(i, *row) for i, row in zip(ids, rows, strict=True)],
        )
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)
    return ids


def bulk_beneficiaries(program: SponsorshipProgram, count: int, *, start: date) -> list[int]:
    """``count`` sponsored BPU memberships of ``program``, created set-based (valid NIKs)."""
    office_id = program.sponsor.office_id
    now = timezone.now()
    births = [date.fromordinal(date(1965, 1, 1).toordinal() + i % 12_000) for i in range(count)]
    person_ids = _insert(
        Person,
        [
            "nik",
            "name",
            "birth_date",
            "sex",
            "address_regency_id",
            "phone",
            "nik_override_reason",
            "created_at",
            "updated_at",
        ],
        [
            (
                nik_for(b, serial=i // 12_000 + 1),
                f"Pekerja Rentan {i}",
                b,
                "L",
                program.sponsor.regency_id,
                "",
                "",
                now,
                now,
            )
            for i, b in enumerate(births)
        ],
    )
    serials = identifiers.allocate(identifiers.KPJ, count)
    participant_ids = _insert(
        Participant,
        ["person_id", "kpj_number", "registered_on", "registering_office_id"],
        [
            (pid, identifiers.kpj_from_serial(serial), start, office_id)
            for pid, serial in zip(person_ids, serials, strict=True)
        ],
    )
    membership_ids = _insert(
        Membership,
        [
            "participant_id",
            "segment",
            "payer",
            "has_jkk",
            "has_jkm",
            "has_jht",
            "has_jp",
            "has_jkp",
            "start_date",
            "end_reason",
            "office_id",
            "registered_on",
            "late_registration",
            "pmi_destination",
            "bpu_sector",
        ],
        [
            (
                pid,
                "BPU",
                "sponsor",
                True,
                True,
                False,
                False,
                False,
                start,
                "",
                office_id,
                start,
                False,
                "",
                "other",
            )
            for pid in participant_ids
        ],
    )
    _insert(
        ReportedWage,
        ["membership_id", "effective_month", "amount", "reported_at"],
        [(mid, start, program.declared_income, now) for mid in membership_ids],
    )
    _insert(
        Beneficiary,
        ["program_id", "membership_id", "enrolled_on"],
        [(program.pk, mid, start) for mid in membership_ids],
    )
    return membership_ids


# ------------------------------------------------------------------------------------------ budget


def test_budget_calculator_kutai_kartanegara() -> None:
    """35,440 vulnerable workers, three months from the regency's APBD (no PP 50/2025 discount)."""
    out = sponsors.calculate_budget(
        workers=KUKAR_WORKERS, months=3, start_month=date(2022, 1, 1), government_funded=True
    )
    assert out["per_month"] == [595_392_000, 595_392_000, 595_392_000]
    assert out["total"] == KUKAR_BUDGET
    assert [a.total for a in out["per_worker"]] == [16_800, 16_800, 16_800]


def test_budget_calculator_donor_2026_discount_from_april() -> None:
    out = sponsors.calculate_budget(
        workers=2, months=12, start_month=date(2026, 1, 1), government_funded=False
    )
    assert [a.total for a in out["per_worker"]] == [16_800] * 3 + [8_400] * 9
    assert [a.gross for a in out["per_worker"]] == [16_800] * 12
    assert out["total"] == 2 * (3 * 16_800 + 9 * 8_400) == 252_000


def test_budget_calculator_refuses_bad_input() -> None:
    with pytest.raises(sponsors.InvalidValue) as exc:
        sponsors.calculate_budget(
            workers=1, months=0, start_month=date(2026, 1, 1), government_funded=True
        )
    assert exc.value.field == "months"
    with pytest.raises(sponsors.InvalidValue) as exc:
        sponsors.calculate_budget(
            workers=1, months=3, start_month=date(1999, 1, 1), government_funded=True
        )
    assert exc.value.field == "start_month"


# ------------------------------------------------------------------------------ sponsor and program


def test_create_sponsor_generates_code_and_office(kukar: Regency, admin_user: Any) -> None:
    sponsor = sponsors.create_sponsor(
        kind=Sponsor.Kind.VILLAGE,
        name="Pemerintah Desa Loa Duri Ilir",
        regency=kukar,
        contact_email="desa@example.id",
        actor=admin_user,
    )
    assert sponsor.code.startswith("DESA-") and len(sponsor.code) == 11
    assert sponsor.office_id == kukar.branch_office_id
    assert not sponsor.government_funded  # APBDes is not APBD (docs/rules-readings.md)
    assert sponsor.payer_account.virtual_account.startswith("88893")
    assert AuditEvent.objects.filter(
        action="create", object_type="contributions.Sponsor", object_id=str(sponsor.pk)
    ).exists()
    with pytest.raises(sponsors.SponsorError) as exc:
        sponsors.create_sponsor(
            kind=Sponsor.Kind.CSR, name="PT Lain", regency=kukar, code=sponsor.code.lower()
        )
    assert exc.value.code == "code_taken"
    with pytest.raises(sponsors.InvalidValue) as invalid:
        sponsors.create_sponsor(kind=Sponsor.Kind.REGENCY, name="Tanpa wilayah")
    assert invalid.value.field == "regency"


def test_create_program_defaults_income_to_lowest_tier(regency_sponsor: Sponsor) -> None:
    program = sponsors.create_program(
        sponsor=regency_sponsor,
        name="Perlindungan Pekerja Rentan 2026",
        start_month=date(2026, 1, 15),
        end_month=date(2026, 12, 1),
        budget_ceiling=1_000_000_000,
    )
    assert program.start_month == date(2026, 1, 1)
    assert program.declared_income == 1_000_000
    with pytest.raises(sponsors.InvalidValue) as exc:
        sponsors.create_program(
            sponsor=regency_sponsor,
            name="Terbalik",
            start_month=date(2026, 5, 1),
            end_month=date(2026, 4, 1),
            budget_ceiling=1,
        )
    assert exc.value.field == "end_month"
    with pytest.raises(sponsors.RegistryError) as rule:
        sponsors.create_program(
            sponsor=regency_sponsor,
            name="Di bawah tingkat terendah",
            start_month=date(2026, 1, 1),
            end_month=date(2026, 3, 1),
            budget_ceiling=1,
            declared_income=900_000,
        )
    assert rule.value.code == "income_below_lowest_tier"


def test_program_income_outside_the_tiers_is_refused_in_indonesian(
    regency_sponsor: Sponsor,
) -> None:
    """The rules engine words its refusal in English for developers; the user reads Indonesian, the
    field and the amounts in rupiah."""
    with pytest.raises(sponsors.RegistryError) as low:
        sponsors.create_program(
            sponsor=regency_sponsor,
            name="Penghasilan terlalu rendah",
            start_month=date(2026, 1, 1),
            end_month=date(2026, 3, 1),
            budget_ceiling=10**6,
            declared_income=500_000,
        )
    assert (low.value.code, low.value.field) == ("income_below_lowest_tier", "declared_income")
    assert low.value.message == (
        "Penghasilan yang dilaporkan Rp500.000 di bawah tingkat penghasilan BPU terendah "
        "Rp1.000.000 (bulan 01/2026)."
    )
    with pytest.raises(sponsors.RegistryError) as high:
        sponsors.create_program(
            sponsor=regency_sponsor,
            name="Penghasilan terlalu tinggi",
            start_month=date(2026, 1, 1),
            end_month=date(2026, 3, 1),
            budget_ceiling=10**6,
            declared_income=25_000_000,
        )
    assert (high.value.code, high.value.field) == ("income_above_highest_tier", "declared_income")
    assert "Rp25.000.000" in high.value.message and "Rp20.700.000" in high.value.message
    assert not SponsorshipProgram.objects.exists()


# ------------------------------------------------------------------------- Kutai Kartanegara, billed


@pytest.mark.django_db(transaction=False)
def analyze() -> None:
    """Planner statistics for rows bulk-inserted inside the test's transaction (PostgreSQL's
    autovacuum never sees them): without them a join over 200,000 lines runs as nested scans."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def test_kutai_kartanegara_35440_workers_three_months(regency_sponsor: Sponsor) -> None:
    """The regency's program: the budget calculation, the enrolment ceiling and the bills of the
    billing run all come to exactly Rp1.786.176.000."""
    program = sponsors.create_program(
        sponsor=regency_sponsor,
        name="Perlindungan Pekerja Rentan Kukar",
        start_month=date(2022, 1, 1),
        end_month=date(2022, 3, 1),
        budget_ceiling=KUKAR_BUDGET,
    )
    bulk_beneficiaries(program, KUKAR_WORKERS, start=date(2022, 1, 1))
    analyze()
    assert sponsors.committed_cost(program) == KUKAR_BUDGET

    # The ceiling is used up: one more worker is refused and nothing is saved.
    persons = Person.objects.count()
    with pytest.raises(sponsors.BudgetExceeded) as exc:
        sponsors.enrol_beneficiary(
            program=program, person=neighbour(1, birth=date(1990, 1, 1)), on=date(2022, 1, 3)
        )
    assert exc.value.code == "budget_exceeded" and exc.value.field == "budget_ceiling"
    assert Person.objects.count() == persons

    for month in (date(2022, 1, 1), date(2022, 2, 1), date(2022, 3, 1)):
        billing.run_billing(month=month, office=regency_sponsor.office, today=month.replace(day=2))
    bills = Bill.objects.filter(payer__sponsor=regency_sponsor)
    assert bills.count() == 3
    assert sorted(bills.values_list("amount", flat=True)) == [595_392_000] * 3
    assert sum(bills.values_list("amount", flat=True)) == KUKAR_BUDGET
    assert not BillLine.objects.filter(bill__in=bills, kind="discount").exists()

    analyze()
    summary = sponsors.program_summary(program, on=date(2022, 3, 31))
    assert summary.billed == KUKAR_BUDGET
    assert summary.remaining == 0
    assert summary.covered == KUKAR_WORKERS
    assert ledger.check().ok


# ------------------------------------------------------------------------------- enrolment, ceiling


def test_enrolment_refused_past_the_ceiling(kukar: Regency, admin_user: Any) -> None:
    sponsor = sponsors.create_sponsor(
        kind=Sponsor.Kind.BAPAK_ASUH, name="Bapak Asuh Drs. Hasan", regency=kukar
    )
    # Room for one worker for Jan-Mar 2026 and one for Feb-Mar (no discount before April 2026).
    program = sponsors.create_program(
        sponsor=sponsor,
        name="Bapak Asuh triwulan I",
        start_month=date(2026, 1, 1),
        end_month=date(2026, 3, 1),
        budget_ceiling=5 * 16_800,
    )
    first = sponsors.enrol_beneficiary(
        program=program, person=neighbour(1), on=date(2026, 1, 5), actor=admin_user
    )
    membership = first.membership
    assert membership.payer == Membership.Payer.SPONSOR
    assert membership.segment == Membership.Segment.BPU
    assert membership.programs == ["JKK", "JKM"]
    assert membership.start_date == date(2026, 1, 1)
    assert membership.office_id == kukar.branch_office_id
    assert membership.wages.get().amount == 1_000_000
    assert sponsors.committed_cost(program) == 50_400
    persons = Person.objects.count()
    with pytest.raises(sponsors.BudgetExceeded):
        sponsors.enrol_beneficiary(program=program, person=neighbour(2), on=date(2026, 1, 5))
    assert Person.objects.count() == persons
    # Enrolled in February, a worker costs two months only: it fits.
    second = sponsors.enrol_beneficiary(program=program, person=neighbour(2), on=date(2026, 2, 9))
    assert second.membership.start_date == date(2026, 2, 1)
    assert sponsors.committed_cost(program) == 50_400 + 33_600
    # A NIK alone must be in the registry.
    with pytest.raises(NotFound):
        sponsors.enrol_beneficiary(program=program, person="6402050101900999", on=date(2026, 3, 1))


def test_enrolment_in_a_closed_program_is_refused(regency_sponsor: Sponsor) -> None:
    program = sponsors.create_program(
        sponsor=regency_sponsor,
        name="2025",
        start_month=date(2025, 1, 1),
        end_month=date(2025, 12, 1),
        budget_ceiling=10**9,
    )
    with pytest.raises(sponsors.ProgramClosed) as exc:
        sponsors.enrol_beneficiary(program=program, person=neighbour(3), on=date(2026, 1, 2))
    assert exc.value.code == "program_closed"


def test_existing_self_paying_member_cannot_be_enrolled(kukar: Regency) -> None:
    facts = neighbour(4)
    register_bpu_worker(
        person=PersonFacts(**{**facts.__dict__, "address_regency": kukar}),
        declared_income=1_000_000,
        start_date=date(2025, 6, 1),
        registered_on=date(2025, 6, 1),
    )
    sponsor = sponsors.create_sponsor(kind=Sponsor.Kind.CSR, name="PT Peduli", regency=kukar)
    program = sponsors.create_program(
        sponsor=sponsor,
        name="CSR 2026",
        start_month=date(2026, 1, 1),
        end_month=date(2026, 12, 1),
        budget_ceiling=10**8,
    )
    with pytest.raises(AlreadyActiveMember) as exc:
        sponsors.enrol_beneficiary(program=program, person=facts.nik, on=date(2026, 1, 2))
    assert exc.value.code == "already_member"
    assert not Beneficiary.objects.exists()


def test_a_beneficiary_enrolled_again_in_a_full_program_is_already_member(
    regency_sponsor: Sponsor,
) -> None:
    """The person is refused for being a member, whatever the budget says."""
    program = sponsors.create_program(
        sponsor=regency_sponsor,
        name="Satu orang",
        start_month=date(2026, 1, 1),
        end_month=date(2026, 1, 1),
        budget_ceiling=16_800,  # room for one
    )
    facts = neighbour(5)
    sponsors.enrol_beneficiary(program=program, person=facts, on=date(2026, 1, 2))
    for person in (facts, facts.nik, Person.objects.get(nik=facts.nik)):
        with pytest.raises(AlreadyActiveMember) as exc:
            sponsors.enrol_beneficiary(program=program, person=person, on=date(2026, 1, 3))
        assert (exc.value.code, exc.value.field) == ("already_member", "nik")
        assert "penerima manfaat program ini sejak 01/01/2026" in exc.value.message
    assert Beneficiary.objects.filter(program=program).count() == 1
    # A member of another program (or self-paying) is already_member too, before the budget.
    full = sponsors.create_program(
        sponsor=regency_sponsor,
        name="Penuh",
        start_month=date(2026, 1, 1),
        end_month=date(2026, 1, 1),
        budget_ceiling=0,
    )
    with pytest.raises(AlreadyActiveMember) as other:
        sponsors.enrol_beneficiary(program=full, person=facts.nik, on=date(2026, 1, 3))
    assert other.value.message == "Peserta sudah memiliki kepesertaan BPU aktif."
    with pytest.raises(sponsors.BudgetExceeded):
        sponsors.enrol_beneficiary(program=full, person=neighbour(6), on=date(2026, 1, 3))


# ---------------------------------------------------------------- "Lindungi Pekerja Sekitar Anda"


def test_donor_two_neighbours_through_2026(kukar: Regency) -> None:
    """Rp16.800 a month each; the PP 50/2025 discount halves it from April to December 2026."""
    donation = sponsors.sponsor_neighbours(
        donor_name="Hj. Rahmawati",
        regency=kukar,
        neighbours=[neighbour(11, sex="L"), neighbour(12)],
        start_month=date(2026, 1, 1),
        months=12,
        contact_phone="0812 5555 1234",
        on=date(2026, 1, 6),
    )
    assert donation.sponsor.kind == Sponsor.Kind.INDIVIDUAL
    assert donation.program.start_month == date(2026, 1, 1)
    assert donation.program.end_month == date(2026, 12, 1)
    assert [a.gross for a in donation.per_worker] == [16_800] * 12
    assert [a.total for a in donation.per_worker] == [16_800] * 3 + [8_400] * 9
    assert donation.total == 252_000 == donation.program.budget_ceiling
    assert len(donation.beneficiaries) == 2
    assert donation.virtual_account == donation.sponsor.payer_account.virtual_account
    assert sponsors.committed_cost(donation.program) == 252_000

    for m in range(1, 13):
        month = date(2026, m, 1)
        billing.run_billing(month=month, office=donation.sponsor.office, today=month.replace(day=2))
    bills = Bill.objects.filter(payer__sponsor=donation.sponsor).order_by("month")
    assert [b.amount for b in bills] == [33_600] * 3 + [16_800] * 9
    assert sum(b.amount for b in bills) == 252_000
    assert sponsors.program_summary(donation.program).billed == 252_000
    assert ledger.check().ok


def test_donor_form_is_all_or_nothing(kukar: Regency) -> None:
    sponsors_before = Sponsor.objects.count()
    taken = neighbour(21)
    register_bpu_worker(
        person=PersonFacts(**{**taken.__dict__, "address_regency": kukar}),
        declared_income=1_000_000,
    )
    with pytest.raises(AlreadyActiveMember) as exc:
        sponsors.sponsor_neighbours(
            donor_name="Pak Budi",
            regency=kukar,
            neighbours=[neighbour(22), taken],
            start_month=date(2026, 1, 1),
            months=6,
            on=date(2026, 1, 6),
        )
    assert exc.value.field == "neighbours.1.nik"
    assert Sponsor.objects.count() == sponsors_before
    assert not Beneficiary.objects.exists()
    with pytest.raises(sponsors.InvalidValue):
        sponsors.sponsor_neighbours(
            donor_name="Pak Budi",
            regency=kukar,
            neighbours=[neighbour(n) for n in range(30, 36)],
            start_month=date(2026, 1, 1),
            months=6,
        )


def test_donor_start_month_before_this_month_is_refused(kukar: Regency) -> None:
    """A past start month is refused, not moved silently to this month."""
    sponsors_before = Sponsor.objects.count()
    with pytest.raises(sponsors.InvalidValue) as exc:
        sponsors.sponsor_neighbours(
            donor_name="Pak Budi",
            regency=kukar,
            neighbours=[neighbour(23)],
            start_month=date(2026, 2, 1),
            months=3,
            on=date(2026, 3, 5),
        )
    assert (exc.value.field, exc.value.code) == ("start_month", "start_month_past")
    assert exc.value.message == "Bulan mulai tidak boleh sebelum bulan ini."
    assert Sponsor.objects.count() == sponsors_before
    donation = sponsors.sponsor_neighbours(
        donor_name="Pak Budi",
        regency=kukar,
        neighbours=[neighbour(23)],
        start_month=date(2026, 3, 1),
        months=3,
        on=date(2026, 3, 5),
    )
    assert donation.program.start_month == date(2026, 3, 1)


# ------------------------------------------------------------------------- end of program, alerts


@pytest.fixture
def ending_program(regency_sponsor: Sponsor) -> SponsorshipProgram:
    program = sponsors.create_program(
        sponsor=regency_sponsor,
        name="Triwulan I 2026",
        start_month=date(2026, 1, 1),
        end_month=date(2026, 3, 1),
        budget_ceiling=10**8,
    )
    for serial in (41, 42, 43):
        sponsors.enrol_beneficiary(program=program, person=neighbour(serial), on=date(2026, 1, 2))
    return program


def test_alert_30_days_before_the_last_month_ends(ending_program: SponsorshipProgram) -> None:
    assert sponsors.expiring_programs(as_of=date(2026, 2, 27)) == []  # 32 days before 31 March
    alerts = sponsors.expiring_programs(as_of=date(2026, 3, 1))
    assert [a.program for a in alerts] == [ending_program]
    assert alerts[0].days_left == 30
    assert alerts[0].last_day == date(2026, 3, 31)
    assert alerts[0].count == 3
    assert [b.membership.participant.person.name for b in alerts[0].losing_cover] == [
        "Tetangga 41",
        "Tetangga 42",
        "Tetangga 43",
    ]
    assert sponsors.expiring_programs(as_of=date(2026, 4, 1)) == []

    out = io.StringIO()
    call_command("sponsors", "alerts", "--as-of", "2026-03-10", stdout=out)
    text = out.getvalue()
    assert "Triwulan I 2026" in text and "31 Maret 2026" in text
    assert "Tetangga 42" in text and "3 orang" in text
    assert AuditEvent.objects.filter(
        action="export", object_type="contributions.Beneficiary"
    ).exists()


def test_end_program_ends_memberships(ending_program: SponsorshipProgram, admin_user: Any) -> None:
    ended = sponsors.end_program(program=ending_program, on=date(2026, 4, 2), actor=admin_user)
    assert ended == 3
    ending_program.refresh_from_db()
    assert ending_program.status == SponsorshipProgram.Status.ENDED
    memberships = Membership.objects.filter(sponsorship__program=ending_program)
    assert set(memberships.values_list("end_date", "end_reason")) == {
        (date(2026, 3, 31), "contract_ended")
    }
    assert sponsors.expiring_programs(as_of=date(2026, 3, 20)) == []
    with pytest.raises(sponsors.ProgramClosed):
        sponsors.end_program(program=ending_program, on=date(2026, 4, 2))


def test_end_due_programs_command(ending_program: SponsorshipProgram) -> None:
    out = io.StringIO()
    call_command("sponsors", "end", "--as-of", "2026-03-31", stdout=out)
    assert "0 program" in out.getvalue()
    call_command("sponsors", "end", "--as-of", "2026-04-01", stdout=out)
    ending_program.refresh_from_db()
    assert ending_program.status == SponsorshipProgram.Status.ENDED
    assert "3 kepesertaan" in out.getvalue()


def test_a_lapsed_program_covers_nobody_and_is_flagged_until_ended(
    ending_program: SponsorshipProgram, admin_user: Any
) -> None:
    """Past its last month a program still active covers nobody (its memberships are no longer
    billed) and is flagged "sudah berakhir, belum ditutup" with its memberships still open, until
    ``end_lapsed_programs`` — which the billing run calls before billing a month — ends it."""
    as_of = date(2026, 4, 10)
    assert sponsors.program_summary(ending_program, on=date(2026, 3, 31)).covered == 3
    summary = sponsors.program_summary(ending_program, on=as_of)
    assert (summary.covered, summary.lapsed, summary.beneficiaries) == (0, True, 3)
    code = ending_program.sponsor.code
    detail = sponsors.sponsor_detail(user=admin_user, code=code, on=as_of)
    assert detail.covered == 0
    assert sponsors.sponsor_list(user=admin_user, on=as_of).get(code=code).covered == 0
    assert sponsors.sponsor_list(user=admin_user, on=date(2026, 3, 31)).get(code=code).covered == 3

    (alert,) = sponsors.lapsed_programs(as_of=as_of)
    assert (alert.program, alert.lapsed, alert.count) == (ending_program, True, 3)
    assert (alert.last_day, alert.days_left) == (date(2026, 3, 31), -10)
    assert [a.program for a in detail.alerts] == [ending_program] and detail.alerts[0].lapsed
    assert sponsors.expiring_programs(as_of=as_of) == []
    out = io.StringIO()
    call_command("sponsors", "alerts", "--as-of", "2026-04-10", stdout=out)
    assert "belum ditutup, 3 kepesertaan masih terbuka" in out.getvalue()

    assert sponsors.end_lapsed_programs(as_of=date(2026, 3, 1)) == 0  # not over yet
    assert sponsors.end_lapsed_programs(as_of=date(2026, 4, 1)) == 1
    ending_program.refresh_from_db()
    assert ending_program.status == SponsorshipProgram.Status.ENDED
    assert set(
        Membership.objects.filter(sponsorship__program=ending_program).values_list(
            "end_date", "end_reason"
        )
    ) == {(date(2026, 3, 31), "contract_ended")}
    assert sponsors.lapsed_programs(as_of=as_of) == []
    assert sponsors.end_lapsed_programs(as_of=as_of) == 0  # re-running changes nothing
    assert sponsors.committed_cost(ending_program) == 3 * 3 * 16_800


def test_a_program_cancelled_before_it_starts_covers_and_commits_nothing(
    regency_sponsor: Sponsor,
) -> None:
    """Its memberships never started: they end on their start date (the registry allows no end
    before the start) and count neither as covered nor as committed."""
    program = sponsors.create_program(
        sponsor=regency_sponsor,
        name="Semester II 2026",
        start_month=date(2026, 6, 1),
        end_month=date(2026, 8, 1),
        budget_ceiling=10**7,
    )
    sponsors.enrol_beneficiary(program=program, person=neighbour(44), on=date(2026, 5, 10))
    assert sponsors.program_summary(program, on=date(2026, 5, 10)).covered == 1
    assert sponsors.committed_cost(program) == 3 * 16_800

    assert sponsors.end_program(program=program, on=date(2026, 5, 15)) == 1
    program.refresh_from_db()
    assert program.status == SponsorshipProgram.Status.CANCELLED
    membership = Membership.objects.get(sponsorship__program=program)
    assert (membership.start_date, membership.end_date, membership.end_reason) == (
        date(2026, 6, 1),
        date(2026, 6, 1),
        "contract_ended",
    )
    for on in (date(2026, 5, 15), date(2026, 6, 1)):
        summary = sponsors.program_summary(program, on=on)
        assert (summary.covered, summary.committed, summary.beneficiaries) == (0, 0, 1)
    assert sponsors.program_months_counter(program) == {}
    billing.run_billing(
        month=date(2026, 6, 1), office=regency_sponsor.office, today=date(2026, 6, 2)
    )
    assert not Bill.objects.filter(payer__sponsor=regency_sponsor).exists()


def test_sponsor_totals_leave_out_cancelled_programs(
    regency_sponsor: Sponsor, admin_user: Any
) -> None:
    """The ceiling and remaining budget of a sponsor count its running and ended programs, not the
    cancelled ones (page, API and list alike)."""
    running, ended, cancelled = (
        sponsors.create_program(
            sponsor=regency_sponsor,
            name=name,
            start_month=date(2026, 1, 1),
            end_month=date(2026, 3, 1),
            budget_ceiling=ceiling,
        )
        for name, ceiling in (("Berjalan", 100_000), ("Selesai", 20_000), ("Batal", 50_000))
    )
    sponsors.end_program(program=ended, on=date(2026, 4, 1))
    sponsors.end_program(program=cancelled, on=date(2026, 1, 2))
    assert {p.status for p in SponsorshipProgram.objects.all()} == {"active", "ended", "cancelled"}
    detail = sponsors.sponsor_detail(
        user=admin_user, code=regency_sponsor.code, on=date(2026, 1, 5)
    )
    assert detail.ceiling == 120_000
    assert detail.remaining == 120_000
    listed = sponsors.sponsor_list(user=admin_user).get(code=regency_sponsor.code)
    assert (listed.ceiling, listed.programs_count) == (120_000, 3)
    assert running.status == SponsorshipProgram.Status.ACTIVE


# ------------------------------------------------------------------------------------------ upload


def _csv(*rows: str) -> bytes:
    return ("nik,nama,tanggal_lahir,jenis_kelamin\n" + "\n".join(rows) + "\n").encode()


def test_beneficiary_upload_report_dry_run_and_apply(regency_sponsor: Sponsor) -> None:
    program = sponsors.create_program(
        sponsor=regency_sponsor,
        name="Unggah 2026",
        start_month=date(2026, 1, 1),
        end_month=date(2026, 3, 1),
        budget_ceiling=3 * 50_400,  # room for three workers
    )
    b = date(1980, 5, 17)
    content = _csv(
        f"{nik_for(b, serial=1)},Andi,1980-05-17,L",
        f"{nik_for(b, serial=2)},Budi,17/05/1980,L",
        f"{nik_for(b, serial=1)},Andi lagi,1980-05-17,L",  # duplicate in file
        "123,Salah,1980-05-17,L",  # invalid NIK
        f"{nik_for(b, serial=3)},Cici,1980-05-17,P",  # sex differs from the NIK
        f"{nik_for(b, serial=4)},Dodi,1980-05-17,L",
        f"{nik_for(b, serial=5)},Edi,1980-05-17,L",  # past the ceiling
        ",,,",
    )
    dry = sponsors.import_beneficiaries(
        program=program, content=content, filename="daftar.csv", dry_run=True, on=date(2026, 1, 4)
    )
    assert (dry.rows, dry.accepted, dry.rejected, dry.unchanged) == (7, 3, 4, 0)
    assert [(i.baris, i.kolom, i.kode) for i in dry.issues] == [
        (4, "nik", "duplicate_in_file"),
        (5, "nik", "nik_invalid"),
        (6, "jenis_kelamin", "nik_sex_mismatch"),
        (8, "nik", "budget_exceeded"),
    ]
    assert dry.to_csv().decode().splitlines()[0] == "baris,kolom,kode,pesan"
    assert not Beneficiary.objects.exists() and not dry.applied

    report = sponsors.import_beneficiaries(
        program=program, content=content, filename="daftar.csv", on=date(2026, 1, 4)
    )
    assert report.applied and report.accepted == 3 and report.created_memberships == 3
    assert report.cost == 3 * 50_400
    members = Membership.objects.filter(sponsorship__program=program)
    assert members.count() == 3
    assert set(members.values_list("payer", "segment", "start_date", "has_jht")) == {
        ("sponsor", "BPU", date(2026, 1, 1), False)
    }
    assert set(
        ReportedWage.objects.filter(membership__in=members).values_list("amount", flat=True)
    ) == {1_000_000}
    assert sponsors.committed_cost(program) == 3 * 50_400

    again = sponsors.import_beneficiaries(
        program=program, content=content, filename="daftar.csv", on=date(2026, 1, 4)
    )
    assert again.unchanged == 3 and again.accepted == 0 and not again.applied
    assert Beneficiary.objects.count() == 3
    assert ledger.check().ok


def test_beneficiary_upload_xlsx(regency_sponsor: Sponsor) -> None:
    from openpyxl import Workbook

    program = sponsors.create_program(
        sponsor=regency_sponsor,
        name="XLSX",
        start_month=date(2026, 1, 1),
        end_month=date(2026, 1, 1),
        budget_ceiling=10**6,
    )
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["NIK", "Nama", "Tanggal_Lahir", "Jenis_Kelamin"])
    birth = date(1991, 7, 9)
    sheet.append([nik_for(birth, "P", serial=9), "Wati", birth, "P"])
    sheet.append([nik_for(birth, "P", serial=10), "Tuti", "09/07/1991", "p"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = sponsors.import_beneficiaries(
        program=program, content=buffer.getvalue(), filename="daftar.xlsx", on=date(2026, 1, 2)
    )
    assert (report.accepted, report.rejected, report.issues) == (2, 0, [])
    assert set(
        Beneficiary.objects.filter(program=program).values_list(
            "membership__participant__person__name", flat=True
        )
    ) == {"Wati", "Tuti"}
    assert report.cost == 2 * 16_800


def test_beneficiary_upload_rejects_a_bad_header(regency_sponsor: Sponsor) -> None:
    program = sponsors.create_program(
        sponsor=regency_sponsor,
        name="Header",
        start_month=date(2026, 1, 1),
        end_month=date(2026, 3, 1),
        budget_ceiling=10**6,
    )
    with pytest.raises(sponsors.ImportFileError):
        sponsors.import_beneficiaries(
            program=program, content=b"nik,nama\n1,2\n", on=date(2026, 1, 4)
        )


# ----------------------------------------------------------------------------------------- scoping


def test_sponsor_user_sees_only_their_sponsor(
    regency_sponsor: Sponsor, kukar: Regency, make_user: Callable[..., Any]
) -> None:
    other = sponsors.create_sponsor(kind=Sponsor.Kind.CSR, name="PT Lain", regency=kukar)
    user = make_user(Role.SPONSOR_USER, "kukar", sponsor_code=regency_sponsor.code)
    assert list(sponsors.sponsors_in_scope(user)) == [regency_sponsor]
    assert sponsors.sponsor_detail(user=user, code=regency_sponsor.code).sponsor == regency_sponsor
    with pytest.raises(NotFound):
        sponsors.sponsor_detail(user=user, code=other.code)
    officer = make_user(Role.BRANCH_OFFICER, "petugas-bpp")  # Balikpapan: not Kukar's office
    assert kukar.branch_office is not None
    if kukar.branch_office.code != "KC-BALIKPAPAN":
        assert not sponsors.sponsors_in_scope(officer).exists()
    kukar_officer = make_user(Role.BRANCH_OFFICER, "petugas-kukar", office=kukar.branch_office)
    assert set(sponsors.sponsors_in_scope(kukar_officer)) == {regency_sponsor, other}


# --------------------------------------------------------------------------- generated population


def test_generated_sponsors_are_billed_what_the_rules_say(reference: None) -> None:
    """Every sponsored BPU membership of the synthetic population is billed to its sponsor, each
    program's January 2026 bill lines are the rules' amounts (BPU sector, APBD or not), and the
    ceilings hold the programs' costs."""
    from jaminan.demo.generator import generate_population

    generate_population(scale="0.0005", seed=3)
    month = date(2026, 1, 1)
    billing.run_billing(month=month, today=date(2026, 1, 2))
    sponsored = Membership.objects.filter(payer="sponsor", end_date__isnull=True)
    assert sponsored.count() == Beneficiary.objects.count() > 0
    assert (
        BillLine.objects.filter(bill__month=month, bill__payer__kind="sponsor", kind="contribution")
        .values("membership")
        .distinct()
        .count()
        == sponsored.count()
    )
    for program in SponsorshipProgram.objects.select_related("sponsor"):
        expected = sum(
            sponsors.monthly_amount(
                month,
                program.declared_income,
                program.sponsor.government_funded,
                b.membership.bpu_sector,
            ).total
            for b in program.beneficiaries.select_related("membership")
        )
        assert sponsors.program_summary(program, on=month).billed == expected
        assert sponsors.committed_cost(program) <= program.budget_ceiling
    assert ledger.check().ok
