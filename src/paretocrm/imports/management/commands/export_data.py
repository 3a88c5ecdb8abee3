"""`paretocrm export KIND --user NAME | --as-system [--format csv|xlsx] --out FILE`.

An export runs as someone, like the import (EXP-2): ``--user`` gives it that user's export
function, scope, field permissions and masking, and audits it in their name, exactly as the
web export does; ``--as-system`` is the operator's unrestricted export, and its audit event
says it was one. There is no silent default.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from paretocrm.imports.exports import COLUMNS, export_file
from paretocrm.imports.management.commands.import_data import acting_user


class Command(BaseCommand):
    """Export customers, contacts, orders (one row per line) or payments."""

    help = (
        "Export a list: paretocrm export KIND (--user NAME | --as-system) "
        "[--format csv|xlsx] --out FILE"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=sorted(COLUMNS))
        parser.add_argument("--format", choices=["csv", "xlsx"], default=None)
        parser.add_argument("--out", required=True, help="file to write (.csv or .xlsx)")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument(
            "--user",
            metavar="USERNAME",
            help="export as this user: their scope, masking and rights (audited as theirs)",
        )
        who.add_argument(
            "--as-system",
            action="store_true",
            help="an unrestricted export by the operator (audited as a system export)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = options["format"] or out.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            raise CommandError(f"--out {out}: give --format csv or xlsx (or a .csv/.xlsx name).")
        if not out.parent.is_dir():
            raise CommandError(f"--out {out}: directory {out.parent} does not exist.")
        user = acting_user(options["user"], as_system=options["as_system"], action="export")
        try:
            count = export_file(options["kind"], out, fmt, user=user)
        except PermissionDenied as refusal:
            raise CommandError(f"--user {options['user']}: {refusal}") from None
        self.stdout.write(f"Exported {count:,} {options['kind']} rows to {out}.")
