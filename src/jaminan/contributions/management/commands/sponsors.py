"""``jaminan sponsors alerts [--as-of DATE]``: programs whose last month is over but which still run
("sudah berakhir, belum ditutup") and programs whose last month ends within 30 days, with the people
concerned; ``jaminan sponsors end [--as-of DATE]``: end the programs whose last month is over (their
beneficiaries' memberships end, reason ``contract_ended``) — what the billing run does before it
bills a month."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.contributions import sponsors
from jaminan.geo.zones import institution_today
from jaminan.web import formatting


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Tanggal tidak sah (YYYY-MM-DD): {text}") from exc


class Command(BaseCommand):
    help = (
        "Sponsors: `sponsors alerts [--as-of DATE]` lists programs over but not ended and programs "
        "ending within 30 days, with who is concerned; `sponsors end [--as-of DATE]` ends programs "
        "whose last month is over."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        alerts = sub.add_parser(
            "alerts",
            help="programs over but not ended, and ending within 30 days, with beneficiaries",
        )
        alerts.add_argument("--as-of", default="", help="YYYY-MM-DD (default: today)")
        end = sub.add_parser("end", help="end programs whose last month ended before DATE")
        end.add_argument("--as-of", default="", help="YYYY-MM-DD (default: today)")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = _date(options["as_of"]) if options["as_of"] else institution_today()
        if options["action"] == "end":
            done = sponsors.end_due_programs(as_of=as_of)
            for program, ended in done:
                self.stdout.write(
                    f"{program.sponsor.code}\t{program.pk}\t{program.name}\t"
                    f"{ended} kepesertaan berakhir"
                )
            self.stdout.write(f"{len(done)} program diakhiri")
            return
        alerts = sponsors.program_alerts(as_of=as_of)
        for alert in alerts:
            program = alert.program
            head = (
                f"{program.sponsor.code} {program.sponsor.name} — {program.name} (#{program.pk}): "
            )
            if alert.lapsed:
                self.stdout.write(
                    head + f"sudah berakhir {formatting.long_date(alert.last_day, 'id')}, belum "
                    f"ditutup, {alert.count} kepesertaan masih terbuka (jaminan sponsors end)"
                )
            else:
                self.stdout.write(
                    head + f"berakhir {formatting.long_date(alert.last_day, 'id')}, "
                    f"{alert.days_left} hari lagi, {alert.count} orang kehilangan perlindungan"
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
        lapsed = sum(1 for a in alerts if a.lapsed)
        if lapsed:
            self.stdout.write(f"{lapsed} program sudah berakhir, belum ditutup")
        self.stdout.write(f"{len(alerts) - lapsed} program berakhir dalam 30 hari")
