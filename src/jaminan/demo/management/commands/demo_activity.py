"""``jaminan demo-activity [--months N]``: bill the last N months of the demo population and pay
most bills (idempotent), then credit JHT accounts and refresh the coverage snapshots."""

from __future__ import annotations

import json
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from jaminan.demo.activity import run_activity
from jaminan.geo.zones import institution_today


class Command(BaseCommand):
    help = "Aktivitas demo: tagihan beberapa bulan terakhir dan pembayarannya (idempoten)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        today = institution_today()
        result = run_activity(
            today=today, months=options["months"], progress=lambda m: self.stderr.write(m)
        )
        call_command("jht", "credit", verbosity=0)
        call_command("coverage", "refresh", verbosity=0)
        self.stdout.write(json.dumps(result.__dict__))
