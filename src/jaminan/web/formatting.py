"""Indonesian conventions for money and dates: ``Rp16.800``, ``2 Februari 2026``."""

from __future__ import annotations

from datetime import date

from django.utils import formats, translation


def rupiah(amount: int | None, language: str | None = None) -> str:
    """Whole rupiah with the thousands separator of the language: id ``Rp16.800``, en ``Rp16,800``."""
    if amount is None:
        return "–"
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise TypeError("rupiah amounts are whole integers")
    language = language or translation.get_language() or "id"
    separator = "," if language.startswith("en") else "."
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", separator)


def number(value: int | None, language: str | None = None) -> str:
    if value is None:
        return "–"
    language = language or translation.get_language() or "id"
    separator = "," if language.startswith("en") else "."
    return f"{value:,}".replace(",", separator)


def long_date(value: date, language: str | None = None) -> str:
    """``2 Februari 2026`` (id) or ``2 February 2026`` (en)."""
    with translation.override(language or translation.get_language() or "id"):
        return formats.date_format(value, "j F Y")
