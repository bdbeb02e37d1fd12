"""Bulk import of an employer's worker list (CSV or XLSX) as PU memberships.

File: header exactly ``nik,nama,tanggal_lahir,jenis_kelamin,upah,tanggal_mulai`` (case and surrounding
whitespace ignored); CSV in UTF-8 with or without BOM, or XLSX (first sheet). Dates ``YYYY-MM-DD`` or
``DD/MM/YYYY``; sex ``L``/``P``; wage in whole rupiah, dots allowed as thousands separators. Empty lines are
skipped.

Every row is validated (no per-row query); the report has one line per problem,
``baris,kolom,kode,pesan``, ``baris`` being the row number the user sees (the header is row 1).
``wage_below_minimum`` is a warning: the row is still accepted.

Re-uploading: a row whose person is already an active member of this employer with the same start date is
*unchanged* (counted, not an error, nothing written), so uploading the same file again changes nothing; with a
different start date it is rejected as ``already_member``. A person already in the registry (by NIK) keeps their
stored data and participant (KPJ); only the membership and wage are added.

A NIK whose stored person has a date of death is rejected (``person_deceased``). Apply writes every valid
row in one transaction (employer row locked) or nothing. Set-based: one query for
persons by NIK, one for the employer's active memberships, one for minimum wages, then one bulk insert each for
persons, participants (KPJ numbers from one ``allocate`` block), memberships and wages: on PostgreSQL ids from
the sequences in one query and a COPY, elsewhere ``bulk_create``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import connection, transaction
from django.db.models import Model
from django.utils import timezone

from jaminan.accounts import audit
from jaminan.accounts.models import AuditEvent
from jaminan.geo.models import MinimumWage
from jaminan.registry import identifiers
from jaminan.registry.models import Employer, Membership, Participant, Person, ReportedWage
from jaminan.registry.nik import check_nik, nik_error_message
from jaminan.registry.services import LATE_REGISTRATION_DAYS, default_pu_programs

COLUMNS = ("nik", "nama", "tanggal_lahir", "jenis_kelamin", "upah", "tanggal_mulai")
REPORT_COLUMNS = ("baris", "kolom", "kode", "pesan")
WARNING_CODES = frozenset({"wage_below_minimum"})

_WAGE = re.compile(r"^(?:\d{1,3}(?:\.\d{3})+|\d+)$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


class ImportFileError(Exception):
    """The file cannot be read as a worker list; ``reason`` says why (Indonesian)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Issue:
    baris: int
    kolom: str
    kode: str
    pesan: str

    @property
    def is_warning(self) -> bool:
        return self.kode in WARNING_CODES

    def as_row(self) -> tuple[int, str, str, str]:
        return (self.baris, self.kolom, self.kode, self.pesan)


@dataclass
class ImportReport:
    employer_npp: str
    dry_run: bool
    rows: int = 0
    accepted: int = 0
    rejected: int = 0
    unchanged: int = 0
    issues: list[Issue] = field(default_factory=list)
    applied: bool = False
    created_persons: int = 0
    created_participants: int = 0
    created_memberships: int = 0

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.is_warning)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_warning]

    def summary(self) -> str:
        return (
            f"accepted {self.accepted}, rejected {self.rejected}, warnings {self.warnings}, "
            f"unchanged {self.unchanged}"
        )

    def to_csv(self) -> bytes:
        return report_csv(self.issues)

    def to_xlsx(self) -> bytes:
        return report_xlsx(self.issues)


# ---------------------------------------------------------------------------------------------- reading


def _norm_header(cells: list[Any]) -> list[str]:
    names = [("" if c is None else str(c)).strip().lower() for c in cells]
    while names and names[-1] == "":
        names.pop()
    return names


def _check_header(cells: list[Any]) -> None:
    names = _norm_header(cells)
    if tuple(names) != COLUMNS:
        raise ImportFileError(
            "Judul kolom harus persis "
            + ",".join(COLUMNS)
            + "; ditemukan: "
            + ",".join(names or ["(kosong)"])
        )


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip()
    return value


def read_rows(content: bytes, filename: str = "") -> Iterator[tuple[int, list[Any]]]:
    """``(row number as seen in the file, six cells)`` for each non-empty data row. Raises ImportFileError."""
    is_zip = content[:4] == b"PK\x03\x04"
    name = filename.lower()
    if is_zip or name.endswith((".xlsx", ".xlsm")):
        if not is_zip:
            raise ImportFileError("Berkas bukan XLSX yang sah.")
        return _read_xlsx(content)
    if name.endswith((".xls", ".ods", ".pdf", ".doc", ".docx")):
        raise ImportFileError("Format berkas tidak didukung: gunakan CSV (UTF-8) atau XLSX.")
    return _read_csv(content)


def _read_csv(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"Berkas CSV bukan UTF-8 (byte tidak sah pada posisi {exc.start})."
        ) from exc
    if "\x00" in text:
        raise ImportFileError("Berkas bukan CSV teks (berisi byte NUL).")
    lines = text.splitlines()
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise ImportFileError("Berkas kosong.") from None
    except csv.Error as exc:
        raise ImportFileError(f"Berkas CSV tidak dapat dibaca: {exc}") from exc
    _check_header(header)
    return _csv_rows(reader)


def _csv_rows(reader: Any) -> Iterator[tuple[int, list[Any]]]:
    number = 1
    for cells in reader:
        number += 1
        if not any(c.strip() for c in cells):
            continue
        cells = [c.strip() for c in cells[:6]]
        cells += [""] * (6 - len(cells))
        yield number, cells


def _read_xlsx(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"Berkas XLSX tidak dapat dibaca: {exc}") from exc
    except Exception as exc:  # openpyxl raises assorted errors for files that are not workbooks
        raise ImportFileError(f"Berkas XLSX tidak dapat dibaca: {type(exc).__name__}") from exc
    sheet = workbook.worksheets[0] if workbook.worksheets else None
    if sheet is None:
        raise ImportFileError("Berkas XLSX tidak memiliki lembar kerja.")
    rows = sheet.iter_rows(values_only=True)
    try:
        header = next(rows)
    except StopIteration:
        raise ImportFileError("Berkas kosong.") from None
    _check_header(list(header))
    return _xlsx_rows(rows, workbook)


def _xlsx_rows(rows: Iterator[tuple[Any, ...]], workbook: Any) -> Iterator[tuple[int, list[Any]]]:
    try:
        for number, values in enumerate(rows, start=2):
            cells = [_cell(v) for v in list(values)[:6]]
            cells += [None] * (6 - len(cells))
            if all(c is None or c == "" for c in cells):
                continue
            yield number, cells
    finally:
        workbook.close()


# ------------------------------------------------------------------------------------------- parsing


def _parse_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    return _parse_date_text(value)


@lru_cache(maxsize=65536)
def _parse_date_text(value: str) -> date | None:
    m = _ISO.match(value)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _DMY.match(value)
        if m:
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def _parse_wage(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 0 else None
    if isinstance(value, str) and _WAGE.match(value):
        return int(value.replace(".", ""))
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass
class _Row:
    number: int
    nik: str
    name: str
    birth_date: date
    sex: str
    wage: int
    start_date: date


def _fmt_rp(amount: int, sen: int = 0) -> str:
    text = "Rp" + f"{amount:,}".replace(",", ".")
    return text + f",{sen:02d}" if sen else text


MESSAGES = {
    "required": "Kolom {kolom} wajib diisi.",
    "date_invalid": "Kolom {kolom} bukan tanggal yang sah (YYYY-MM-DD atau DD/MM/YYYY).",
    "sex_invalid": "Kolom jenis_kelamin harus L atau P.",
    "wage_invalid": "Kolom upah harus bilangan bulat rupiah ≥ 0 (titik boleh sebagai pemisah ribuan).",
    "nik_birth_date_mismatch": "Kolom tanggal_lahir tidak sesuai dengan tanggal lahir pada NIK ({nik_date}).",
    "nik_sex_mismatch": "Kolom jenis_kelamin tidak sesuai dengan NIK (NIK menyandikan {nik_sex}).",
    "duplicate_in_file": "NIK sudah muncul pada baris {first} berkas ini.",
    "already_member": "NIK sudah menjadi peserta aktif pemberi kerja ini sejak {since}.",
    "start_before_birth": "Kolom tanggal_mulai sebelum tanggal lahir.",
    "person_deceased": "NIK tercatat sudah meninggal dunia ({since}).",
    "wage_below_minimum": "Peringatan: upah {wage} di bawah upah minimum {minimum} ({level} {year}).",
}


def _issue(number: int, kolom: str, kode: str, **params: Any) -> Issue:
    return Issue(number, kolom, kode, MESSAGES[kode].format(kolom=kolom, **params))


def _validate_cells(number: int, cells: list[Any], issues: list[Issue]) -> _Row | None:
    """Field-level checks of one row (no database); appends issues and returns the row when valid."""
    raw = dict(zip(COLUMNS, cells, strict=True))
    bad = False
    for col in COLUMNS:
        value = raw[col]
        if value is None or (isinstance(value, str) and value == ""):
            issues.append(_issue(number, col, "required"))
            bad = True
    nik = _text(raw["nik"])
    name = _text(raw["nama"])
    birth = _parse_date(raw["tanggal_lahir"]) if raw["tanggal_lahir"] not in (None, "") else None
    if raw["tanggal_lahir"] not in (None, "") and birth is None:
        issues.append(_issue(number, "tanggal_lahir", "date_invalid"))
        bad = True
    sex_raw = _text(raw["jenis_kelamin"]).upper()
    sex = sex_raw if sex_raw in ("L", "P") else ""
    if sex_raw and not sex:
        issues.append(_issue(number, "jenis_kelamin", "sex_invalid"))
        bad = True
    wage = _parse_wage(raw["upah"]) if raw["upah"] not in (None, "") else None
    if raw["upah"] not in (None, "") and wage is None:
        issues.append(_issue(number, "upah", "wage_invalid"))
        bad = True
    start = _parse_date(raw["tanggal_mulai"]) if raw["tanggal_mulai"] not in (None, "") else None
    if raw["tanggal_mulai"] not in (None, "") and start is None:
        issues.append(_issue(number, "tanggal_mulai", "date_invalid"))
        bad = True
    if nik:
        check = check_nik(nik, birth_date=birth, sex=sex or None, fast=True)
        if not check.info.valid:
            issues.append(
                Issue(
                    number, "nik", "nik_invalid", nik_error_message(check.info.error, language="id")
                )
            )
            bad = True
        else:
            if not check.birth_date_matches:
                nd = check.info.birth_date
                issues.append(
                    _issue(
                        number,
                        "tanggal_lahir",
                        "nik_birth_date_mismatch",
                        nik_date=f"{nd:%d/%m/%Y}" if nd else "?",
                    )
                )
                bad = True
            if not check.sex_matches:
                issues.append(
                    _issue(number, "jenis_kelamin", "nik_sex_mismatch", nik_sex=check.info.sex)
                )
                bad = True
    if birth and start and start < birth:
        issues.append(_issue(number, "tanggal_mulai", "start_before_birth"))
        bad = True
    if bad or birth is None or start is None or wage is None:
        return None
    return _Row(number, nik, name, birth, sex, wage, start)


# ------------------------------------------------------------------------------------------ database


@dataclass(frozen=True)
class _Stored:
    person_id: int
    participant_id: int | None
    birth_date: date
    death_date: date | None


def _existing_persons(niks: list[str]) -> dict[str, _Stored]:
    """NIK -> the stored person (one query on PostgreSQL; chunks of 900 NIKs elsewhere)."""
    out: dict[str, _Stored] = {}
    if not niks:
        return out
    fields = ("nik", "pk", "participant__pk", "birth_date", "death_date")
    if connection.vendor == "postgresql":
        chunks = [Person.objects.extra(where=["registry_person.nik = ANY(%s)"], params=[niks])]
    else:
        chunks = [
            Person.objects.filter(nik__in=niks[i : i + 900]) for i in range(0, len(niks), 900)
        ]
    for qs in chunks:
        for nik, pk, participant_pk, birth, death in qs.values_list(*fields):
            out[nik] = _Stored(pk, participant_pk, birth, death)
    return out


def _minimum_wages(employer: Employer) -> dict[int, tuple[int, str]]:
    """Year -> (minimum wage in sen, "UMK"/"UMP"): the regency's UMK, else the province's UMP."""
    regency = employer.regency
    rows = MinimumWage.objects.filter(
        level__in=(MinimumWage.Level.REGENCY, MinimumWage.Level.PROVINCE),
        area_code__in=(regency.code, regency.province.code),
    ).values_list("year", "level", "area_code", "amount_sen")
    out: dict[int, tuple[int, str]] = {}
    for year, level, code, sen in rows:
        if level == MinimumWage.Level.REGENCY and code == regency.code:
            out[year] = (sen, "UMK")
        elif level == MinimumWage.Level.PROVINCE and year not in out:
            out[year] = (sen, "UMP")
    return out


# ------------------------------------------------------------------------------------------- the import


def import_workers(
    *,
    employer: Employer,
    content: bytes,
    filename: str = "",
    dry_run: bool = False,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    registered_on: date | None = None,
) -> ImportReport:
    """Validate (and unless ``dry_run`` apply) a worker list for ``employer``. Raises ImportFileError."""
    today = registered_on or timezone.localdate()
    rows_iter = read_rows(content, filename)
    report = ImportReport(employer_npp=employer.npp, dry_run=dry_run)
    issues: list[Issue] = []
    valid: list[_Row] = []
    first_seen: dict[str, int] = {}
    rejected_rows: set[int] = set()
    try:
        for number, cells in rows_iter:
            report.rows += 1
            before = len(issues)
            row = _validate_cells(number, cells, issues)
            nik = _text(cells[0])
            if nik:
                if nik in first_seen:
                    issues.append(_issue(number, "nik", "duplicate_in_file", first=first_seen[nik]))
                    row = None
                else:
                    first_seen[nik] = number
            if row is None or len(issues) > before:
                rejected_rows.add(number)
                continue
            valid.append(row)
    except csv.Error as exc:
        raise ImportFileError(f"Berkas CSV tidak dapat dibaca: {exc}") from exc

    employer = Employer.objects.select_related("regency", "regency__province", "office").get(
        pk=employer.pk
    )
    with transaction.atomic():
        if not dry_run:
            Employer.objects.select_for_update().filter(pk=employer.pk).values_list("pk").first()
        active = dict(
            Membership.objects.filter(employer=employer, end_date__isnull=True).values_list(
                "participant__person__nik", "start_date"
            )
        )
        minimum = _minimum_wages(employer)
        existing = _existing_persons([r.nik for r in valid if r.nik not in active])
        to_write: list[_Row] = []
        for row in valid:
            stored = existing.get(row.nik)
            if stored is not None and stored.death_date is not None:
                issues.append(
                    _issue(
                        row.number, "nik", "person_deceased", since=f"{stored.death_date:%d/%m/%Y}"
                    )
                )
                rejected_rows.add(row.number)
                continue
            since = active.get(row.nik)
            if since is not None:
                if since == row.start_date:
                    report.unchanged += 1
                else:
                    issues.append(
                        _issue(row.number, "nik", "already_member", since=f"{since:%d/%m/%Y}")
                    )
                    rejected_rows.add(row.number)
                continue
            to_write.append(row)
            floor = minimum.get(row.start_date.year)
            if floor is not None and row.wage * 100 < floor[0]:
                issues.append(
                    _issue(
                        row.number,
                        "upah",
                        "wage_below_minimum",
                        wage=_fmt_rp(row.wage),
                        minimum=_fmt_rp(*divmod(floor[0], 100)),
                        level=floor[1],
                        year=row.start_date.year,
                    )
                )
        report.accepted = len(to_write)
        report.rejected = len(rejected_rows)
        issues.sort(key=lambda i: (i.baris, COLUMNS.index(i.kolom) if i.kolom in COLUMNS else 9))
        report.issues = issues
        if not dry_run and to_write:
            _apply(employer=employer, rows=to_write, existing=existing, today=today, report=report)
            report.applied = True
            audit.record(
                action=AuditEvent.Action.CREATE,
                actor=actor,
                obj=employer,
                object_repr=f"Impor pekerja {employer.npp}",
                changes={
                    "import": filename or "(unggahan)",
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "rows": report.rows,
                    "accepted": report.accepted,
                    "rejected": report.rejected,
                    "unchanged": report.unchanged,
                    "warnings": report.warnings,
                    "created_persons": report.created_persons,
                    "created_participants": report.created_participants,
                    "created_memberships": report.created_memberships,
                },
            )
    return report


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    """One value in PostgreSQL COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, date):  # date and datetime
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def _insert(model: type[Model], rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` (attname -> value; missing fields get their default) and return the new ids in order.

    PostgreSQL: ids reserved from the table's sequence in one query, then one COPY. Elsewhere: bulk_create.
    """
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [model(**row) for row in rows]
        model._default_manager.bulk_create(objs, batch_size=2000)
        return [obj.pk for obj in objs]
    now = timezone.now()
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    given = set(rows[0])
    varying = [f for f in fields if f.attname in given]
    constant = [f for f in fields if f.attname not in given]
    # Columns the rows do not give are the same for every row: their default, or now for auto_now(_add).
    suffix = (
        "".join(
            "\t"
            + _copy_value(
                now
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else f.get_default()
            )
            for f in constant
        )
        + "\n"
    )
    names = [f.attname for f in varying]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(str(f.column)) for f in [pk, *varying, *constant])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(rows)],
        )
        ids = [r[0] for r in cursor.fetchall()]
        payload = "".join(
            str(pk_value) + "\t" + "\t".join([_copy_value(row[n]) for n in names]) + suffix
            for pk_value, row in zip(ids, rows, strict=True)
        )
        with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
            copy.write(payload.encode("utf-8"))
    return ids


def _apply(
    *,
    employer: Employer,
    rows: list[_Row],
    existing: dict[str, _Stored],
    today: date,
    report: ImportReport,
) -> None:
    new_rows = [r for r in rows if r.nik not in existing]
    new_ids = _insert(
        Person,
        [
            {"nik": r.nik, "name": r.name[:150], "birth_date": r.birth_date, "sex": r.sex}
            for r in new_rows
        ],
    )
    person_ids = {nik: p.person_id for nik, p in existing.items()}
    birth_dates = {nik: p.birth_date for nik, p in existing.items()}
    for r, pid in zip(new_rows, new_ids, strict=True):
        person_ids[r.nik] = pid
        birth_dates[r.nik] = r.birth_date
    participant_ids = {
        nik: p.participant_id for nik, p in existing.items() if p.participant_id is not None
    }
    need = [r.nik for r in rows if r.nik not in participant_ids]
    if need:
        serials = identifiers.allocate(identifiers.KPJ, len(need))
        part_ids = _insert(
            Participant,
            [
                {
                    "person_id": person_ids[nik],
                    "kpj_number": identifiers.kpj_from_serial(serial),
                    "registered_on": today,
                    "registering_office_id": employer.office_id,
                }
                for nik, serial in zip(need, serials, strict=True)
            ],
        )
        participant_ids.update(zip(need, part_ids, strict=True))
    membership_rows = []
    programs_of: dict[tuple[date, date], list[str]] = {}
    for r in rows:
        key = (birth_dates[r.nik], r.start_date)
        programs = programs_of.get(key)
        if programs is None:
            programs = programs_of[key] = default_pu_programs(
                size_class=employer.size_class,
                birth_date=key[0],
                start_date=key[1],
                registered_on=today,
            )
        membership_rows.append(
            {
                "participant_id": participant_ids[r.nik],
                "segment": Membership.Segment.PU.value,
                "employer_id": employer.pk,
                "payer": Membership.Payer.EMPLOYER.value,
                "has_jkk": True,
                "has_jkm": True,
                "has_jht": "JHT" in programs,
                "has_jp": "JP" in programs,
                "has_jkp": "JKP" in programs,
                "start_date": r.start_date,
                "office_id": employer.office_id,
                "registered_on": today,
                "late_registration": (today - r.start_date).days > LATE_REGISTRATION_DAYS,
            }
        )
    membership_ids = _insert(Membership, membership_rows)
    _insert(
        ReportedWage,
        [
            {"membership_id": mid, "effective_month": r.start_date.replace(day=1), "amount": r.wage}
            for mid, r in zip(membership_ids, rows, strict=True)
        ],
    )
    report.created_persons = len(new_rows)
    report.created_participants = len(need)
    report.created_memberships = len(membership_ids)


# ---------------------------------------------------------------------------------- reports, templates


def report_csv(issues: list[Issue]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    writer.writerows(i.as_row() for i in issues)
    return out.getvalue().encode("utf-8")


def _xlsx(header: tuple[str, ...], rows: list[tuple[Any, ...]], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def report_xlsx(issues: list[Issue]) -> bytes:
    return _xlsx(REPORT_COLUMNS, [i.as_row() for i in issues], "laporan")


TEMPLATE_EXAMPLE = ("6471054508900003", "Siti Aminah", "1990-08-05", "P", "3.500.000", "2026-01-05")


def template_csv() -> bytes:
    """The downloadable template: the header and one example row."""
    return (",".join(COLUMNS) + "\n" + ",".join(TEMPLATE_EXAMPLE) + "\n").encode("utf-8")


def template_xlsx() -> bytes:
    return _xlsx(COLUMNS, [TEMPLATE_EXAMPLE], "pekerja")
