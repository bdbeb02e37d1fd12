"""``jaminan import workers FILE --employer NPP [--dry-run] [--report PATH]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.registry.imports import ImportFileError, import_workers
from jaminan.registry.models import Employer

EXIT_UNREADABLE = 2


class Command(BaseCommand):
    help = "Impor data: `workers FILE --employer NPP` mengimpor daftar pekerja (CSV/XLSX) satu pemberi kerja."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        workers = sub.add_parser(
            "workers", help="Daftar pekerja PU satu pemberi kerja (CSV atau XLSX)."
        )
        workers.add_argument("file", type=Path)
        workers.add_argument("--employer", required=True, metavar="NPP")
        workers.add_argument(
            "--dry-run", action="store_true", help="Periksa saja, tidak menulis apa pun."
        )
        workers.add_argument(
            "--report", type=Path, metavar="PATH", help="Tulis laporan (.csv atau .xlsx)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["what"] == "workers":
            self._workers(options)

    def _workers(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        employer = Employer.objects.filter(npp=options["employer"]).first()
        if employer is None:
            raise CommandError(f"Pemberi kerja dengan NPP {options['employer']} tidak ditemukan.")
        report_path: Path | None = options["report"]
        if report_path is not None and report_path.suffix.lower() not in (".csv", ".xlsx"):
            raise CommandError("--report harus berakhiran .csv atau .xlsx.")
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                f"Berkas tidak dapat dibaca: {exc.strerror}", returncode=EXIT_UNREADABLE
            ) from exc
        try:
            report = import_workers(
                employer=employer, content=content, filename=path.name, dry_run=options["dry_run"]
            )
        except ImportFileError as exc:
            raise CommandError(exc.reason, returncode=EXIT_UNREADABLE) from exc
        if report_path is not None:
            data = report.to_xlsx() if report_path.suffix.lower() == ".xlsx" else report.to_csv()
            report_path.write_bytes(data)
        self.stdout.write(report.summary() + (" (dry run)" if report.dry_run else ""))
