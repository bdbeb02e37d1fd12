"""``jaminan jht credit [--until YYYY-MM-DD]``: credit the JHT lines of paid bills to the accounts."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.jht.services import credit_contributions


class Command(BaseCommand):
    help = (
        "JHT: `credit [--until TANGGAL]` mengkreditkan iuran JHT dari tagihan lunas ke akun peserta "
        "(idempoten); mencetak total kendali JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        credit = sub.add_parser("credit", help="Kreditkan iuran JHT dari tagihan yang sudah lunas.")
        credit.add_argument(
            "--until",
            metavar="YYYY-MM-DD",
            help="Tagihan lunas sampai tanggal ini (bawaan: hari ini).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        until = None
        if options.get("until"):
            try:
                until = date.fromisoformat(options["until"])
            except ValueError as exc:
                raise CommandError("--until harus tanggal YYYY-MM-DD.") from exc
        totals = credit_contributions(until=until)
        self.stdout.write(json.dumps(totals.as_dict()))
