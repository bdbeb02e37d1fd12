"""``jaminan payments import FILE [--dry-run] [--report PATH]``: post a bank statement.

Prints ``posted N, duplicate M, rejected K``; exit 0 when the file was processed (whatever its
lines' results), 2 when it cannot be read, 1 when the ``--report`` path cannot be written (checked
before anything is posted). Virtual accounts of every office are accepted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from jaminan.contributions.bankfile import BankFileError, import_bank_file

EXIT_UNREADABLE = 2


class Command(BaseCommand):
    help = (
        "Pembayaran iuran: `import FILE [--dry-run]` mencatat rekening koran (CSV/XLSX, "
        "docs/bank-file.md); referensi yang sudah tercatat tidak dicatat lagi."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="Catat rekening koran (CSV atau XLSX).")
        imp.add_argument("file", type=Path)
        imp.add_argument(
            "--dry-run", action="store_true", help="Periksa saja, tidak mencatat apa pun."
        )
        imp.add_argument(
            "--report", type=Path, metavar="PATH", help="Tulis hasil per baris (CSV) ke PATH."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options)

    def _import(self, options: dict[str, Any]) -> None:
        path: Path = options["file"]
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                f"Berkas tidak dapat dibaca: {exc.strerror}", returncode=EXIT_UNREADABLE
            ) from exc
        report_path: Path | None = options["report"]
        created = report_path is not None and _check_writable(report_path)
        try:
            report = import_bank_file(
                content=content, filename=path.name, dry_run=options["dry_run"], scoped=False
            )
        except BankFileError as exc:
            if created and report_path is not None:
                report_path.unlink(missing_ok=True)
            raise CommandError(exc.reason, returncode=EXIT_UNREADABLE) from exc
        if report_path is not None:
            report_path.write_bytes(report.to_csv())
        for line in report.lines:
            if line.status == "rejected":
                self.stderr.write(f"baris {line.baris}: {line.kode} {line.pesan}")
        self.stdout.write(report.summary() + (" (dry run)" if report.dry_run else ""))


def _check_writable(path: Path) -> bool:
    """CommandError unless ``path`` can be written (before anything is posted); True when this
    check created it (an empty file, removed again if the import stops)."""
    existed = path.exists()
    try:
        with path.open("ab"):
            pass
    except OSError as exc:
        raise CommandError(
            _("Berkas hasil %(path)s tidak dapat ditulis: %(reason)s; tidak ada yang dicatat.")
            % {"path": path, "reason": exc.strerror or exc}
        ) from exc
    return not existed
