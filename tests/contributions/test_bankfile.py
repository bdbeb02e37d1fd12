"""Bank-statement import: parsing, a result per line, the same file posted twice, the command."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import Workbook

from jaminan.accounts.roles import Role
from jaminan.contributions import bankfile, ledger
from jaminan.contributions.models import Allocation, Bill, Payment
from jaminan.geo.models import Office
from tests.contributions.test_payments import bill_month, employer_payer, make_employer

pytestmark = pytest.mark.django_db

HEADER = "tanggal,referensi,virtual_account,jumlah,keterangan"


def csv_bytes(*lines: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def dots(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


@pytest.fixture
def two_payers(reference: None) -> tuple[Any, Any, Bill, Bill]:
    a = employer_payer(make_employer())
    b = employer_payer(make_employer("64.72", serial=2))  # another office (Samarinda)
    return a, b, bill_month(a, date(2026, 1, 1)), bill_month(b, date(2026, 1, 1))


def statement(a: Any, b: Any, jan_a: Bill) -> bytes:
    return csv_bytes(
        f"2026-02-10,BNK-001,{a.virtual_account},{dots(jan_a.amount)},iuran Januari",
        f'11/02/2026,BNK-002,{b.virtual_account},"1.000.000",transfer',
        "",
        "2026-02-12,BNK-003,8889999999999999,5000,VA tidak dikenal",
        f"2026-02-31,BNK-004,{a.virtual_account},5000,tanggal salah",
        f"2026-02-12,BNK-005,{a.virtual_account},5.00,jumlah salah",
        f"2026-02-12,BNK-001,{a.virtual_account},{jan_a.amount},dobel di berkas",
        f"2026-02-12,,{a.virtual_account},5000,tanpa referensi",
        f"2026-02-13,BNK-006,{a.virtual_account},Rp250.000,kelebihan",
    )


def test_parse_amount_and_date() -> None:
    assert bankfile.parse_amount("1.786.176.000") == 1_786_176_000
    assert bankfile.parse_amount("Rp16.800") == 16_800
    assert bankfile.parse_amount("16800") == 16_800
    assert bankfile.parse_amount("16.800,00") == 16_800
    assert bankfile.parse_amount(16800.0) == 16_800
    for bad in ("16,800.50", "1.2345", "-5", "0", "abc", "", True, 1.5, None):
        assert bankfile.parse_amount(bad) is None, bad
    assert bankfile.parse_date("2026-02-16") == date(2026, 2, 16)
    assert bankfile.parse_date("16/02/2026") == date(2026, 2, 16)
    assert bankfile.parse_date("2026-02-30") is None
    assert bankfile.parse_date("16-02-2026") is None


def test_result_per_line_and_same_file_twice(two_payers: tuple[Any, Any, Bill, Bill]) -> None:
    a, b, jan_a, jan_b = two_payers
    content = statement(a, b, jan_a)
    report = bankfile.import_bank_file(content=content, filename="bank.csv", scoped=False)
    rows = [(r.baris, r.referensi, r.status, r.kolom, r.kode) for r in report.lines]
    assert rows == [
        (2, "BNK-001", "posted", "", ""),
        (3, "BNK-002", "posted", "", ""),
        (5, "BNK-003", "rejected", "virtual_account", "virtual_account_unknown"),
        (6, "BNK-004", "rejected", "tanggal", "date_invalid"),
        (7, "BNK-005", "rejected", "jumlah", "amount_invalid"),
        (8, "BNK-001", "duplicate", "referensi", "duplicate_in_file"),
        (9, "", "rejected", "referensi", "required"),
        (10, "BNK-006", "posted", "", ""),
    ]
    assert report.summary() == "posted 3, duplicate 1, rejected 4"
    assert report.amount_posted == jan_a.amount + 1_000_000 + 250_000
    assert all(r.pesan for r in report.lines if r.status != "posted")
    jan_a.refresh_from_db()
    jan_b.refresh_from_db()
    assert jan_a.status == Bill.Status.PAID and jan_a.paid_on == date(2026, 2, 10)
    assert jan_b.paid_amount == min(1_000_000, jan_b.amount)
    a.refresh_from_db()
    assert a.credit == 250_000
    payment = Payment.objects.get(reference="BNK-001")
    assert (payment.channel, payment.note, payment.source) == (
        "bank_file",
        "iuran Januari",
        "bank_file:2",
    )
    assert ledger.check().ok
    counts = (Payment.objects.count(), Allocation.objects.count())

    # The same file again posts nothing new: every good line is a duplicate.
    again = bankfile.import_bank_file(content=content, filename="bank.csv", scoped=False)
    assert again.summary() == "posted 0, duplicate 4, rejected 4"
    assert [r.kode for r in again.lines if r.status == "duplicate"] == [
        "duplicate",
        "duplicate",
        "duplicate_in_file",
        "duplicate",
    ]
    assert (Payment.objects.count(), Allocation.objects.count()) == counts
    assert again.amount_posted == 0
    assert ledger.check().ok


def test_reference_conflict_and_future_date(two_payers: tuple[Any, Any, Bill, Bill]) -> None:
    a, b, _jan_a, _jan_b = two_payers
    tomorrow = timezone.localdate() + timedelta(days=1)
    bankfile.import_bank_file(
        content=csv_bytes(f"2026-02-10,X-1,{a.virtual_account},1000,"), scoped=False
    )
    report = bankfile.import_bank_file(
        content=csv_bytes(
            f"2026-02-10,X-1,{a.virtual_account},2000,beda jumlah",
            f"2026-02-10,X-1,{b.virtual_account},1000,beda pembayar",
            f"{tomorrow:%Y-%m-%d},X-2,{a.virtual_account},1000,besok",
        ),
        scoped=False,
    )
    assert [(r.status, r.kode) for r in report.lines] == [
        ("rejected", "reference_conflict"),
        ("rejected", "reference_conflict_in_file"),  # another VA and amount than line 2
        ("rejected", "date_in_future"),
    ]
    assert Payment.objects.count() == 1


def test_line_with_more_cells_than_the_header_is_rejected(
    two_payers: tuple[Any, Any, Bill, Bill],
) -> None:
    a, _b, _jan_a, _jan_b = two_payers
    content = csv_bytes(
        f"2026-02-10,SHIFT-01,{a.virtual_account},8,400,catatan",  # a decimal comma: not Rp8
        f'2026-02-10,SHIFT-02,{a.virtual_account},"8,400",dikutip',
        f"2026-02-10,SHIFT-03,{a.virtual_account},8400,Excel,,",  # trailing empty cells: fine
        f"2026-02-10,SHIFT-04,{a.virtual_account},8400,,,lebih",
    )
    report = bankfile.import_bank_file(content=content, scoped=False)
    assert [(r.baris, r.referensi, r.status, r.kolom, r.kode) for r in report.lines] == [
        (2, "SHIFT-01", "rejected", "", "row_too_wide"),
        (3, "SHIFT-02", "rejected", "jumlah", "amount_invalid"),
        (4, "SHIFT-03", "posted", "", ""),
        (5, "SHIFT-04", "rejected", "", "row_too_wide"),
    ]
    assert report.lines[0].pesan == (
        "Baris memiliki 6 kolom, kepala berkas 5: periksa pemisah desimal/ribuan atau tanda kutip."
    )
    assert report.lines[3].pesan.startswith("Baris memiliki 7 kolom, kepala berkas 5:")
    assert list(Payment.objects.values_list("reference", "amount")) == [("SHIFT-03", 8_400)]
    # Semicolon files too; a dry run says the same.
    semicolon = f"{HEADER.replace(',', ';')}\n2026-02-10;SC-9;{a.virtual_account};8;400;x\n"
    dry = bankfile.import_bank_file(content=semicolon.encode(), scoped=False, dry_run=True)
    assert [(r.status, r.kode) for r in dry.lines] == [("rejected", "row_too_wide")]


def test_payment_date_before_bpjs_ketenagakerjaan_began_is_rejected(
    two_payers: tuple[Any, Any, Bill, Bill],
) -> None:
    a, _b, _jan_a, _jan_b = two_payers
    report = bankfile.import_bank_file(
        content=csv_bytes(
            f"1900-01-01,OLD-1,{a.virtual_account},1000,",
            f"30/06/2015,OLD-2,{a.virtual_account},1000,",
            f"01/07/2015,OLD-3,{a.virtual_account},1000,hari pertama",
        ),
        scoped=False,
    )
    assert [(r.status, r.kolom, r.kode) for r in report.lines] == [
        ("rejected", "tanggal", "date_too_early"),
        ("rejected", "tanggal", "date_too_early"),
        ("posted", "", ""),
    ]
    assert report.lines[0].pesan == (
        "Kolom tanggal sebelum 01/07/2015: BPJS Ketenagakerjaan beroperasi sejak 1 Juli 2015."
    )
    assert list(Payment.objects.values_list("reference", flat=True)) == ["OLD-3"]


def test_same_reference_twice_in_the_file_with_another_amount_or_va_is_a_conflict(
    two_payers: tuple[Any, Any, Bill, Bill],
) -> None:
    a, b, _jan_a, _jan_b = two_payers
    lines = (
        f"2026-02-10,TWICE-1,{a.virtual_account},1.000,",
        f"2026-02-11,TWICE-1,{a.virtual_account},1000,the same again",  # same VA and amount
        f"2026-02-10,TWICE-1,{a.virtual_account},2000,another amount",
        f"2026-02-10,TWICE-1,{b.virtual_account},1000,another payer",
    )
    for dry_run in (True, False):
        report = bankfile.import_bank_file(content=csv_bytes(*lines), scoped=False, dry_run=dry_run)
        assert [(r.status, r.kolom, r.kode) for r in report.lines] == [
            ("posted", "", ""),
            ("duplicate", "referensi", "duplicate_in_file"),
            ("rejected", "referensi", "reference_conflict_in_file"),
            ("rejected", "referensi", "reference_conflict_in_file"),
        ]
        assert report.summary() == "posted 1, duplicate 1, rejected 2"
        assert report.amount_posted == 1_000
        assert report.lines[2].pesan == (
            "Referensi sudah muncul pada baris 2 berkas ini dengan virtual account atau jumlah "
            "lain; baris ini tidak dicatat."
        )
    assert list(Payment.objects.values_list("reference", "amount")) == [("TWICE-1", 1_000)]


def test_reference_conflict_names_the_other_payment_only_to_who_may_see_its_payer(
    two_payers: tuple[Any, Any, Bill, Bill], make_user: Callable[..., Any]
) -> None:
    a, b, _jan_a, _jan_b = two_payers
    bankfile.import_bank_file(
        content=csv_bytes(f"2026-02-10,REF-A,{a.virtual_account},1234567,"), scoped=False
    )
    balikpapan = make_user(Role.BRANCH_OFFICER, "kc-bpn")  # sees payer a, not b
    samarinda = make_user(
        Role.BRANCH_OFFICER, "kc-smd", office=Office.objects.get(code="KC-SAMARINDA")
    )
    # A Samarinda officer reusing Balikpapan's reference learns only that it is taken.
    report = bankfile.import_bank_file(
        content=csv_bytes(f"2026-02-10,REF-A,{b.virtual_account},5000,"), actor=samarinda
    )
    (line,) = report.lines
    assert (line.status, line.kode) == ("rejected", "reference_conflict")
    assert line.pesan == "Referensi sudah dipakai oleh pembayaran lain; tidak dicatat."
    assert a.virtual_account not in line.pesan and "1.234.567" not in line.pesan
    # Balikpapan's officer may see payer a: the message says which payment holds the reference.
    report = bankfile.import_bank_file(
        content=csv_bytes(f"2026-02-10,REF-A,{a.virtual_account},5000,"), actor=balikpapan
    )
    (line,) = report.lines
    assert (line.status, line.kode) == ("rejected", "reference_conflict")
    assert a.virtual_account in line.pesan and "Rp1.234.567" in line.pesan
    assert Payment.objects.count() == 1


def test_dry_run_writes_nothing(two_payers: tuple[Any, Any, Bill, Bill]) -> None:
    a, b, jan_a, _jan_b = two_payers
    report = bankfile.import_bank_file(content=statement(a, b, jan_a), scoped=False, dry_run=True)
    assert report.summary() == "posted 3, duplicate 1, rejected 4"
    assert not Payment.objects.exists() and not Allocation.objects.exists()


def test_scoped_to_the_officers_office(
    two_payers: tuple[Any, Any, Bill, Bill], make_user: Callable[..., Any]
) -> None:
    a, b, _jan_a, _jan_b = two_payers
    officer = make_user(Role.BRANCH_OFFICER, "kc-bpn")  # Balikpapan: payer a only
    report = bankfile.import_bank_file(
        content=csv_bytes(
            f"2026-02-10,S-1,{a.virtual_account},1000,",
            f"2026-02-10,S-2,{b.virtual_account},1000,",
        ),
        actor=officer,
    )
    assert [(r.status, r.kode) for r in report.lines] == [
        ("posted", ""),
        ("rejected", "virtual_account_unknown"),
    ]
    assert Payment.objects.get().entered_by == officer


def test_semicolons_bom_and_xlsx(two_payers: tuple[Any, Any, Bill, Bill]) -> None:
    a, _b, _jan_a, _jan_b = two_payers
    semicolon = "\ufeffTanggal;Referensi;Virtual_Account;Jumlah;Keterangan\n" + (
        f"2026-02-10;SC-1;{a.virtual_account};1.000;titik koma\n"
    )
    report = bankfile.import_bank_file(content=semicolon.encode(), scoped=False)
    assert report.summary() == "posted 1, duplicate 0, rejected 0"
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(bankfile.COLUMNS))
    sheet.append([date(2026, 2, 11), "XL-1", a.virtual_account, 2500, "xlsx"])
    sheet.append([None, None, None, None, None])
    sheet.append(["12/02/2026", "XL-2", int(a.virtual_account), "2.500", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = bankfile.import_bank_file(content=buffer.getvalue(), filename="b.xlsx", scoped=False)
    assert [(r.baris, r.status) for r in report.lines] == [(2, "posted"), (4, "posted")]


@pytest.mark.parametrize(
    ("content", "filename", "fragment"),
    [
        (b"", "a.csv", "kosong"),
        (b"tanggal,referensi,jumlah\n", "a.csv", "Judul kolom"),
        (b"\xff\xfe\x00a", "a.csv", "UTF-8"),
        (b"PK\x03\x04garbage", "a.xlsx", "XLSX"),
        (b"whatever", "a.xls", "tidak didukung"),
    ],
)
def test_unreadable_files(content: bytes, filename: str, fragment: str) -> None:
    with pytest.raises(bankfile.BankFileError) as exc:
        bankfile.import_bank_file(content=content, filename=filename, scoped=False)
    assert fragment in exc.value.reason


def test_command(two_payers: tuple[Any, Any, Bill, Bill], tmp_path: Path) -> None:
    a, b, jan_a, _jan_b = two_payers
    path = tmp_path / "bank.csv"
    path.write_bytes(statement(a, b, jan_a))
    out, err = io.StringIO(), io.StringIO()
    call_command("payments", "import", str(path), "--dry-run", stdout=out, stderr=err)
    assert out.getvalue().strip() == "posted 3, duplicate 1, rejected 4 (dry run)"
    assert not Payment.objects.exists()
    report = tmp_path / "hasil.csv"
    out = io.StringIO()
    call_command("payments", "import", str(path), "--report", str(report), stdout=out, stderr=err)
    assert out.getvalue().strip() == "posted 3, duplicate 1, rejected 4"
    assert "virtual_account_unknown" in err.getvalue()
    lines = report.read_text().splitlines()
    assert lines[0] == "baris,referensi,status,kolom,kode,pesan" and len(lines) == 9
    out = io.StringIO()
    call_command("payments", "import", str(path), stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "posted 0, duplicate 4, rejected 4"
    assert ledger.check().ok


def test_command_report_path_not_writable_fails_before_posting(
    two_payers: tuple[Any, Any, Bill, Bill], tmp_path: Path
) -> None:
    a, b, jan_a, _jan_b = two_payers
    path = tmp_path / "bank.csv"
    path.write_bytes(statement(a, b, jan_a))
    for report in (tmp_path / "tidak-ada" / "hasil.csv", tmp_path):  # no such folder; a folder
        with pytest.raises(CommandError) as exc:
            call_command(
                "payments", "import", str(path), "--report", str(report), stdout=io.StringIO()
            )
        assert exc.value.returncode == 1
        assert str(exc.value).startswith(f"Berkas hasil {report} tidak dapat ditulis")
        assert "tidak ada yang dicatat" in str(exc.value)
    assert not Payment.objects.exists()
    assert not (tmp_path / "tidak-ada").exists()
    # An unreadable statement does not leave an empty report behind.
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError):
        call_command("payments", "import", str(bad), "--report", str(tmp_path / "r.csv"))
    assert not (tmp_path / "r.csv").exists()


def test_command_unreadable_exit_2(tmp_path: Path, reference: None) -> None:
    with pytest.raises(CommandError) as exc:
        call_command("payments", "import", str(tmp_path / "missing.csv"))
    assert exc.value.returncode == 2
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    with pytest.raises(CommandError) as exc:
        call_command("payments", "import", str(bad))
    assert exc.value.returncode == 2
