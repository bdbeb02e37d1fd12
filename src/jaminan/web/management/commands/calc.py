from __future__ import annotations

import sys
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandParser

from jaminan.rules import cli


class Command(BaseCommand):
    help = "Run one calculation of the rules engine: jaminan calc NAME --facts JSON (exit 2 on a bad fact)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--facts", default="{}", help="facts as a JSON object")

    def handle(self, *args: Any, **options: Any) -> None:
        code = cli.main_calc(
            options["name"], options["facts"], cast(TextIO, self.stdout), cast(TextIO, self.stderr)
        )
        if code:
            sys.exit(code)
