"""Contributions API: sponsors."""

from ninja import Router

router = Router(tags=["iuran"])
