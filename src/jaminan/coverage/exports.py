"""Tabular exports (CSV, XLSX) of coverage figures and compliance lists, and their audit event."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from openpyxl import Workbook

from jaminan.accounts import audit

User = AbstractBaseUser | AnonymousUser | None
FORMATS = ("csv", "xlsx")
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "pdf": "application/pdf",
}


def _cell(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, int | str | date):
        return value
    if isinstance(value, Decimal):
        return float(value) if value != value.to_integral_value() else int(value)
    return str(value)


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else _cell(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append(list(headers))
        for row in rows:
            sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def record_export(*, user: User, what: str, fmt: str, rows: int, params: dict[str, Any]) -> None:
    audit.record(
        action="export",
        actor=user,
        object_type="coverage." + what,
        object_repr=f"{what} ({fmt})",
        changes={"format": fmt, "rows": rows, **params},
    )
