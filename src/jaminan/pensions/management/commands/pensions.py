"""``jaminan pensions pay --month YYYY-MM [--reason TEXT]``: the monthly JP pension roll."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.pensions.errors import PensionError
from jaminan.pensions.services import pay_pensions
from jaminan.rules import RulesError
from jaminan.rules.core import parse_month


class Command(BaseCommand):
    help = (
        "Pensiun JP: `pay --month YYYY-MM` membayar pensiun bulan itu (indeksasi, penangguhan tanpa "
        "konfirmasi data, rapel); idempoten; mencetak total kendali JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        pay = sub.add_parser("pay", help="Bayar pensiun satu bulan.")
        pay.add_argument("--month", required=True, metavar="YYYY-MM")
        pay.add_argument("--reason", default="", help="Alasan (terlihat pada kunci proses).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            month = parse_month(options["month"])
        except RulesError as exc:
            raise CommandError("--month harus YYYY-MM.") from exc
        try:
            run = pay_pensions(month=month, reason=options.get("reason", ""))
        except PensionError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(json.dumps(run.totals))
