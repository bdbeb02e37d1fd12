from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.coverage import services
from jaminan.coverage.errors import CoverageError
from jaminan.coverage.selectors import parse_month
from jaminan.geo.zones import institution_today


class Command(BaseCommand):
    help = (
        "Coverage snapshots: `coverage refresh [--month YYYY-MM ...] [--since YYYY-MM]` rebuilds the "
        "given months (default: months never snapshotted in the last two years, the latest and the "
        "current month, and months with bills or allocations since the last refresh), set-based."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        refresh = sub.add_parser("refresh", help="rebuild snapshot months")
        refresh.add_argument("--month", action="append", default=[], help="YYYY-MM (repeatable)")
        refresh.add_argument("--since", help="YYYY-MM: every month from this one to this month")
        refresh.add_argument("--reason", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            months: list[date] = [parse_month(m) for m in options["month"]]
            if options["since"]:
                months += services.month_range(
                    parse_month(options["since"]), services.first_of_month(institution_today())
                )
        except CoverageError as exc:
            raise CommandError(exc.message) from exc
        result = services.refresh(months=months or None, reason=options["reason"])
        for month in result.months:
            self.stdout.write(f"{month:%Y-%m}")
        self.stdout.write(
            f"refreshed {len(result.months)} month(s), {result.rows} row(s); "
            f"active at the last month: {result.active}"
        )
