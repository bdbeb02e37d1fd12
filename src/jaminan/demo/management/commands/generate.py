from __future__ import annotations

import json
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.demo.generator import ReferenceMissing, RegistryNotEmpty, generate_population


def _scale(value: str) -> str:
    try:
        scale = Decimal(value)
    except InvalidOperation:
        raise ValueError(value) from None
    if not 0 < scale <= 10:
        raise ValueError(value)
    return value


class Command(BaseCommand):
    help = (
        "Generate a synthetic Kalimantan population calibrated to the published figures "
        "(scale 1.0 = 3,302,762 participants) and bulk-load it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--scale", type=_scale, default="0.001", help="1.0 = the published Kalimantan totals"
        )
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument(
            "--if-empty", action="store_true", help="do nothing when participants exist"
        )
        parser.add_argument(
            "--append",
            action="store_true",
            help="add to a non-empty registry (new KPJ/NPP, no duplicate NIK)",
        )
        parser.add_argument("--quiet", action="store_true", help="no progress on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        show = not options["quiet"] and options["verbosity"] > 0
        last = [-1]

        def progress(label: str, done: int, total: int) -> None:
            pct = 100 * done // max(total, 1)
            if show and pct != last[0]:
                last[0] = pct
                sys.stderr.write(f"\rgenerate: {pct:3d}% {label:<30}")
                sys.stderr.flush()

        try:
            result = generate_population(
                scale=options["scale"],
                seed=options["seed"],
                append=options["append"],
                if_empty=options["if_empty"],
                progress=progress,
            )
        except (RegistryNotEmpty, ReferenceMissing) as exc:
            raise CommandError(str(exc)) from exc
        if show:
            sys.stderr.write("\n")
        if result.skipped:
            self.stdout.write(
                f"generate: registry already has {result.counts['participants']} participants; nothing done (--if-empty)"
            )
            return
        self.stdout.write(
            json.dumps(
                {
                    "scale": result.scale,
                    "seed": result.seed,
                    "seconds": result.seconds,
                    "rows": result.counts,
                    "timings": result.timings,
                },
                indent=None,
            )
        )
