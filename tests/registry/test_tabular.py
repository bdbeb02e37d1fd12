"""The one reader of uploaded CSV/XLSX files (worker lists, beneficiary lists, bank statements)."""

from __future__ import annotations

import io
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from jaminan.registry.tabular import cell_text, parse_date, read_table, row_too_wide

COLUMNS = ("nik", "nama", "upah")


class Refused(Exception):
    pass


def rows(content: bytes, filename: str = "f.csv") -> list[tuple[int, list[object]]]:
    return list(read_table(content, filename, COLUMNS, Refused))


def test_csv_comma_or_semicolon_bom_blank_lines_and_short_rows() -> None:
    comma = (
        "\ufeffNIK, Nama ,upah\n6471015501900001,Andi,4.000.000\n\n  ,  ,\n6471015501900002,Budi\n"
    )
    semicolon = comma.replace(",", ";").replace("Andi;", '"Andi, S.T.";')
    assert rows(comma.encode()) == [
        (2, ["6471015501900001", "Andi", "4.000.000"]),
        (5, ["6471015501900002", "Budi", ""]),
    ]
    assert rows(semicolon.encode())[0] == (2, ["6471015501900001", "Andi, S.T.", "4.000.000"])


def test_csv_line_wider_than_the_header_is_yielded_whole_trailing_empty_cells_are_not() -> None:
    content = (
        "nik,nama,upah\n"
        "6471015501900001,Andi,4,000,000\n"  # a decimal comma splits the wage
        "6471015501900002,Budi,4000000,,\n"  # Excel's trailing empty cells
        "6471015501900003,Citra,4000000, , \n"
        "6471015501900004,Dewi,,,catatan\n"
    )
    got = rows(content.encode())
    assert got == [
        (2, ["6471015501900001", "Andi", "4", "000", "000"]),
        (3, ["6471015501900002", "Budi", "4000000"]),
        (4, ["6471015501900003", "Citra", "4000000"]),
        (5, ["6471015501900004", "Dewi", "", "", "catatan"]),
    ]
    assert [row_too_wide(cells, COLUMNS) for _, cells in got] == [
        {"found": 5, "expected": 3},
        None,
        None,
        {"found": 5, "expected": 3},
    ]
    semicolon = "nik;nama;upah\n6471015501900001;Andi;4000000;x\n"
    assert rows(semicolon.encode()) == [(2, ["6471015501900001", "Andi", "4000000", "x"])]


def test_xlsx_cells_keep_their_types_and_extra_columns_are_cut() -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["nik", "nama", "upah", None])
    ws.append([6471015501900001, " Citra ", 5000000, "ignored"])
    ws.append([None, None, None])
    ws.append(["6471015501900003", "Dewi", datetime(2026, 1, 2)])
    buf = io.BytesIO()
    wb.save(buf)
    assert rows(buf.getvalue(), "daftar.xlsx") == [
        (2, [6471015501900001, "Citra", 5000000]),
        (4, ["6471015501900003", "Dewi", datetime(2026, 1, 2)]),
    ]


@pytest.mark.parametrize(
    ("content", "filename", "reason"),
    [
        (b"", "f.csv", "Berkas kosong."),
        (b"\n\nnik,nama,upah\n", "f.csv", "Berkas kosong."),
        (
            b"nik,nama\n1,2\n",
            "f.csv",
            "Judul kolom harus persis nik,nama,upah; ditemukan: nik,nama",
        ),
        (b"nik,nama,upah\n\xff\n", "f.csv", "bukan UTF-8"),
        (b"nik,nama,upah\x00\n", "f.csv", "byte NUL"),
        (b"nik,nama,upah\n", "f.xls", "Format berkas tidak didukung"),
        (b"nik,nama,upah\n", "f.xlsx", "bukan XLSX yang sah"),
        (b"PK\x03\x04rusak", "f.csv", "XLSX tidak dapat dibaca"),
    ],
)
def test_unreadable_files_raise_the_callers_error(
    content: bytes, filename: str, reason: str
) -> None:
    with pytest.raises(Refused, match=reason):
        rows(content, filename)


def test_a_csv_error_while_reading_rows_is_the_callers_error_too() -> None:
    with pytest.raises(Refused, match="CSV tidak dapat dibaca"):
        rows(b"nik,nama,upah\n1," + b"x" * 200_000 + b",3\n")  # over csv's field size limit


def test_cells() -> None:
    assert cell_text(None) == "" and cell_text(6471015501900001.0) == "6471015501900001"
    assert cell_text("  x ") == "x"
    assert parse_date("2026-02-16") == date(2026, 2, 16) == parse_date("16/02/2026")
    assert parse_date(datetime(2026, 2, 16, 8)) == date(2026, 2, 16)
    assert parse_date("2026-02-30") is None and parse_date("16-02-2026") is None
    assert parse_date(20260216) is None
