"""Write docs/triage-rules.md from the rule registry, or check that it is up to date."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from triage.docs import render_rules_markdown


def docs_path() -> Path:
    return Path(settings.BASE_DIR) / "docs" / "triage-rules.md"


class Command(BaseCommand):
    help = "Write docs/triage-rules.md from triage.rules; with --check, fail if it is stale."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Do not write; exit non-zero if the file differs from the registry.",
        )

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        path = docs_path()
        content = render_rules_markdown()
        if check:
            current = path.read_text(encoding="utf-8") if path.exists() else None
            if current != content:
                raise CommandError(f"{path} is out of date: run `python manage.py triage_docs`.")
            self.stdout.write(f"{path} is up to date.")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # newline="\n" so the file is byte-identical on every platform and --check agrees.
        with path.open("w", encoding="utf-8", newline="\n") as fh:
            fh.write(content)
        self.stdout.write(self.style.SUCCESS(f"Wrote {path}."))
