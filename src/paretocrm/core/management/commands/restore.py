"""``paretocrm restore FILE [--yes]``: replace the database by a backup, then check it."""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from paretocrm.core.backup import BackupError, restore_database


class Command(BaseCommand):
    """SQLite: backup API into the database file; PostgreSQL: ``pg_restore --clean``."""

    help = "Restore the database from a backup: paretocrm restore FILE [--yes]"

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Options of ``paretocrm restore``."""
        parser.add_argument("file", help="backup file written by `paretocrm backup`")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        """Confirm, restore, report the integrity check and the row counts."""
        source = Path(options["file"])
        if not source.is_file():
            raise CommandError(f"{source}: no such backup file")
        alias = options["database"]
        if not options["yes"]:
            self._confirm(source, alias)
        try:
            report = restore_database(source, alias)
        except BackupError as error:
            raise CommandError(str(error)) from None
        rows = sum(report.row_counts.values())
        self.stdout.write(
            f"Restored {report.vendor} database from {source}: integrity ok, "
            f"{len(report.row_counts)} tables, {rows:,} rows"
        )

    def _confirm(self, source: Path, alias: str) -> None:
        """Ask before overwriting; without a terminal, demand --yes instead of guessing."""
        name = connections[alias].settings_dict["NAME"]
        if not sys.stdin.isatty():
            raise CommandError("restore replaces ALL data; add --yes to confirm")
        answer = input(f"Replace ALL data in {name} by {source}? Type 'yes' to continue: ")
        if answer.strip().lower() != "yes":
            raise CommandError("restore cancelled; nothing was changed")
