"""``jaminan ledger check``: every ledger invariant; exit 1 on any breach."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.contributions import ledger


class Command(BaseCommand):
    help = "Buku besar: `check` memeriksa setiap invarian (jurnal seimbang, saldo pembayar, pendapatan per program)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        check = sub.add_parser("check", help="Periksa invarian buku besar.")
        check.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        result = ledger.check()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"ok": result.ok, "checked": result.checked, "breaches": result.breaches}
                )
            )
        else:
            for breach in result.breaches:
                self.stderr.write(f"PELANGGARAN: {breach}")
            checked = ", ".join(f"{k} {v}" for k, v in result.checked.items())
            self.stdout.write(f"ledger check: {'ok' if result.ok else 'GAGAL'} ({checked})")
        if not result.ok:
            raise CommandError(
                f"{len(result.breaches)} pelanggaran invarian buku besar.", returncode=1
            )
