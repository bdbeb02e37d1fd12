from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jaminan.accounts.models import ApiToken
from jaminan.accounts.services import create_token, revoke_token


class Command(BaseCommand):
    help = (
        "API tokens: `token create USER [--name NAME]` prints a new bearer token once; "
        "`token list [USER]` shows prefixes and use; `token revoke PREFIX` revokes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for USER")
        create.add_argument("username")
        create.add_argument("--name", default="")
        listing = sub.add_parser(
            "list", help="list tokens (prefix, user, name, created, last used, revoked)"
        )
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke the active tokens with this prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "list":
            tokens = ApiToken.objects.select_related("user").order_by("created_at")
            if options["username"]:
                tokens = tokens.filter(user__username=options["username"])
            for t in tokens:
                self.stdout.write(
                    f"{t.prefix}\t{t.user.get_username()}\t{t.name}\t{t.created_at:%Y-%m-%d %H:%M}"
                    f"\t{t.last_used_at or '-'}\t{'revoked ' + str(t.revoked_at) if t.revoked_at else 'active'}"
                )
            return
        if options["action"] == "revoke":
            count = revoke_token(prefix=options["prefix"])
            if not count:
                raise CommandError(f"Tidak ada token aktif dengan awalan {options['prefix']}")
            self.stdout.write(f"revoked {count}")
            return
        user = get_user_model().objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Pengguna tidak ditemukan: {options['username']}")
        _, secret = create_token(user=user, name=options["name"])
        self.stdout.write(secret)
