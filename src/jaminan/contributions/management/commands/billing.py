"""``jaminan billing run --month YYYY-MM [--office CODE] [--reason TEXT]`` and
``jaminan billing totals --month YYYY-MM [--json]``."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.contributions import bills, runs
from jaminan.contributions.billing import BillingLocked, billing_totals, run_billing
from jaminan.geo.models import Office
from jaminan.web.formatting import number, rupiah


def parse_month(value: str, *, to_bill: bool = False) -> date:
    """``--month`` read as the page and the API read it (``bills.parse_month``: YYYY-MM, not before
    the rules' first month); ``to_bill``: not later than the run's limit either
    (``runs.check_billable_month``)."""
    try:
        month = bills.parse_month(value)
        return runs.check_billable_month(month) if to_bill else month
    except bills.BillsError as exc:
        raise CommandError(f"--month {value!r}: {exc.message}") from exc


class Command(BaseCommand):
    help = "Penagihan iuran bulanan: `run` membuat tagihan, `totals` mencetak total kendali."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        run = sub.add_parser("run", help="Buat tagihan satu bulan (idempoten, dapat dilanjutkan).")
        run.add_argument("--month", required=True, metavar="YYYY-MM")
        run.add_argument("--office", metavar="CODE", help="Satu kantor cabang saja.")
        run.add_argument("--reason", default="", help="Alasan (terlihat pada kunci bulan).")
        run.add_argument("--quiet", action="store_true", help="Tanpa bilah kemajuan.")
        run.add_argument(
            "--no-coverage",
            action="store_true",
            help="Jangan perbarui snapshot cakupan bulan itu setelah penagihan.",
        )
        totals = sub.add_parser("totals", help="Total kendali tagihan satu bulan.")
        totals.add_argument("--month", required=True, metavar="YYYY-MM")
        totals.add_argument("--json", action="store_true", help="Cetak sebagai JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        month = parse_month(options["month"], to_bill=options["what"] == "run")
        if options["what"] == "totals":
            totals = billing_totals(month)
            if options["json"]:
                self.stdout.write(json.dumps(totals))
            else:
                self.stdout.write(
                    f"{month:%Y-%m}: {number(totals['bills'], 'id')} tagihan, "
                    f"{number(totals['lines'], 'id')} baris, {rupiah(totals['amount'], 'id')}"
                )
            return
        office = None
        if options["office"]:
            office = Office.objects.filter(code=options["office"]).first()
            if office is None:
                raise CommandError(f"Kantor {options['office']!r} tidak dikenal.")
        show = not options["quiet"] and options["verbosity"] > 0

        def progress(done: int, total: int, label: str) -> None:
            if show:
                width = 30
                filled = width * done // max(total, 1)
                sys.stderr.write(
                    f"\rbilling {month:%Y-%m}: [{'#' * filled}{'.' * (width - filled)}] "
                    f"{done}/{total} {label[:40]:<40}"
                )
                sys.stderr.flush()

        try:
            run = run_billing(
                month=month, office=office, reason=options["reason"], progress=progress
            )
        except BillingLocked as exc:
            raise CommandError(exc.message) from exc
        if show:
            sys.stderr.write("\n")
        if not options["no_coverage"] and run.status == run.Status.COMPLETED:
            from jaminan.coverage.services import refresh

            refresh(months=[month], reason="billing run")
        self.stdout.write(
            json.dumps(
                {
                    "run": run.pk,
                    "month": f"{month:%Y-%m}",
                    "status": run.status,
                    "bills": run.bills,
                    "lines": run.lines,
                    "amount": run.amount,
                    "skipped": run.skipped,
                    "late": run.late,
                    "corrections": run.corrections,
                }
            )
        )
