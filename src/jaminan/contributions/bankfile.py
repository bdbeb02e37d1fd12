"""Bank-statement import: one payment per line, idempotent by reference (docs/bank-file.md).

File: header exactly ``tanggal,referensi,virtual_account,jumlah,keterangan`` (case and surrounding
whitespace ignored); CSV in UTF-8 with or without BOM (comma or semicolon separated), or XLSX (first
sheet). ``tanggal`` is ``YYYY-MM-DD`` or ``DD/MM/YYYY``, from 1 July 2015 to today; ``jumlah`` whole
rupiah, dots allowed as thousands separators (``1.786.176.000``), an optional ``Rp`` prefix;
``keterangan`` is free text kept as the payment's note. Empty lines are skipped; a CSV line with
non-empty cells beyond the header is rejected (``row_too_wide``, see :mod:`jaminan.registry.tabular`).

Each line gets one result ``baris,referensi,status,kolom,kode,pesan`` (``baris`` as the user sees
it, the header being line 1): ``posted`` (a new payment, allocated to the payer's oldest open
bills), ``duplicate`` (the reference is already stored for the same payer and amount, or appears
on an earlier line with the same VA and amount, or is a reversed payment's: ``reversed``;
nothing written) or ``rejected`` (with the column
and a code; the same reference as an earlier line with another VA or amount is
``reference_conflict_in_file``). A ``reference_conflict`` names the stored payment's VA and amount
only to a user who may see its payer. Lines are posted one by one, each in its own transaction: a
bad line does not hold back the good ones, and since a reference is stored once, posting the same
file again posts nothing new (all duplicates). A dry run checks everything and writes nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.accounts.scoping import scope_queryset
from jaminan.contributions import payments
from jaminan.contributions.models import PayerAccount, Payment
from jaminan.geo.zones import institution_today
from jaminan.registry.tabular import (
    ROW_TOO_WIDE,
    ROW_TOO_WIDE_MESSAGE,
    cell_text,
    parse_date,
    read_table,
    row_too_wide,
)
from jaminan.web import formatting

User = AbstractBaseUser | AnonymousUser | None

COLUMNS = ("tanggal", "referensi", "virtual_account", "jumlah", "keterangan")
RESULT_COLUMNS = ("baris", "referensi", "status", "kolom", "kode", "pesan")
POSTED, DUPLICATE, REJECTED = "posted", "duplicate", "rejected"

_AMOUNT = re.compile(r"^(?:rp\.?\s*)?(\d{1,3}(?:\.\d{3})+|\d+)(?:,00)?$", re.IGNORECASE)

MESSAGES = {
    "required": "Kolom {kolom} wajib diisi.",
    "date_invalid": "Kolom tanggal bukan tanggal yang sah (YYYY-MM-DD atau DD/MM/YYYY).",
    "date_in_future": "Kolom tanggal setelah hari ini.",
    "date_too_early": gettext_noop(
        "Kolom tanggal sebelum {first}: BPJS Ketenagakerjaan beroperasi sejak 1 Juli 2015."
    ),
    "amount_invalid": "Kolom jumlah harus bilangan bulat rupiah lebih dari 0 (titik boleh sebagai pemisah ribuan).",
    "amount_too_large": "Kolom jumlah lebih dari Rp1 triliun.",
    "reference_too_long": "Kolom referensi paling panjang 64 karakter.",
    "reference_invalid": "Kolom referensi berisi karakter yang tidak sah.",
    "virtual_account_unknown": "Nomor virtual account {va} tidak dikenal atau di luar cakupan Anda.",
    "duplicate_in_file": "Referensi sudah muncul pada baris {first} berkas ini.",
    "reference_conflict_in_file": gettext_noop(
        "Referensi sudah muncul pada baris {first} berkas ini dengan virtual account atau jumlah "
        "lain; baris ini tidak dicatat."
    ),
    "duplicate": "Referensi sudah tercatat ({paid_on}); tidak dicatat lagi.",
    "reversed": gettext_noop(
        "Pembayaran dengan referensi ini sudah dibatalkan pada {when}; tidak dicatat lagi."
    ),
    "reference_conflict": "Referensi sudah tercatat untuk pembayaran lain (VA {va}, {amount}).",
    ROW_TOO_WIDE: ROW_TOO_WIDE_MESSAGE,
}
#: The ``reference_conflict`` message for a user who may not see the stored payment's payer.
REFERENCE_USED = gettext_noop("Referensi sudah dipakai oleh pembayaran lain; tidak dicatat.")


#: The service's field names as the file's columns.
FIELD_COLUMNS = {"reference": "referensi", "amount": "jumlah", "paid_on": "tanggal"}


class BankFileError(Exception):
    """The file cannot be read as a bank statement; ``reason`` says why (Indonesian)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class LineResult:
    baris: int
    referensi: str
    status: str
    kolom: str = ""
    kode: str = ""
    pesan: str = ""

    def as_row(self) -> tuple[int, str, str, str, str, str]:
        return (self.baris, self.referensi, self.status, self.kolom, self.kode, self.pesan)


@dataclass
class BankFileReport:
    dry_run: bool
    lines: list[LineResult] = field(default_factory=list)
    amount_posted: int = 0

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def posted(self) -> int:
        return self.count(POSTED)

    @property
    def duplicate(self) -> int:
        return self.count(DUPLICATE)

    @property
    def rejected(self) -> int:
        return self.count(REJECTED)

    def summary(self) -> str:
        return f"posted {self.posted}, duplicate {self.duplicate}, rejected {self.rejected}"

    def to_csv(self) -> bytes:
        return result_csv(self.lines)


def result_csv(lines: list[LineResult]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RESULT_COLUMNS)
    for line in lines:
        writer.writerow(line.as_row())
    return out.getvalue().encode("utf-8")


def template_csv() -> bytes:
    return (
        ",".join(COLUMNS)
        + "\n2026-02-16,TRX-20260216-0001,8889100000000122,1.250.000,setoran iuran Januari\n"
    ).encode()


# --------------------------------------------------------------------------------------------- reading


def read_rows(content: bytes, filename: str = "") -> Iterator[tuple[int, list[Any]]]:
    """``(line number as seen in the file, five cells)`` per non-empty data line (see
    :mod:`jaminan.registry.tabular`); BankFileError when the file cannot be read."""
    return read_table(content, filename, COLUMNS, BankFileError)


# --------------------------------------------------------------------------------------------- parsing


def parse_amount(value: Any) -> int | None:
    """Whole rupiah > 0: ``1250000``, ``1.250.000``, ``Rp1.250.000``, ``1.250.000,00``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value > 0 else None
    if isinstance(value, str):
        m = _AMOUNT.match(value.replace(" ", ""))
        if m:
            amount = int(m[1].replace(".", ""))
            return amount if amount > 0 else None
    return None


@dataclass
class _Line:
    number: int
    reference: str
    virtual_account: str
    paid_on: date
    amount: int
    note: str


def _validate(number: int, cells: list[Any], today: date) -> _Line | LineResult:
    reference = cell_text(cells[1])

    def reject(kolom: str, kode: str, **params: Any) -> LineResult:
        return LineResult(
            number,
            reference[:64],
            REJECTED,
            kolom,
            kode,
            _(MESSAGES[kode]).format(kolom=kolom, **params),
        )

    wide = row_too_wide(cells, COLUMNS)
    if wide is not None:
        return reject("", ROW_TOO_WIDE, **wide)
    raw = dict(zip(COLUMNS, cells, strict=True))

    for col in ("tanggal", "referensi", "virtual_account", "jumlah"):
        if raw[col] is None or cell_text(raw[col]) == "":
            return reject(col, "required")
    paid_on = parse_date(raw["tanggal"])
    if paid_on is None:
        return reject("tanggal", "date_invalid")
    if paid_on > today:
        return reject("tanggal", "date_in_future")
    if paid_on < payments.PAID_ON_MIN:
        return reject("tanggal", "date_too_early", first=f"{payments.PAID_ON_MIN:%d/%m/%Y}")
    try:
        reference = payments.clean_reference(reference)
    except payments.PaymentError as exc:
        return reject("referensi", exc.code)
    amount = parse_amount(raw["jumlah"])
    if amount is None:
        return reject("jumlah", "amount_invalid")
    if amount > payments.AMOUNT_MAX:
        return reject("jumlah", "amount_too_large")
    return _Line(
        number,
        reference,
        cell_text(raw["virtual_account"]),
        paid_on,
        amount,
        cell_text(raw["keterangan"]),
    )


# ------------------------------------------------------------------------------------------ the import


def import_bank_file(
    *,
    content: bytes,
    filename: str = "",
    dry_run: bool = False,
    actor: User = None,
    scoped: bool = True,
) -> BankFileReport:
    """Post every line of a bank statement (see the module's docstring). ``scoped``: virtual
    accounts outside ``actor``'s scope are unknown (the command line posts for every office)."""
    report = BankFileReport(dry_run=dry_run)
    today = institution_today()
    parsed: list[_Line | LineResult] = [
        _validate(number, cells, today) for number, cells in read_rows(content, filename)
    ]
    good = [p for p in parsed if isinstance(p, _Line)]
    vas = {p.virtual_account for p in good}
    refs = {p.reference for p in good}
    payer_qs = PayerAccount.objects.filter(virtual_account__in=vas)
    if scoped:
        payer_qs = scope_queryset(actor, payer_qs)
    payers = {p.virtual_account: p for p in payer_qs} if vas else {}
    stored = (
        {p.reference: p for p in Payment.objects.select_related("payer").filter(reference__in=refs)}
        if refs
        else {}
    )
    # The stored payments' payers the user may see: a conflicting line may name their VA and amount.
    visible = {p.payer_id for p in stored.values()}
    if scoped and visible:
        visible = set(
            scope_queryset(actor, PayerAccount.objects.filter(pk__in=visible)).values_list(
                "pk", flat=True
            )
        )
    seen: dict[str, _Line] = {}
    for item in parsed:
        if isinstance(item, LineResult):
            report.lines.append(item)
            continue
        report.lines.append(
            _process(
                item, payers, stored, visible, seen, dry_run=dry_run, actor=actor, report=report
            )
        )
    if dry_run:
        return report
    audit.record(
        action=AuditEvent.Action.CREATE,
        actor=actor,
        object_type=Payment._meta.label,
        object_repr=f"rekening koran {filename}"[:200],
        changes={
            "bank_file": filename,
            "posted": report.posted,
            "duplicate": report.duplicate,
            "rejected": report.rejected,
            "amount_posted": report.amount_posted,
        },
    )
    return report


def _process(
    line: _Line,
    payers: dict[str, PayerAccount],
    stored: dict[str, Payment],
    visible: set[int],
    seen: dict[str, _Line],
    *,
    dry_run: bool,
    actor: User,
    report: BankFileReport,
) -> LineResult:
    """The result of a well-formed line. ``visible``: the stored payments' payers the user may
    see; ``seen``: the earlier lines with a known VA, by reference."""

    def result(
        status: str, kolom: str = "", kode: str = "", message: str = "", **params: Any
    ) -> LineResult:
        text = _(message or MESSAGES[kode]).format(**params) if kode else ""
        return LineResult(line.number, line.reference, status, kolom, kode, text)

    payer = payers.get(line.virtual_account)
    if payer is None:
        return result(
            REJECTED, "virtual_account", "virtual_account_unknown", va=line.virtual_account
        )
    first = seen.get(line.reference)
    if first is not None:
        if (first.virtual_account, first.amount) != (line.virtual_account, line.amount):
            return result(REJECTED, "referensi", "reference_conflict_in_file", first=first.number)
        return result(DUPLICATE, "referensi", "duplicate_in_file", first=first.number)
    seen[line.reference] = line
    existing = stored.get(line.reference)
    if existing is not None:
        if existing.reversed_at is not None:
            return result(DUPLICATE, "referensi", "reversed", when=payments.reversed_when(existing))
        if existing.payer_id != payer.pk or existing.amount != line.amount:
            if existing.payer_id not in visible:
                return result(REJECTED, "referensi", "reference_conflict", REFERENCE_USED)
            return result(
                REJECTED,
                "referensi",
                "reference_conflict",
                va=existing.payer.virtual_account,
                amount=formatting.rupiah(existing.amount, "id"),  # the file's report is Indonesian
            )
        return result(DUPLICATE, "referensi", "duplicate", paid_on=existing.paid_on.isoformat())
    if dry_run:
        report.amount_posted += line.amount
        return result(POSTED)
    try:
        payment, created = payments.record_payment(
            payer=payer,
            reference=line.reference,
            amount=line.amount,
            paid_on=line.paid_on,
            channel=Payment.Channel.BANK_FILE,
            actor=actor,
            source=f"bank_file:{line.number}",
            note=line.note,
        )
    except payments.PaymentError as exc:
        if exc.code == "already_reversed":
            return LineResult(
                line.number, line.reference, DUPLICATE, "referensi", "reversed", exc.message
            )
        kolom = FIELD_COLUMNS.get(exc.field or "", exc.field or "")
        return LineResult(line.number, line.reference, REJECTED, kolom, exc.code, exc.message)
    if not created:
        return result(DUPLICATE, "referensi", "duplicate", paid_on=payment.paid_on.isoformat())
    report.amount_posted += line.amount
    return result(POSTED)
