from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from jaminan.accounts.models import AuditEvent
from jaminan.geo.models import (
    WIB,
    WITA,
    FacilityCountStat,
    HealthFacility,
    MinimumWage,
    Office,
    Province,
    PublishedFigure,
    Regency,
    WorkforceStat,
)
from jaminan.geo.services import ReferenceDataError, load_reference

pytestmark = pytest.mark.django_db


def test_five_provinces_and_56_regencies(reference: None) -> None:
    assert list(Province.objects.values_list("code", flat=True)) == ["61", "62", "63", "64", "65"]
    assert Regency.objects.count() == 56
    per_province = {p.code: p.regencies.count() for p in Province.objects.all()}
    assert per_province == {"61": 14, "62": 14, "63": 13, "64": 10, "65": 5}
    kinds = {
        p.code: (
            p.regencies.filter(kind="kabupaten").count(),
            p.regencies.filter(kind="kota").count(),
        )
        for p in Province.objects.all()
    }
    assert kinds == {"61": (12, 2), "62": (13, 1), "63": (11, 2), "64": (7, 3), "65": (4, 1)}


def test_codes_are_kemendagri_not_counted(reference: None) -> None:
    # Kaltim skips codes of the regencies that moved to Kaltara; Tarakan is 65.71, not 64.73.
    assert not Regency.objects.filter(code="64.73").exists()
    assert Regency.objects.get(code="65.71").name == "Tarakan"
    assert Regency.objects.get(code="62.71").name == "Palangka Raya"


def test_time_zones_wib_and_wita(reference: None) -> None:
    zones = dict(Province.objects.values_list("code", "time_zone"))
    assert zones == {"61": WIB, "62": WIB, "63": WITA, "64": WITA, "65": WITA}
    assert Regency.objects.get(code="61.71").time_zone_label == "WIB"
    assert Regency.objects.get(code="64.71").time_zone_label == "WITA"


def test_every_regency_served_by_exactly_one_branch_in_its_province(reference: None) -> None:
    for regency in Regency.objects.select_related("branch_office"):
        assert regency.branch_office is not None, regency.code
        assert regency.branch_office.kind == Office.Kind.BRANCH
        assert regency.branch_office.province_id == regency.province_id
    # Seats and reported areas are not inferred; the rest are, so an administrator can correct them.
    assert not Regency.objects.get(
        code="61.11"
    ).branch_office_inferred  # Kayong Utara → KC Ketapang (reported)
    assert Regency.objects.get(code="61.11").branch_office.code == "KC-KETAPANG"
    assert Regency.objects.get(code="64.03").branch_office_inferred  # Berau: no source
    inferred = Regency.objects.filter(branch_office_inferred=True).count()
    assert 0 < inferred < 56


def test_offices(reference: None) -> None:
    assert Office.objects.filter(kind=Office.Kind.REGIONAL).count() == 1
    assert Office.objects.filter(kind=Office.Kind.BRANCH).count() == 23
    per_province = {p.code: p.offices.count() for p in Province.objects.all()}
    assert per_province == {"61": 5, "62": 5, "63": 4, "64": 6, "65": 3}
    regional = Office.objects.get(kind=Office.Kind.REGIONAL)
    assert regional.code == "KW-KALIMANTAN"
    assert regional.seat_regency.code == "64.71"
    assert Office.objects.filter(kind=Office.Kind.BRANCH, parent=regional).count() == 23


def test_plkk_2026_counts_are_statistics_not_invented_facilities(reference: None) -> None:
    rows = FacilityCountStat.objects.filter(as_of="2026", scope_level="province")
    assert {r.province.code: r.total for r in rows} == {
        "61": 44,
        "62": 64,
        "63": 121,
        "64": 96,
        "65": 11,
    }
    assert sum(r.total for r in rows) == 336
    assert FacilityCountStat.objects.get(as_of="2026", scope_level="region").total == 336
    assert HealthFacility.objects.count() == 0  # the sources name no facilities: none are invented


def test_workforce_and_published_figures(reference: None) -> None:
    bpjs = WorkforceStat.objects.get(basis=WorkforceStat.Basis.BPJS)
    assert bpjs.employed == 7_996_826
    kaltim = WorkforceStat.objects.get(period="2025-08", area_code="64")
    assert (kaltim.employed, kaltim.labour_force, kaltim.province.code) == (
        1_969_739,
        2_077_413,
        "64",
    )
    assert WorkforceStat.objects.filter(level="regency", regency__code="62.08").exists()
    assert PublishedFigure.objects.filter(scope="Kalimantan").exists()
    assert PublishedFigure.objects.count() >= 140
    ump = MinimumWage.objects.get(year=2023, level="province", area_code="61")
    assert ump.amount_sen == 260_860_175  # Rp2.608.601,75 kept exactly


def test_load_reference_is_idempotent(reference: None) -> None:
    before = {
        m.__name__: m.objects.count()
        for m in (
            Province,
            Regency,
            Office,
            FacilityCountStat,
            WorkforceStat,
            PublishedFigure,
            MinimumWage,
        )
    }
    report = load_reference(settings.REFERENCE_DIR)
    after = {
        m.__name__: m.objects.count()
        for m in (
            Province,
            Regency,
            Office,
            FacilityCountStat,
            WorkforceStat,
            PublishedFigure,
            MinimumWage,
        )
    }
    assert before == after
    assert sum(report.created.values()) == 0
    assert report.counts["regencies"] == 56


def test_load_reference_command_audited(
    reference: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("load_reference")
    assert "regencies: 56 (0 new)" in capsys.readouterr().out
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LOAD).first()
    assert event is not None and event.changes["counts"]["provinces"] == 5


def test_missing_file_is_a_clear_error(tmp_path: Path, db: None) -> None:
    with pytest.raises(ReferenceDataError, match=r"regions\.csv: file not found"):
        load_reference(tmp_path)


def test_jurisdiction_outside_province_refused(tmp_path: Path, reference: None) -> None:
    for path in settings.REFERENCE_DIR.glob("*.csv"):
        (tmp_path / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    jurisdiction = tmp_path / "office_jurisdiction.csv"
    text = jurisdiction.read_text(encoding="utf-8").replace(
        "65.04,Tana Tidung,KC Bulungan", "65.04,Tana Tidung,KC Balikpapan"
    )
    jurisdiction.write_text(text, encoding="utf-8")
    with pytest.raises(ReferenceDataError, match="outside"):
        load_reference(tmp_path)
    # Nothing half-saved: the failed load rolled back.
    assert Regency.objects.get(code="65.04").branch_office.code == "KC-BULUNGAN"


def test_reference_files_keep_sources_and_odbl_credit() -> None:
    readme = (settings.REFERENCE_DIR / "README.md").read_text(encoding="utf-8")
    assert "ODbL" in readme and "idn-area-data" in readme
    for path in settings.REFERENCE_DIR.glob("*.csv"):
        header = path.read_text(encoding="utf-8").splitlines()[0]
        assert "source" in header, path.name
