from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from jaminan.demo.generator import registry_counts


class Command(BaseCommand):
    help = "Print registry counts as JSON (persons, participants by segment, employers, projects, ...)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(registry_counts(), indent=2))
