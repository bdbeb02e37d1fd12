"""The synthetic population: calibration, validity of every row, determinism, re-runs, stats."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction

from jaminan.accounts.models import AuditEvent
from jaminan.contributions import sponsors
from jaminan.contributions.models import Beneficiary, Sponsor, SponsorshipProgram
from jaminan.demo import calibration, generator
from jaminan.demo.generator import AS_OF, RegistryNotEmpty, generate_population, registry_counts
from jaminan.geo.models import MinimumWage, Regency
from jaminan.registry.identifiers import valid_kpj, valid_npp
from jaminan.registry.models import (
    ConstructionProject,
    Dependant,
    Employer,
    IdentifierSequence,
    Membership,
    Participant,
    Person,
    ReportedWage,
)
from jaminan.registry.nik import check_nik, parse_nik
from jaminan.registry.services import age_on, check_pu_programs, pmi_jht_check

pytestmark = pytest.mark.django_db


def _inputs() -> calibration.Inputs:
    return calibration.load_inputs(settings.REFERENCE_DIR)


def _wipe_registry() -> None:
    """Back to a fresh registry (the audit log is append-only and stays)."""
    Beneficiary.objects.all().delete()
    SponsorshipProgram.objects.all().delete()
    Sponsor.objects.all().delete()
    ReportedWage.objects.all().delete()
    Dependant.objects.all().delete()
    Membership.objects.all().delete()
    ConstructionProject.objects.all().delete()
    Participant.objects.all().delete()
    Employer.objects.all().delete()
    Person.objects.all().delete()
    IdentifierSequence.objects.all().delete()


def _checksum() -> str:
    digest = hashlib.sha256()
    queries: list[Any] = [
        Person.objects.order_by("nik").values_list(
            "nik", "name", "birth_date", "sex", "address_regency__code", "phone"
        ),
        Participant.objects.order_by("kpj_number").values_list(
            "kpj_number", "person__nik", "registered_on", "registering_office__code"
        ),
        Employer.objects.order_by("npp").values_list(
            "npp",
            "kind",
            "name",
            "legal_form",
            "npwp",
            "kbli",
            "size_class",
            "risk_group",
            "labour_intensive",
            "regency__code",
            "registered_on",
        ),
        ConstructionProject.objects.order_by("name").values_list(
            "name",
            "contractor__npp",
            "owner_type",
            "contract_value",
            "start_date",
            "end_date",
            "registered_on",
        ),
        Membership.objects.order_by("participant__kpj_number", "start_date").values_list(
            "participant__kpj_number",
            "segment",
            "employer__npp",
            "project__name",
            "payer",
            "has_jkk",
            "has_jkm",
            "has_jht",
            "has_jp",
            "has_jkp",
            "start_date",
            "end_date",
            "end_reason",
            "office__code",
            "registered_on",
            "late_registration",
            "pmi_contract_months",
            "pmi_destination",
            "pmi_jht_monthly",
        ),
        ReportedWage.objects.order_by(
            "membership__participant__kpj_number", "membership__start_date", "effective_month"
        ).values_list("membership__participant__kpj_number", "effective_month", "amount"),
        Dependant.objects.order_by(
            "participant__kpj_number", "relation", "birth_date", "name"
        ).values_list(
            "participant__kpj_number", "name", "relation", "birth_date", "nik", "school_level"
        ),
        Sponsor.objects.order_by("code").values_list(
            "code", "kind", "name", "regency__code", "office__code", "contact_phone"
        ),
        SponsorshipProgram.objects.order_by("sponsor__code").values_list(
            "sponsor__code", "name", "start_month", "end_month", "budget_ceiling", "declared_income"
        ),
        Beneficiary.objects.order_by("membership__participant__kpj_number").values_list(
            "membership__participant__kpj_number", "program__sponsor__code", "enrolled_on"
        ),
    ]
    for query in queries:
        for row in query:
            digest.update(repr(row).encode())
    return digest.hexdigest()


# --- calibration (no database) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("scale", "participants", "employers", "projects"),
    [("1.0", 3_302_762, 63_680, 17_580), ("0.01", 33_028, 637, 176), ("0.001", 3_303, 64, 18)],
)
def test_targets_follow_the_published_figures(
    scale: str, participants: int, employers: int, projects: int
) -> None:
    targets = calibration.targets(scale, _inputs())
    assert targets.participants == participants
    assert sum(targets.segments.values()) == participants
    assert targets.employers == employers
    assert targets.projects == projects
    assert sum(targets.province_participants.values()) == participants


def test_segment_split_is_the_2024_split_scaled_with_a_small_pmi_share() -> None:
    targets = calibration.targets("1.0", _inputs())
    seg = targets.segments
    assert seg["PMI"] == 16_514  # 0.5 % of 3,302,762, rounded half up
    rest = 3_302_762 - seg["PMI"]
    for name, published in (("PU", 1_953_661), ("BPU", 889_957), ("JAKON", 443_402)):
        assert abs(seg[name] - published * rest / 3_287_020) < 1


def test_province_split_uses_coverage_times_employed() -> None:
    shares = calibration.targets("1.0", _inputs()).province_shares
    assert sum(shares.values()) == 1
    assert [round(float(shares[c]) * 100, 2) for c in calibration.PROVINCES] == [
        22.10,
        16.41,
        24.89,
        31.78,
        4.83,
    ]


def test_apportion_keeps_the_total() -> None:
    assert calibration.apportion(10, [calibration.Fraction(1, 3)] * 3) == [4, 3, 3]
    assert calibration.ensure_at_least_one([5, 0, 1], [True, True, True]) == [4, 1, 1]


# --- a generated population ----------------------------------------------------------------


@pytest.fixture
def population(reference: None) -> generator.GenerationResult:
    return generate_population(scale="0.001", seed=7)


def test_stats_match_the_calibration(population: generator.GenerationResult) -> None:
    targets = calibration.targets("0.001", _inputs())
    counts = registry_counts()
    assert counts["participants"] == counts["persons"] == 3_303
    assert (
        counts["participants_by_segment"]
        == targets.segments
        == {"PU": 1953, "BPU": 890, "JAKON": 443, "PMI": 17}
    )
    assert counts["employers"] == 64
    assert counts["projects"] == 18
    assert counts["memberships"] > counts["participants"]  # some earlier, ended memberships
    assert counts["dependants"] > 0
    by_province = Counter(
        Person.objects.values_list("participant__memberships__office__province__code", flat=True)
    )
    assert set(by_province) <= set(calibration.PROVINCES)


def test_one_audit_event_per_run(population: generator.GenerationResult) -> None:
    events = AuditEvent.objects.filter(action=AuditEvent.Action.LOAD, object_type="demo.population")
    assert events.count() == 1
    event = events.get()
    assert event.changes["counts"]["person"] == 3_303
    assert event.changes["seed"] == 7


def test_every_nik_is_valid_unique_kalimantan_and_matches_birth_date_and_sex(
    population: generator.GenerationResult,
) -> None:
    regency_codes = {
        code.replace(".", "") for code in Regency.objects.values_list("code", flat=True)
    }
    persons = list(Person.objects.values_list("nik", "birth_date", "sex"))
    for nik, birth, sex in persons:
        check = check_nik(nik, birth_date=birth, sex=sex)
        assert check.ok, (nik, birth, sex)
        assert check.info.birth_date == birth  # the century too
        assert nik[:2] in calibration.PROVINCES and nik[:4] in regency_codes
        assert 18 <= age_on(birth, AS_OF) <= 60
    dependants = list(Dependant.objects.exclude(nik="").values_list("nik", "birth_date"))
    assert dependants
    for nik, birth in dependants:
        info = parse_nik(nik)
        assert info.valid and info.birth_date == birth, nik
    niks = [p[0] for p in persons] + [d[0] for d in dependants]
    assert len(niks) == len(set(niks))
    women = [p for p in persons if p[2] == "P"]
    assert women and all(41 <= int(nik[6:8]) <= 71 for nik, _, _ in women)


def test_identifiers_are_valid(population: generator.GenerationResult) -> None:
    assert all(valid_kpj(k) for k in Participant.objects.values_list("kpj_number", flat=True))
    assert all(valid_npp(n) for n in Employer.objects.values_list("npp", flat=True))
    assert IdentifierSequence.objects.get(name="kpj").next_value == 3_304


def test_every_membership_satisfies_the_program_rules(
    population: generator.GenerationResult,
) -> None:
    memberships = Membership.objects.select_related(
        "participant__person__address_regency", "employer__regency", "project__regency"
    )
    active = Counter()
    pmi_jht: Counter[bool] = Counter()
    for m in memberships:
        person = m.participant.person
        assert m.has_jkk and m.has_jkm
        assert m.late_registration == ((m.registered_on - m.start_date).days > 30)
        assert m.start_date <= AS_OF
        assert age_on(person.birth_date, m.start_date) >= 18
        if m.end_date is None:
            active[m.participant_id] += 1
        else:
            assert m.end_date >= m.start_date and m.end_reason
        if m.segment == "PU":
            assert m.employer is not None and m.payer == "employer"
            assert m.office_id == m.employer.regency.branch_office_id
            programs = m.programs
            check_pu_programs(
                programs=programs,
                size_class=m.employer.size_class,
                birth_date=person.birth_date,
                start_date=m.start_date,
                registered_on=m.registered_on,
            )
        elif m.segment == "BPU":
            assert not m.has_jp and not m.has_jkp and m.employer is None
            assert m.payer in ("self", "sponsor")
            assert m.office_id == person.address_regency.branch_office_id
        elif m.segment == "JAKON":
            assert m.project is not None and m.employer_id == m.project.contractor_id
            assert m.programs == ["JKK", "JKM"]
            assert m.project.start_date <= m.start_date <= m.project.end_date
            assert m.office_id == m.project.regency.branch_office_id
        else:
            assert m.segment == "PMI" and m.pmi_destination and m.pmi_contract_months
            assert not m.has_jp and not m.has_jkp
            assert m.office_id == person.address_regency.branch_office_id
            # The JHT amount is one the registration accepts (services.pmi_jht_check).
            pmi_jht_check(
                jht_monthly=m.pmi_jht_monthly,
                with_jht=m.has_jht,
                contract_months=m.pmi_contract_months,
                month=m.registered_on,
            )
            pmi_jht[m.has_jht] += 1
    assert set(active.values()) == {1}
    assert len(active) == 3_303
    assert pmi_jht[True] > 0 and pmi_jht[False] > 0  # a share of the PMI chose JHT
    assert Membership.objects.filter(late_registration=True).exists()
    medium_large = Membership.objects.filter(
        segment="PU", employer__size_class__in=["medium", "large"]
    )
    assert medium_large.filter(has_jp=True).exists()
    assert not Membership.objects.filter(
        segment="PU", employer__size_class__in=["micro", "small"], has_jht=False
    ).exists()


def test_employers_and_projects_are_plausible(population: generator.GenerationResult) -> None:
    employers = list(Employer.objects.select_related("regency"))
    sizes = Counter(e.size_class for e in employers)
    assert set(sizes) == {"micro", "small", "medium", "large"}
    assert sizes["micro"] > sizes["large"]
    for e in employers:
        assert 1 <= e.risk_group <= 5 and len(e.kbli) == 5 and e.kbli.isdigit()
        assert e.office_id == e.regency.branch_office_id
    projects = list(ConstructionProject.objects.select_related("contractor"))
    assert {p.owner_type for p in projects} <= {"APBN", "APBD", "private"}
    for p in projects:
        assert p.contract_value > 0 and p.end_date >= p.start_date
        assert p.contractor.kbli[:2] in ("41", "42", "43")
        assert p.memberships.exists()


def test_wages_are_around_the_minimum_wage_with_some_below(
    population: generator.GenerationResult,
) -> None:
    umk = {
        (c, y): s
        for (lvl, c, y, s) in MinimumWage.objects.values_list(
            "level", "area_code", "year", "amount_sen"
        )
        if lvl == "regency"
    }
    ump = {
        (c, y): s
        for (lvl, c, y, s) in MinimumWage.objects.values_list(
            "level", "area_code", "year", "amount_sen"
        )
        if lvl == "province"
    }
    below = at_or_above = 0
    wages = ReportedWage.objects.filter(
        membership__segment="PU",
        membership__end_date__isnull=True,
        effective_month=date(2026, 1, 1),
    ).select_related("membership__employer__regency")
    for wage in wages:
        regency = wage.membership.employer.regency.code
        sen = umk.get((regency, 2026)) or ump[(regency[:2], 2026)]
        assert isinstance(wage.amount, int) and wage.amount > 0
        if wage.amount * 100 < sen:
            below += 1
        else:
            at_or_above += 1
    assert below > 0 and at_or_above > 10 * below  # a few compliance cases, most compliant
    pu = Membership.objects.filter(segment="PU")
    assert not pu.filter(wages__isnull=True).exists()  # every PU membership has a wage
    incomes = Counter(
        ReportedWage.objects.filter(membership__segment="BPU").values_list("amount", flat=True)
    )
    assert min(incomes) >= 1_000_000
    assert incomes[1_000_000] > sum(incomes.values()) / 2


def test_dependants_have_relations_and_school_levels(
    population: generator.GenerationResult,
) -> None:
    dependants = list(Dependant.objects.select_related("participant__person"))
    relations = Counter(d.relation for d in dependants)
    assert relations["spouse"] and relations["child"]
    for d in dependants:
        age = age_on(d.birth_date, AS_OF)
        if d.relation == "child":
            assert age <= 25 and age_on(d.participant.person.birth_date, d.birth_date) >= 18
            expected = {
                "TK": (4, 6),
                "SD": (7, 12),
                "SMP": (13, 15),
                "SMA": (16, 18),
                "PT": (19, 23),
            }
            if d.school_level:
                low, high = expected[d.school_level]
                assert low <= age <= high
        else:
            assert d.school_level == "" and age >= 17
    assert {d.school_level for d in dependants if d.relation == "child"} >= {"SD", "SMP"}


def test_every_sponsored_membership_has_a_sponsor_program_and_budget(
    population: generator.GenerationResult,
) -> None:
    sponsored = Membership.objects.filter(payer="sponsor")
    assert sponsored.count() > 0
    assert not sponsored.filter(sponsorship__isnull=True).exists()
    assert Beneficiary.objects.count() == sponsored.count()
    assert not sponsored.exclude(segment="BPU").exists()
    assert not sponsored.filter(end_date__isnull=False).exists()
    assert set(
        ReportedWage.objects.filter(membership__in=sponsored).values_list("amount", flat=True)
    ) == {1_000_000}
    kinds = Counter(Sponsor.objects.values_list("kind", flat=True))
    assert kinds["regency"] >= 1 and set(kinds) <= set(Sponsor.Kind.values)
    regency = Sponsor.objects.filter(kind="regency").select_related("regency").first()
    assert regency is not None and regency.regency is not None
    assert regency.name.endswith(regency.regency.name)
    assert regency.office_id == regency.regency.branch_office_id
    for program in SponsorshipProgram.objects.select_related("sponsor"):
        assert program.start_month <= AS_OF <= sponsors.program_last_day(program)
        committed = sponsors.committed_cost(program)
        assert committed <= program.budget_ceiling
        if program.sponsor.kind in ("individual", "bapak_asuh"):
            assert committed == program.budget_ceiling
    for b in Beneficiary.objects.select_related("membership", "program")[:200]:
        assert b.enrolled_on == max(b.membership.start_date, b.program.start_month)


# --- determinism and re-runs -----------------------------------------------------------------


def test_same_seed_gives_identical_rows(reference: None) -> None:
    generate_population(scale="0.0005", seed=11)
    first = _checksum()
    first_niks = list(Person.objects.order_by("id").values_list("nik", "participant__kpj_number"))
    _wipe_registry()
    generate_population(scale="0.0005", seed=11)
    assert _checksum() == first
    assert (
        list(Person.objects.order_by("id").values_list("nik", "participant__kpj_number"))
        == first_niks
    )
    _wipe_registry()
    generate_population(scale="0.0005", seed=12)
    assert _checksum() != first


def test_a_second_run_is_refused_skipped_or_appended(reference: None) -> None:
    generate_population(scale="0.0005", seed=7)
    before = registry_counts()
    with pytest.raises(RegistryNotEmpty):
        generate_population(scale="0.0005", seed=7)
    assert generate_population(scale="0.0005", seed=7, if_empty=True).skipped
    assert registry_counts() == before
    generate_population(scale="0.0005", seed=7, append=True)  # same seed: same people, new serials
    after = registry_counts()
    assert after["participants"] == 2 * before["participants"]
    assert after["employers"] == 2 * before["employers"]
    niks = list(Person.objects.values_list("nik", flat=True)) + list(
        Dependant.objects.exclude(nik="").values_list("nik", flat=True)
    )
    assert len(niks) == len(set(niks))
    assert all(parse_nik(n).valid for n in niks)


def test_persons_registered_by_hand_keep_their_nik(reference: None) -> None:
    generate_population(scale="0.0005", seed=5)
    taken = Person.objects.order_by("id").values_list("nik", "name", "birth_date", "sex")[0]
    _wipe_registry()
    Person.objects.create(nik=taken[0], name="Didaftar Petugas", birth_date=taken[2], sex=taken[3])
    generate_population(scale="0.0005", seed=5)  # no participant yet: allowed without --append
    assert Person.objects.filter(nik=taken[0]).get().name == "Didaftar Petugas"
    generated = Person.objects.exclude(name="Didaftar Petugas")
    assert generated.count() == 1_651
    twin = generated.filter(nik__startswith=taken[0][:12], name=taken[1]).get()
    assert twin.nik != taken[0] and parse_nik(twin.nik).valid


def test_commands_generate_and_stats(reference: None) -> None:
    out = StringIO()
    call_command("generate", "--scale", "0.0005", "--seed", "7", "--quiet", stdout=out)
    report = json.loads(out.getvalue())
    assert report["rows"]["person"] == 1_651
    out = StringIO()
    call_command(
        "generate", "--scale", "0.0005", "--seed", "7", "--if-empty", "--quiet", stdout=out
    )
    assert "nothing done" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("generate", "--scale", "0.0005", "--seed", "7", "--quiet", stdout=StringIO())
    out = StringIO()
    call_command("stats", stdout=out)
    stats = json.loads(out.getvalue())
    assert set(stats) == {
        "persons",
        "participants",
        "participants_by_segment",
        "employers",
        "projects",
        "memberships",
        "dependants",
        "sponsors",
    }
    assert stats["participants"] == 1_651
    assert stats["sponsors"]["beneficiaries"] == Membership.objects.filter(payer="sponsor").count()
    assert stats["participants_by_segment"] == {"PU": 976, "BPU": 445, "JAKON": 222, "PMI": 8}
    assert stats["employers"] == 32 and stats["projects"] == 9


@pytest.mark.postgres
def test_postgres_bulk_path_restores_indexes_and_foreign_keys(
    reference: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def schema() -> list[tuple[str, str]]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid::regclass::text LIKE 'registry_%%' "
                "UNION ALL SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'registry_%%' "
                "ORDER BY 1, 2"
            )
            return cursor.fetchall()

    before = schema()
    monkeypatch.setattr(generator, "BULK_FK_THRESHOLD", 0)
    result = generate_population(scale="0.0005", seed=7)
    assert {"indexes", "foreign_keys", "analyze"} <= set(result.timings)
    assert result.counts["person"] == 1_651
    assert schema() == before
    # sequences follow the explicit ids: the next ordinary insert does not collide
    employer = Employer.objects.order_by("-pk").first()
    assert employer is not None
    clone = Employer.objects.create(
        npp="99999997",
        name="PT Sesudah Generate",
        legal_form="PT",
        kbli="47190",
        size_class="micro",
        risk_group=1,
        regency=employer.regency,
        office=employer.office,
        registered_on=AS_OF,
    )
    assert clone.pk > employer.pk
    # the unique constraints are back: a duplicate NIK is refused
    person = Person.objects.first()
    assert person is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(
            nik=person.nik, name="Duplikat", birth_date=person.birth_date, sex=person.sex
        )
