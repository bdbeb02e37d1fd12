"""Percentages in the language's convention: ``41,30%`` (id), ``41.30%`` (en)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import translation

register = template.Library()


@register.filter
def pct(value: Any) -> str:
    if value is None or value == "":
        return "–"
    text = f"{Decimal(value):.2f}"
    if not (translation.get_language() or "id").startswith("en"):
        text = text.replace(".", ",")
    return f"{text}%"


@register.filter
def month_label(value: Any) -> str:
    return f"{value:%Y-%m}" if value else "–"


@register.filter
def get(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
