from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.accounts.services import create_token


class Command(BaseCommand):
    help = "API tokens: `jaminan token create USER [--name NAME]` prints a new bearer token once."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for USER")
        create.add_argument("username")
        create.add_argument("--name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Pengguna tidak ditemukan: {options['username']}")
        _, secret = create_token(user=user, name=options["name"])
        self.stdout.write(secret)
