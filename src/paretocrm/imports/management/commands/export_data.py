"""`paretocrm export KIND --format csv|xlsx --out FILE`."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from paretocrm.imports.exports import COLUMNS, export_rows, write_csv, write_xlsx


class Command(BaseCommand):
    """Export customers, contacts, orders (one row per line) or payments."""

    help = "Export a list: paretocrm export KIND --format csv|xlsx --out FILE"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=sorted(COLUMNS))
        parser.add_argument("--format", choices=["csv", "xlsx"], default=None)
        parser.add_argument("--out", required=True, help="file to write (.csv or .xlsx)")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = options["format"] or out.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            raise CommandError(f"--out {out}: give --format csv or xlsx (or a .csv/.xlsx name).")
        if not out.parent.is_dir():
            raise CommandError(f"--out {out}: directory {out.parent} does not exist.")
        headers, rows = export_rows(options["kind"])
        writer = write_csv if fmt == "csv" else write_xlsx
        count = writer(out, headers, rows)
        self.stdout.write(f"Exported {count:,} {options['kind']} rows to {out}.")
