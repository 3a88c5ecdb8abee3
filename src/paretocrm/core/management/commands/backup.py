"""``paretocrm backup [--out FILE]``: a consistent backup of a live database (DUR-6)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from paretocrm.core.backup import BackupError, backup_database


class Command(BaseCommand):
    """SQLite: online backup API; PostgreSQL: ``pg_dump -Fc``."""

    help = "Back up the database: paretocrm backup [--out FILE]"

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Options of ``paretocrm backup``."""
        parser.add_argument(
            "--out", help="backup file to write (default DATA_DIR/backups/paretocrm-<time>.*)"
        )
        parser.add_argument("--database", default="default", help="database alias")

    def handle(self, *args: Any, **options: Any) -> None:
        """Write the backup and print where it is."""
        out = Path(options["out"]) if options["out"] else None
        try:
            path = backup_database(out, options["database"])
        except BackupError as error:
            raise CommandError(str(error)) from None
        size = path.stat().st_size
        self.stdout.write(f"Backup written: {path} ({size:,} bytes)")
