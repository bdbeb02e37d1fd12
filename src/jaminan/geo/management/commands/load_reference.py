from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.geo.services import ReferenceDataError, load_reference


class Command(BaseCommand):
    help = "Load data/reference/*.csv (regions, offices, jurisdictions, PLKK, workforce, figures) idempotently."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", type=Path, default=settings.REFERENCE_DIR)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_reference(options["dir"])
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        for name, count in report.counts.items():
            self.stdout.write(f"{name}: {count} ({report.created.get(name, 0)} new)")
