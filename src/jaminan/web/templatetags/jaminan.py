from __future__ import annotations

from datetime import date

from django import template

from jaminan.web import formatting

register = template.Library()


@register.filter
def rupiah(amount: int | None) -> str:
    return formatting.rupiah(amount)


@register.filter
def number(value: int | None) -> str:
    return formatting.number(value)


@register.filter
def long_date(value: date | None) -> str:
    return formatting.long_date(value) if value else "–"
