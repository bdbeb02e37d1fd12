from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO, cast

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from jaminan.rules import cli


class Command(BaseCommand):
    help = "Rules engine: `rules test PATH...` runs case files; `rules docs` writes docs/rules.md."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        test = sub.add_parser("test", help="run every *.yaml case file below PATH")
        test.add_argument("paths", nargs="+")
        docs = sub.add_parser("docs", help="write the parameter tables to docs/rules.md")
        docs.add_argument("--output", type=Path, default=settings.PROJECT_DIR / "docs" / "rules.md")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "test":
            code = cli.main_rules_test(options["paths"], cast(TextIO, self.stdout))
        else:
            code = cli.main_rules_docs(options["output"])
            if code == 0:
                self.stdout.write(f"wrote {options['output']}")
        if code:
            sys.exit(code)
