"""`manage.py sandbox --port N`: the same entry point as `python -m sandbox`, for people used to manage.py."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from sandbox import cli


class Command(BaseCommand):
    help = "Run the offline Spotify Web API + Accounts sandbox."

    def add_arguments(self, parser: CommandParser) -> None:
        cli.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        cli.run(cli.options_from(options))
