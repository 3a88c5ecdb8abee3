"""What ``paretocrm demo`` and ``paretocrm seed`` share: database set-up, progress, output.

The management commands stay thin: parse options, call these helpers, call one service.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from paretocrm.demo.services import (
    DemoError,
    DemoLogin,
    LoadReport,
    ProgressCallback,
    demo_is_loaded,
    load_demo_company,
    reset_database,
)

STEP_LABELS = {"company": "Company, customers and contacts", "activity": "Orders and activity"}


def console_for(stream: IO[str] | Any) -> Console:
    """A rich console writing to a management command's stdout."""
    return Console(file=stream, highlight=False, soft_wrap=True)


def database_label() -> str:
    """A human description of the configured database (no password)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        return f"SQLite {db['NAME']}"
    return f"PostgreSQL {db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def prepare_database(console: Console) -> None:
    """Create the data directory, apply migrations and collect static files if needed."""
    data_dir = Path(settings.DATA_DIR)
    data_dir.mkdir(parents=True, exist_ok=True)
    console.print(f"Database: {database_label()}")
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        raise CommandError(
            f"Cannot reach the database ({database_label()}): {exc}".strip()
            + "\nCheck DATABASE_URL, or start PostgreSQL."
        ) from exc
    with console.status("Applying database migrations..."):
        call_command("migrate", interactive=False, verbosity=0)
    static_root = Path(settings.STATIC_ROOT)
    if not static_root.is_dir() or not any(static_root.iterdir()):
        with console.status("Collecting static files..."):
            call_command("collectstatic", interactive=False, verbosity=0)


def confirm_reset(console: Console, *, assume_yes: bool, ask: Callable[[str], str]) -> None:
    """Empty the database after confirmation (``--yes`` skips the question)."""
    if not assume_yes:
        answer = ask(
            f"--reset deletes ALL data in {database_label()} (not only the demo). "
            "Type 'yes' to continue: "
        )
        if answer.strip().lower() != "yes":
            raise CommandError("Reset cancelled; nothing was changed.")
    with console.status("Deleting all data..."):
        reset_database()
    console.print("Database emptied.")


@contextmanager
def progress_bar(console: Console) -> Iterator[ProgressCallback]:
    """A rich progress bar fed by the loader's ``progress(step, done, total)`` callback."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("customers"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as bar:
        tasks: dict[str, Any] = {}

        def update(step: str, done: int, total: int) -> None:
            if step not in tasks:
                tasks[step] = bar.add_task(STEP_LABELS.get(step, step), total=total)
            bar.update(tasks[step], completed=done)

        yield update


def load_with_progress(
    console: Console,
    *,
    seed: int,
    customers: int,
    anchor: date | None,
    orders: int | None = None,
    batch_size: int = 5000,
) -> LoadReport:
    """Load the demo company, drawing progress, and report what happened."""
    if demo_is_loaded():
        console.print("The demo company is already loaded; nothing to do (use --reset to reload).")
    try:
        with progress_bar(console) as update:
            report = load_demo_company(
                seed,
                customers,
                anchor=anchor,
                orders=orders,
                batch_size=batch_size,
                progress=update,
            )
    except DemoError as exc:
        raise CommandError(str(exc)) from exc
    if report.created:
        orders_made = report.counts.get("sales.Order", 0)
        lines = report.counts.get("sales.OrderLine", 0)
        console.print(
            f"Loaded {customers:,} customers, {orders_made:,} orders and {lines:,} order lines "
            f"in {report.seconds:.1f} s."
        )
    return report


def run_analysis(console: Console) -> None:
    """Run the scoring command when it exists; otherwise say how analysis runs."""
    if "score" not in get_commands():
        console.print(
            "Analysis: run `paretocrm analyze` on a file (the database scoring command "
            "`paretocrm score` is not installed yet)."
        )
        return
    from django.core import mail

    # The demo's users have made-up addresses: keep their task digests in memory instead of
    # printing hundreds of lines (or reaching for an SMTP server) unless a backend was chosen.
    keep_mail = "PARETOCRM_EMAIL_BACKEND" not in os.environ
    backend = settings.EMAIL_BACKEND
    if keep_mail:
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        mail.outbox = []
    with console.status("Scoring customers..."):
        try:
            call_command("score")
        except CommandError as exc:
            console.print(f"[yellow]Scoring failed: {exc}. The demo data is loaded anyway.[/]")
            return
        finally:
            settings.EMAIL_BACKEND = backend
    console.print("Customer scores computed; tasks raised for the account owners.")
    if keep_mail:
        console.print(f"{len(mail.outbox)} task digest e-mail(s) prepared (not sent in the demo).")


def print_logins(console: Console, logins: list[DemoLogin], url: str | None) -> None:
    """The demo logins as a table (username, role, password), then the URL."""
    table = Table(title="Demo logins")
    table.add_column("username")
    table.add_column("role")
    table.add_column("password")
    for login in logins:
        table.add_row(login.username, login.role, login.password)
    console.print(table)
    if url:
        console.print(f"Open {url}")


def parse_anchor(value: str | None) -> date | None:
    """``--anchor YYYY-MM-DD`` (the last day of the generated history)."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--anchor must be a date like 2025-06-30, got {value!r}.") from exc
