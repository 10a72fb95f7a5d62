"""Create an API token for a listener from the shell and print its secret, once.

For operators and automation that have no browser session (CI's API fuzzing, a benchmark, a
listener who asks the operator): the same service as the dashboard, the same limits. Whoever
runs manage.py already holds the database and its keys, so this grants nothing new.

    manage.py create_api_token USERNAME --name laptop [--expires-in-days 30]
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from accounts import services
from accounts.models import User


class Command(BaseCommand):
    help = "Create a named API token for USERNAME and print its secret (shown this once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="The device or script that will use it.")
        parser.add_argument("--expires-in-days", type=int, default=None, help="Default: never.")

    def handle(self, *args, username: str, name: str, expires_in_days: int | None, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be at least 1.")
        expires_at = None if expires_in_days is None else timezone.now() + timedelta(days=expires_in_days)
        try:
            _, secret = services.create_api_token(user=user, name=name, expires_at=expires_at)
        except services.ApiTokenRefused as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(secret)
