from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.coverage import exports, report, selectors
from jaminan.coverage.errors import CoverageError
from jaminan.geo.zones import institution_today


class Command(BaseCommand):
    help = (
        "Reports: `report coverage --as-of YYYY-MM [--area CODE] [--basis B] --format json|xlsx|pdf "
        "[--output FILE] [--language id|en]` (from the coverage snapshots; exports are audited)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="kind", required=True)
        cov = sub.add_parser("coverage", help="the regional coverage report")
        cov.add_argument("--as-of", dest="as_of", help="YYYY-MM (default: this month)")
        cov.add_argument("--area", help="KALIMANTAN, a province (64) or a regency (64.71)")
        cov.add_argument("--basis", default="bpjs", choices=selectors.BASES)
        cov.add_argument("--format", dest="fmt", default="json", choices=report.FORMATS)
        cov.add_argument("--output", "-o", help="file to write (default: stdout for json)")
        cov.add_argument("--language", default="id", choices=("id", "en"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = (
                selectors.parse_month(options["as_of"], "as_of")
                if options["as_of"]
                else institution_today()
            )
            built = report.build(
                user=selectors.SYSTEM, as_of=as_of, area=options["area"], basis=options["basis"]
            )
            content = report.render(built, options["fmt"], options["language"])
        except CoverageError as exc:
            raise CommandError(exc.message) from exc
        exports.record_export(
            user=None,
            what="report",
            fmt=options["fmt"],
            rows=len(built.data["breakdown"]),
            params={"as_of": built.data["month"], "area": built.data["area"]["code"]},
        )
        if options["output"]:
            Path(options["output"]).write_bytes(content)
            self.stderr.write(f"written {options['output']} ({len(content)} bytes)")
        elif options["fmt"] == "json":
            self.stdout.write(content.decode())
        else:
            sys.stdout.buffer.write(content)
            sys.stdout.flush()
