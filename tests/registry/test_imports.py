"""Worker-list import: exact report rows and codes, dry run, one transaction, idempotent re-upload, XLSX,
unreadable files (exit 2 from the command)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from jaminan.accounts.models import AuditEvent
from jaminan.registry import imports, services
from jaminan.registry.imports import ImportFileError, import_workers
from jaminan.registry.models import Employer, Membership, Participant, Person, ReportedWage
from tests.registry.conftest import make_nik

pytestmark = pytest.mark.django_db

HEADER = "nik,nama,tanggal_lahir,jenis_kelamin,upah,tanggal_mulai"
TODAY = date(2026, 3, 2)


def good_rows(n: int, start_serial: int = 1) -> list[list[str]]:
    rows = []
    for i in range(n):
        birth = date(1980 + i % 20, 1 + i % 12, 1 + i % 28)
        sex = "LP"[i % 2]
        rows.append(
            [
                make_nik(birth, sex, serial=start_serial + i),
                f"Pekerja {i}",
                birth.isoformat(),
                sex,
                "4.000.000",
                "2026-02-01",
            ]
        )
    return rows


def to_csv(rows: list[list[str]], bom: bool = False, header: str = HEADER) -> bytes:
    out = io.StringIO()
    out.write(header + "\r\n")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def to_xlsx(rows: list[list[Any]], header: str = HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(header.split(","))
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Participant.objects.count(),
        Membership.objects.count(),
        ReportedWage.objects.count(),
    )


@pytest.fixture
def member_nik(employer: Employer) -> str:
    birth = date(1985, 5, 5)
    m = services.register_pu_worker(
        employer=employer,
        person=services.PersonFacts(
            nik=make_nik(birth, "L", serial=9001), name="Lama", birth_date=birth, sex="L"
        ),
        wage=5_000_000,
        start_date=date(2025, 1, 1),
        registered_on=date(2025, 1, 1),
    )
    return m.participant.person.nik


def tenth_bad(member_nik: str) -> tuple[list[list[str]], list[tuple[int, str, str]]]:
    """100 rows, 10 of them bad (one problem each), plus one accepted row below the minimum wage."""
    rows = good_rows(100)
    b = date(1990, 8, 5)
    rows[3] = ["647105450890000", "Lima Belas Digit", "1990-08-05", "P", "4000000", "2026-02-01"]
    rows[10] = [
        make_nik(b, "P", serial=7001),
        "Beda Tanggal",
        "06/08/1990",
        "P",
        "4000000",
        "2026-02-01",
    ]
    rows[17] = [
        make_nik(b, "P", serial=7002),
        "Beda Kelamin",
        "1990-08-05",
        "L",
        "4000000",
        "2026-02-01",
    ]
    rows[25] = [make_nik(b, "P", serial=7003), "", "1990-08-05", "P", "4000000", "2026-02-01"]
    rows[33] = [
        make_nik(b, "P", serial=7004),
        "Upah Koma",
        "1990-08-05",
        "P",
        "3,5 juta",
        "2026-02-01",
    ]
    rows[41] = [
        make_nik(b, "P", serial=7005),
        "Tanggal Salah",
        "1990-08-05",
        "P",
        "4000000",
        "31/02/2026",
    ]
    rows[50] = [
        make_nik(b, "P", serial=7006),
        "Kelamin X",
        "1990-08-05",
        "X",
        "4000000",
        "2026-02-01",
    ]
    rows[60] = list(rows[59])  # duplicate of the row before
    rows[70] = [member_nik, "Sudah Anggota", "1985-05-05", "L", "5000000", "2026-02-01"]
    rows[80] = [
        make_nik(b, "P", serial=7007),
        "Upah Negatif",
        "1990-08-05",
        "P",
        "-1",
        "2026-02-01",
    ]
    rows[90] = [
        make_nik(b, "P", serial=7008),
        "Upah Rendah",
        "1990-08-05",
        "P",
        "3.856.694",
        "2026-02-01",
    ]
    expected = [  # (baris, kolom, kode); baris = index + 2 (header is row 1)
        (5, "nik", "nik_invalid"),
        (12, "tanggal_lahir", "nik_birth_date_mismatch"),
        (19, "jenis_kelamin", "nik_sex_mismatch"),
        (27, "nama", "required"),
        (35, "upah", "wage_invalid"),
        (43, "tanggal_mulai", "date_invalid"),
        (52, "jenis_kelamin", "sex_invalid"),
        (62, "nik", "duplicate_in_file"),
        (72, "nik", "already_member"),
        (82, "upah", "wage_invalid"),
        (92, "upah", "wage_below_minimum"),
    ]
    return rows, expected


def test_tenth_bad_rows_exact_report_and_dry_run_writes_nothing(
    employer: Employer, member_nik: str
) -> None:
    rows, expected = tenth_bad(member_nik)
    before = counts()
    report = import_workers(
        employer=employer, content=to_csv(rows), filename="w.csv", dry_run=True, registered_on=TODAY
    )
    assert [(i.baris, i.kolom, i.kode) for i in report.issues] == expected
    assert (report.rows, report.accepted, report.rejected, report.warnings, report.unchanged) == (
        100,
        90,
        10,
        1,
        0,
    )
    assert counts() == before and not report.applied
    assert report.issues[0].pesan == "NIK tidak sah: NIK harus 16 digit."
    assert report.issues[7].pesan == "NIK sudah muncul pada baris 61 berkas ini."
    assert "Rp3.856.694" in report.issues[-1].pesan and "UMK 2026" in report.issues[-1].pesan
    lines = report.to_csv().decode().splitlines()
    assert lines[0] == "baris,kolom,kode,pesan" and lines[1].startswith("5,nik,nik_invalid,")
    sheet = load_workbook(io.BytesIO(report.to_xlsx()), read_only=True).worksheets[0]
    xrows = list(sheet.iter_rows(values_only=True))
    assert xrows[0] == ("baris", "kolom", "kode", "pesan") and xrows[1][:3] == (
        5,
        "nik",
        "nik_invalid",
    )


def test_apply_then_reupload_changes_nothing(employer: Employer, member_nik: str) -> None:
    rows, _ = tenth_bad(member_nik)
    content = to_csv(rows, bom=True)
    before = counts()
    report = import_workers(
        employer=employer, content=content, filename="w.csv", registered_on=TODAY
    )
    assert report.applied and report.accepted == 90 and report.created_memberships == 90
    assert counts() == (before[0] + 90, before[1] + 90, before[2] + 90, before[3] + 90)
    m = Membership.objects.select_related("participant__person").get(
        participant__person__nik=rows[0][0]
    )
    assert (m.segment, m.payer, m.office_id, m.start_date, m.late_registration) == (
        "PU",
        "employer",
        employer.office_id,
        date(2026, 2, 1),
        False,
    )
    assert m.programs == ["JKK", "JKM", "JHT", "JP", "JKP"]  # medium employer
    assert m.wages.get().amount == 4_000_000
    event = AuditEvent.objects.filter(object_type="registry.Employer", changes__accepted=90).get()
    assert event.changes["created_memberships"] == 90
    after = counts()
    again = import_workers(
        employer=employer, content=content, filename="w.csv", registered_on=TODAY
    )
    assert (again.accepted, again.unchanged, again.rejected, again.applied) == (0, 90, 10, False)
    assert counts() == after


def test_existing_person_keeps_participant(
    make_employer: Callable[..., Employer], member_nik: str
) -> None:
    other = make_employer("micro", name="CV Kedua")
    kpj = Participant.objects.get(person__nik=member_nik).kpj_number
    report = import_workers(
        employer=other,
        content=to_csv([[member_nik, "Lama", "1985-05-05", "L", "4000000", "2026-02-01"]]),
        registered_on=TODAY,
    )
    assert report.accepted == 1 and report.created_persons == 0 and report.created_participants == 0
    m = Membership.objects.get(employer=other)
    assert m.participant.kpj_number == kpj and m.programs == ["JKK", "JKM", "JHT", "JKP"]


def test_failure_inside_the_transaction_writes_nothing(
    employer: Employer, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = counts()

    real_insert = imports._insert_chunks

    def insert_then_fail(model: Any, n: int, *args: Any) -> Any:
        if model is ReportedWage:  # persons, participants and memberships are already inserted
            raise RuntimeError("disk full")
        return real_insert(model, n, *args)

    monkeypatch.setattr(imports, "_insert_chunks", insert_then_fail)
    with pytest.raises(RuntimeError):
        import_workers(employer=employer, content=to_csv(good_rows(20)), registered_on=TODAY)
    assert counts() == before


def test_xlsx_with_native_cells(employer: Employer) -> None:
    birth = date(1991, 2, 3)
    rows: list[list[Any]] = [
        [int(make_nik(birth, "L", serial=11)), "Angka", birth, "L", 4_500_000, date(2026, 1, 2)],
        [make_nik(birth, "P", serial=12), "Teks", "03/02/1991", "p", "4.500.000", "2026-01-02"],
        [None, None, None, None, None, None],
        [make_nik(birth, "P", serial=13), "Pecahan", "1991-02-03", "P", 4_500_000.5, "2026-01-02"],
    ]
    report = import_workers(
        employer=employer, content=to_xlsx(rows), filename="w.xlsx", registered_on=TODAY
    )
    assert report.accepted == 2 and [(i.baris, i.kode) for i in report.issues] == [
        (5, "wage_invalid")
    ]
    assert Membership.objects.filter(employer=employer).count() == 2


def test_header_case_and_space_insensitive(employer: Employer) -> None:
    header = " NIK , Nama,TANGGAL_LAHIR,jenis_kelamin,Upah,tanggal_mulai "
    report = import_workers(
        employer=employer,
        content=to_csv(good_rows(3), header=header),
        dry_run=True,
        registered_on=TODAY,
    )
    assert report.accepted == 3


@pytest.mark.parametrize(
    ("content", "name", "reason"),
    [
        (b"nik,nama,tanggal_lahir\n1,2,3\n", "w.csv", "Judul kolom"),
        (HEADER.encode("utf-16"), "w.csv", "UTF-8"),
        ("nik;nama\n".encode("latin-1") + b"\xe9\n", "w.csv", "UTF-8"),
        (b"", "w.csv", "kosong"),
        (b"PK\x03\x04garbage", "w.xlsx", "XLSX"),
        (b"\xd0\xcf\x11\xe0binary", "w.xls", "tidak didukung"),
    ],
)
def test_unreadable_files(employer: Employer, content: bytes, name: str, reason: str) -> None:
    with pytest.raises(ImportFileError) as exc:
        import_workers(employer=employer, content=content, filename=name)
    assert reason in exc.value.reason


def test_command(
    employer: Employer, member_nik: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rows, expected = tenth_bad(member_nik)
    path = tmp_path / "pekerja.csv"
    path.write_bytes(to_csv(rows))
    report = tmp_path / "laporan.xlsx"
    call_command(
        "import_data",
        "workers",
        str(path),
        "--employer",
        employer.npp,
        "--dry-run",
        "--report",
        str(report),
    )
    assert "accepted 90, rejected 10, warnings 1, unchanged 0" in capsys.readouterr().out
    assert Membership.objects.filter(employer=employer).count() == 1
    sheet = load_workbook(report, read_only=True).worksheets[0]
    assert len(list(sheet.iter_rows(values_only=True))) == 1 + len(expected)
    call_command("import_data", "workers", str(path), "--employer", employer.npp)
    assert Membership.objects.filter(employer=employer).count() == 91
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"a,b,c\n")
    with pytest.raises(CommandError) as exc:
        call_command("import_data", "workers", str(bad), "--employer", employer.npp)
    assert exc.value.returncode == 2 and "Judul kolom" in str(exc.value)


def test_templates() -> None:
    assert imports.template_csv().decode().splitlines()[0] == HEADER
    sheet = load_workbook(io.BytesIO(imports.template_xlsx()), read_only=True).worksheets[0]
    assert ",".join(next(sheet.iter_rows(values_only=True))) == HEADER


@pytest.mark.postgres
def test_copy_path_escapes_text_and_fills_defaults(employer: Employer) -> None:
    birth = date(1990, 8, 5)
    name = 'Tab\there, back\\slash "kutip"'
    content = to_csv(
        [[make_nik(birth, "P", serial=77), name, "1990-08-05", "P", "4000000", "2026-02-01"]]
    )
    report = import_workers(employer=employer, content=content, registered_on=TODAY)
    assert report.created_memberships == 1
    person = Person.objects.get(nik=make_nik(birth, "P", serial=77))
    assert (
        person.name == name
        and person.phone == ""
        and person.death_date is None
        and person.created_at
    )
    m = Membership.objects.get(participant__person=person)
    assert (m.end_reason, m.pmi_destination, m.project_id, m.pmi_contract_months) == (
        "",
        "",
        None,
        None,
    )
    # the ids handed out by the sequences stay usable by the ORM afterwards
    other = services.register_person(
        nik=make_nik(birth, "P", serial=78), name="B", birth_date=birth, sex="P"
    )
    assert other.pk > person.pk


def test_deceased_person_rejected(employer: Employer) -> None:
    other_nik = make_nik(date(1990, 1, 1), "L", serial=4242)
    services.register_person(nik=other_nik, name="Mendiang", birth_date=date(1990, 1, 1), sex="L")
    Person.objects.filter(nik=other_nik).update(death_date=date(2025, 6, 1))
    rows = [[other_nik, "Mendiang", "1990-01-01", "L", "4000000", "2026-02-01"]]
    report = import_workers(
        employer=employer, content=to_csv(rows), dry_run=True, registered_on=TODAY
    )
    assert [(i.baris, i.kolom, i.kode) for i in report.issues] == [(2, "nik", "person_deceased")]
    assert report.issues[0].pesan == "NIK tercatat sudah meninggal dunia (01/06/2025)."


def test_line_with_more_cells_than_the_header_is_rejected(employer: Employer) -> None:
    rows = good_rows(3)
    rows[0] = [*rows[0][:4], "4,000,000", rows[0][5]]  # a comma in the wage, unquoted below
    rows[1] = [*rows[1], "", ""]  # trailing empty cells: fine
    content = to_csv(rows).replace(b'"4,000,000"', b"4,000,000")
    for name, data in (("w.csv", content), ("w.csv", content.replace(b",", b";"))):
        report = import_workers(
            employer=employer, content=data, filename=name, dry_run=True, registered_on=TODAY
        )
        assert (report.rows, report.accepted, report.rejected) == (3, 2, 1)
        assert [i.as_row() for i in report.issues] == [
            (
                2,
                "",
                "row_too_wide",
                "Baris memiliki 8 kolom, kepala berkas 6: periksa pemisah desimal/ribuan atau "
                "tanda kutip.",
            )
        ]
    report = import_workers(employer=employer, content=content, registered_on=TODAY)
    assert report.applied and report.accepted == 2
    assert not Membership.objects.filter(participant__person__nik=rows[0][0]).exists()


# --------------------------------------------------------------- the fast row check never differs


def _slow(cells: list[Any]) -> Any:
    issues: list[imports.Issue] = []
    row = imports._validate_cells(2, list(cells), issues)
    return row if not issues else None


TRICKY_CELLS: list[list[Any]] = [
    ["6471054508900003", "Siti", "1990-08-05", "P", "4.000.000", "2026-02-01"],
    ["6471054508900003", "Siti", "05/08/1990", "p", "4000000", "2026-02-01"],
    ["6471054508900003", "Siti", "5/8/1990", "P", "0", "1/2/2026"],
    ["6471054508900000", "Siti", "1990-08-05", "P", "4000000", "2026-02-01"],  # serial 0000
    ["6471054508900003", "Siti", "1890-08-05", "P", "4000000", "2026-02-01"],  # year mod 100
    ["6471054508900003", "Siti", "1990-08-05", "L", "4000000", "2026-02-01"],
    ["6471050508900003", "Budi", "1990-08-05", "L", "4000000", "2026-02-01"],
    ["6471057208900003", "Budi", "1990-08-05", "P", "4000000", "2026-02-01"],  # day 72
    ["6471053102900003", "Budi", "1990-02-31", "L", "4000000", "2026-02-01"],
    ["6471052902000003", "Budi", "2000-02-29", "L", "4000000", "2026-02-01"],
    ["6471052902010003", "Budi", "2001-02-29", "L", "4000000", "2026-02-01"],
    ["9971054508900003", "Siti", "1990-08-05", "P", "4000000", "2026-02-01"],  # province
    ["647105450890003", "Siti", "1990-08-05", "P", "4000000", "2026-02-01"],
    ["６471054508900003", "Siti", "1990-08-05", "P", "4000000", "2026-02-01"],  # full-width 6
    ["6471054508900003", "Siti", "1990-08-05", "P", "١٢٣", "2026-02-01"],  # Arabic-Indic digits
    ["6471054508900003", "Siti", "1990-08-05", "P", "4.000.00", "2026-02-01"],
    ["6471054508900003", "Siti", "1990-08-05", "P", "²", "2026-02-01"],
    ["6471054508900003", "Siti", "1990-08-05", "P", "-1", "2026-02-01"],
    ["6471054508900003", "Siti", "1990-08-05", "P", "4000000", "1990-08-04"],  # before birth
    ["6471054508900003", "Siti", "1990-08-05", "P", "4000000", "2026-13-01"],
    ["6471054508900003", "", "1990-08-05", "P", "4000000", "2026-02-01"],
    ["6471054508900003", "Siti", "1990-08-05", "", "4000000", "2026-02-01"],
    ["6471054508900003", "Siti", "1990-08-05", "LP", "4000000", "2026-02-01"],
    [6471054508900003, "Siti", date(1990, 8, 5), "P", 4000000, date(2026, 2, 1)],
    [None, "Siti", "1990-08-05", "P", "4000000", "2026-02-01"],
    ["6471054508900003", "Siti", "1990-08-05", "P", 4000000.5, "2026-02-01"],
    ["6471054508900003", "Siti", "1990-08-05", "P", "4", "000", "2026-02-01"],  # too wide
]


@pytest.mark.parametrize("cells", TRICKY_CELLS)
def test_fast_row_check_accepts_only_what_the_full_check_accepts(cells: list[Any]) -> None:
    fast = imports._FastCheck()
    row = fast.row(2, list(cells))
    if row is not None:
        assert row == _slow(cells)


def test_fast_row_check_takes_the_plain_rows() -> None:
    fast = imports._FastCheck()
    rows = good_rows(50)
    assert all(fast.row(2, r) == _slow(r) for r in rows)
    assert all(fast.row(2, r) is not None for r in rows)
    # The NIK is parsed once per distinct province and date part (the serials here are never 0000).
    assert len(fast.niks) == len({r[0][:2] + r[0][6:12] for r in rows})


def test_failure_while_persons_are_streamed_writes_nothing(
    employer: Employer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New persons go to the database while the rows are checked (PostgreSQL: a COPY opened before the
    pass); an error in the middle of the pass leaves nothing behind, and the connection stays usable."""
    monkeypatch.setattr(imports, "COPY_CHUNK_ROWS", 5)
    real_row = imports._FastCheck.row

    def row_then_fail(self: Any, number: int, cells: list[Any]) -> Any:
        if number == 15:  # 13 rows checked, two chunks of persons already sent
            raise RuntimeError("disk full")
        return real_row(self, number, cells)

    before = counts()
    monkeypatch.setattr(imports._FastCheck, "row", row_then_fail)
    with pytest.raises(RuntimeError):
        import_workers(employer=employer, content=to_csv(good_rows(20)), registered_on=TODAY)
    assert counts() == before
    monkeypatch.setattr(imports._FastCheck, "row", real_row)
    report = import_workers(employer=employer, content=to_csv(good_rows(20)), registered_on=TODAY)
    assert report.created_persons == 20 and counts()[0] == before[0] + 20


def test_persons_are_sent_in_chunks_with_ids_in_row_order(
    employer: Employer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(imports, "COPY_CHUNK_ROWS", 3)
    rows = good_rows(11)
    rows[4][3] = "X"  # rejected: not written, no id taken from the rows after it
    report = import_workers(employer=employer, content=to_csv(rows), registered_on=TODAY)
    assert report.created_persons == 10 and report.created_memberships == 10
    persons = list(Person.objects.filter(name__startswith="Pekerja ").order_by("pk"))
    assert [p.name for p in persons] == [f"Pekerja {i}" for i in range(11) if i != 4]
    for p in persons:
        m = Membership.objects.select_related("participant__person").get(participant__person=p)
        assert m.participant.person.nik == p.nik and m.wages.get().amount == 4_000_000
