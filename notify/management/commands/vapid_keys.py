from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from notify.vapid import env_lines, generate_vapid_keys


class Command(BaseCommand):
    help = "Print a new VAPID key pair for Web Push as environment lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--subject",
            default="mailto:admin@example.org",
            help="Contact for push services: mailto: or https: (WEBPUSH_VAPID_SUBJECT).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(env_lines(generate_vapid_keys(), options["subject"]), ending="")
