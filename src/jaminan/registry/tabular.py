"""Reading the files people upload — worker lists, beneficiary lists, bank statements — one way.

A file is CSV (UTF-8, with or without BOM; comma or, as Excel saves it in Indonesian settings,
semicolon) or XLSX (the first sheet). Its header must be exactly the expected columns (case and
surrounding whitespace ignored, trailing empty cells allowed). :func:`read_table` yields
``(row number as the user sees it, cells)`` for every non-empty data row, the header being row 1,
with as many cells as columns: CSV cells as stripped text (a short line padded with empty cells),
XLSX cells as the workbook's values (text stripped). A file that cannot be read raises the caller's
error class with the reason in Indonesian. Cell parsers shared by the importers follow.

A CSV line with more cells than the header, counted up to its last non-empty cell (so the trailing
empty cells of ``a,b,c,,`` as Excel exports them are fine), is yielded with *all* its cells: it was
most likely split by a decimal comma or thousands separator (``8,400`` under a comma separator) or
a stray quote, and cutting it to the header's width would read other values than the user wrote
(``...,8,400,catatan`` as Rp8). Every importer rejects such a row with the issue
:data:`ROW_TOO_WIDE` (:func:`row_too_wide` gives its parameters; its message is
:data:`ROW_TOO_WIDE_MESSAGE`, in each importer's MESSAGES table). An XLSX cell cannot be split that
way: values right of the header's columns are outside the table and ignored.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext_noop

#: The issue code of a CSV line with non-empty cells beyond the header (see the module docstring).
ROW_TOO_WIDE = "row_too_wide"
#: Its message, with ``found`` (the line's cells up to its last non-empty one) and ``expected`` (the
#: header's columns); the importers' MESSAGES tables word the issue with it.
ROW_TOO_WIDE_MESSAGE = gettext_noop(
    "Baris memiliki {found} kolom, kepala berkas {expected}: periksa pemisah desimal/ribuan atau "
    "tanda kutip."
)

#: Names that are certainly not CSV or XLSX.
_UNSUPPORTED = (".xls", ".ods", ".pdf", ".doc", ".docx", ".zip")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def read_table(
    content: bytes, filename: str, columns: Sequence[str], error: type[Exception]
) -> Iterator[tuple[int, list[Any]]]:
    """The data rows of a CSV or XLSX upload whose header is ``columns``; ``error(reason)`` is
    raised, when the rows are read, for a file that cannot be read (``csv.Error`` never escapes).
    A row has ``len(columns)`` cells, or more for a CSV line the caller must reject
    (:func:`row_too_wide`)."""
    is_zip = content[:4] == b"PK\x03\x04"
    name = filename.lower()
    if is_zip or name.endswith((".xlsx", ".xlsm")):
        if not is_zip:
            raise error("Berkas bukan XLSX yang sah.")
        return _xlsx_rows(content, tuple(columns), error)
    if name.endswith(_UNSUPPORTED):
        raise error("Format berkas tidak didukung: gunakan CSV (UTF-8) atau XLSX.")
    return _csv_rows(content, tuple(columns), error)


def _check_header(cells: Sequence[Any], columns: tuple[str, ...], error: type[Exception]) -> None:
    names = [("" if c is None else str(c)).strip().lower() for c in cells]
    while names and names[-1] == "":
        names.pop()
    if tuple(names) != columns:
        raise error(
            "Judul kolom harus persis "
            + ",".join(columns)
            + "; ditemukan: "
            + ",".join(names or ["(kosong)"])
        )


def _csv_rows(
    content: bytes, columns: tuple[str, ...], error: type[Exception]
) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(f"Berkas CSV bukan UTF-8 (byte tidak sah pada posisi {exc.start}).") from exc
    if "\x00" in text:
        raise error("Berkas bukan CSV teks (berisi byte NUL).")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise error("Berkas kosong.")
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(lines, delimiter=delimiter)
    width = len(columns)
    try:
        _check_header(next(reader), columns, error)
        return _csv_data(reader, width, error)
    except csv.Error as exc:
        raise error(f"Berkas CSV tidak dapat dibaca: {exc}") from exc


def _csv_data(reader: Any, width: int, error: type[Exception]) -> Iterator[tuple[int, list[Any]]]:
    number = 1
    try:
        for cells in reader:
            number += 1
            cells = list(map(str.strip, cells))
            if not any(cells):
                continue
            while len(cells) > width and cells[-1] == "":
                cells.pop()  # trailing empty cells ("a,b,c,,")
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            yield number, cells  # more than ``width`` cells: a row too wide, all its cells kept
    except csv.Error as exc:
        raise error(f"Berkas CSV tidak dapat dibaca: {exc}") from exc


def _xlsx_rows(
    content: bytes, columns: tuple[str, ...], error: type[Exception]
) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise error(f"Berkas XLSX tidak dapat dibaca: {exc}") from exc
    except Exception as exc:  # openpyxl raises assorted errors for files that are not workbooks
        raise error(f"Berkas XLSX tidak dapat dibaca: {type(exc).__name__}") from exc
    try:
        if not workbook.worksheets:
            raise error("Berkas XLSX tidak memiliki lembar kerja.")
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise error("Berkas kosong.")
        _check_header(list(header), columns, error)
    except BaseException:
        workbook.close()
        raise
    return _xlsx_data(rows, workbook, len(columns))


def _xlsx_data(
    rows: Iterator[tuple[Any, ...]], workbook: Any, width: int
) -> Iterator[tuple[int, list[Any]]]:
    try:
        for number, values in enumerate(rows, start=2):
            cells = [v.strip() if isinstance(v, str) else v for v in values[:width]]
            cells += [None] * (width - len(cells))
            if all(c is None or c == "" for c in cells):
                continue
            yield number, cells
    finally:
        workbook.close()


def row_too_wide(cells: Sequence[Any], columns: Sequence[str]) -> dict[str, int] | None:
    """For a row :func:`read_table` yielded with more cells than ``columns``: the parameters of its
    :data:`ROW_TOO_WIDE` issue (``found`` cells, ``expected`` columns); None for a row that fits."""
    if len(cells) <= len(columns):
        return None
    return {"found": len(cells), "expected": len(columns)}


# ------------------------------------------------------------------------------------------ cells


def cell_text(value: Any) -> str:
    """A cell as text: ``None`` empty, a whole float (Excel's numbers) without ``.0``, stripped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_date(value: Any) -> date | None:
    """A date cell: an Excel date, or text ``YYYY-MM-DD`` or ``DD/MM/YYYY``; None when it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    return parse_date_text(value)


@lru_cache(maxsize=65536)
def parse_date_text(value: str) -> date | None:
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
