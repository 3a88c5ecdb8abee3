"""`paretocrm import KIND FILE --user NAME | --as-system`: validate and import a CSV/XLSX file.

An import runs as someone (IMP-5): ``--user`` gives it that user's scope, field
permissions and audit trail, exactly as the web import page does; ``--as-system`` is the
administrator's unrestricted bulk load, and its audit event says it was one. There is no
silent default. See imports.services for the validation and write guarantees.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from paretocrm.imports.kinds import KINDS
from paretocrm.imports.models import ImportStatus
from paretocrm.imports.services import ImportRefused, ImportResult, ProgressHooks, run_import

REPORT_LIMIT = 200
PROGRESS_FROM = 20_000  # rows; smaller files finish before a bar is worth drawing


class Command(BaseCommand):
    """Import customers, contacts, products, orders, invoices, payments or the CDNOW file."""

    help = (
        "Import a .csv or .xlsx file: paretocrm import KIND FILE (--user NAME | --as-system) "
        "[--dry-run] [--skip-invalid]"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=sorted(KINDS), help="what the file holds")
        parser.add_argument("file", help="path of the .csv or .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
        parser.add_argument(
            "--skip-invalid", action="store_true", help="import the valid rows, list the others"
        )
        parser.add_argument("--encoding", default="utf-8", choices=["utf-8", "gb18030"])
        parser.add_argument("--sheet", default=None, help="worksheet name (.xlsx)")
        who = parser.add_mutually_exclusive_group(required=True)
        who.add_argument(
            "--user", metavar="USERNAME", help="import as this user: their scope and rights"
        )
        who.add_argument(
            "--as-system",
            action="store_true",
            help="an unrestricted bulk load by an administrator (audited as a system import)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"], as_system=options["as_system"])
        console = Console(file=self.stdout, highlight=False, width=120)
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task: dict[str, Any] = {}

            def start(total: int, label: str) -> None:
                if total >= PROGRESS_FROM:
                    task["id"] = progress.add_task(label, total=total)

            def advance(count: int) -> None:
                if "id" in task:
                    progress.advance(task["id"], count)

            try:
                result = run_import(
                    options["kind"],
                    options["file"],
                    dry_run=options["dry_run"],
                    skip_invalid=options["skip_invalid"],
                    encoding=options["encoding"],
                    sheet=options["sheet"],
                    user=user,
                    hooks=ProgressHooks(start, advance),
                )
            except ImportRefused as exc:
                raise CommandError(str(exc)) from None
        print_result(console, result)
        if not result.ok:
            raise CommandError(f"{result.source}: {result.status}; see the report above.")


def acting_user(username: str | None, *, as_system: bool, action: str = "import") -> Any:
    """The active user named ``username``, or None for an explicit system import (or
    export: the same rule for ``paretocrm export``).

    argparse already insists on exactly one of ``--user`` and ``--as-system``.
    """
    from django.contrib.auth import get_user_model

    if as_system:
        return None
    user = get_user_model()._default_manager.filter(username=username).first()
    if user is None:
        raise CommandError(f"--user: there is no user named {username!r}.")
    if not user.is_active:
        raise CommandError(f"--user: {username!r} is deactivated and cannot {action}.")
    return user


def print_result(console: Console, result: ImportResult) -> None:
    """The row / column / message report and the counts."""
    issues = result.report.sorted_issues()
    if issues:
        table = Table(title=f"{result.source}: problems found", show_lines=False)
        for name in ("row", "column", "severity", "message"):
            table.add_column(name)
        for issue in issues[:REPORT_LIMIT]:
            row = "file" if issue.row == 0 else str(issue.row)
            table.add_row(row, issue.column, issue.severity, issue.message)
        console.print(table)
        hidden = result.report.error_count + result.report.warning_count - REPORT_LIMIT
        if hidden > 0:
            console.print(f"... and {hidden:,} more (all are in the import batch record).")
    console.print(
        f"{result.kind}: {result.rows:,} rows read, {result.report.error_count:,} errors, "
        f"{len(result.report.invalid_rows):,} invalid rows."
    )
    if result.status == ImportStatus.VALIDATED:
        console.print("Dry run: nothing was written.")
    elif result.status == ImportStatus.COMMITTED:
        c = result.counts
        console.print(f"Committed: {c.created:,} created, {c.updated:,} updated, "
                      f"{c.unchanged:,} unchanged {result.kind}.")  # fmt: skip
        for name, rc in result.related.items():
            console.print(f"  {name}: {rc.created:,} created, {rc.updated:,} updated, "
                          f"{rc.unchanged:,} unchanged.")  # fmt: skip
        if result.skipped_rows:
            shown = ", ".join(str(r) for r in result.skipped_rows[:REPORT_LIMIT])
            console.print(f"Skipped {len(result.skipped_rows):,} invalid rows: {shown}")
    else:
        console.print("Nothing was written (the import is all or nothing; "
                      "use --skip-invalid to import the valid rows).")  # fmt: skip
