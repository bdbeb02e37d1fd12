from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from jaminan.accounts.demo import create_demo_users


class Command(BaseCommand):
    help = (
        "Create one demo user per role (idempotent) and print their logins. For local demos only."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        users = create_demo_users()
        self.stdout.write("Demo logins (local demo only):")
        width = max(len(u.username) for u in users)
        for user in users:
            self.stdout.write(f"  {user.username:<{width}}  {user.password:<24}  {user.role.label}")
