"""``jaminan sponsors alerts [--as-of DATE]``: programs whose last month ends within 30 days and the
people who will lose cover; ``jaminan sponsors end [--as-of DATE]``: end the programs whose last month
is over (their beneficiaries' memberships end, reason ``contract_ended``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from jaminan.contributions import sponsors
from jaminan.web import formatting


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Tanggal tidak sah (YYYY-MM-DD): {text}") from exc


class Command(BaseCommand):
    help = (
        "Sponsors: `sponsors alerts [--as-of DATE]` lists programs ending within 30 days and who "
        "will lose cover; `sponsors end [--as-of DATE]` ends programs whose last month is over."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        alerts = sub.add_parser("alerts", help="programs ending within 30 days, with beneficiaries")
        alerts.add_argument("--as-of", default="", help="YYYY-MM-DD (default: today)")
        end = sub.add_parser("end", help="end programs whose last month ended before DATE")
        end.add_argument("--as-of", default="", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _date(options["as_of"]) if options["as_of"] else timezone.localdate()
        if options["action"] == "end":
            done = sponsors.end_due_programs(as_of=as_of)
            for program, ended in done:
                self.stdout.write(
                    f"{program.sponsor.code}\t{program.pk}\t{program.name}\t"
                    f"{ended} kepesertaan berakhir"
                )
            self.stdout.write(f"{len(done)} program diakhiri")
            return
        alerts = sponsors.expiring_programs(as_of=as_of)
        for alert in alerts:
            program = alert.program
            self.stdout.write(
                f"{program.sponsor.code} {program.sponsor.name} — {program.name} (#{program.pk}): "
                f"berakhir {formatting.long_date(alert.last_day, 'id')}, {alert.days_left} hari lagi, "
                f"{alert.count} orang kehilangan perlindungan"
            )
            for beneficiary in alert.losing_cover.iterator():
                person = beneficiary.membership.participant.person
                self.stdout.write(
                    f"\t{beneficiary.membership.participant.kpj_number}\t{person.masked_nik}\t"
                    f"{person.name}"
                )
            sponsors.record_beneficiary_view(
                user=None,
                program=program,
                action="export",
                alert=alert.last_day.isoformat(),
                count=alert.count,
            )
        self.stdout.write(f"{len(alerts)} program berakhir dalam 30 hari")
