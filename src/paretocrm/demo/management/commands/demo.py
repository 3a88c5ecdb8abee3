"""``paretocrm demo``: create the database, load the demo company, print logins, serve."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from paretocrm.demo.console import (
    confirm_reset,
    console_for,
    load_with_progress,
    parse_anchor,
    prepare_database,
    print_logins,
    run_analysis,
)
from paretocrm.demo.portal import grant_portal_access, print_portal_logins
from paretocrm.demo.services import demo_logins


def positive(value: str) -> int:
    """argparse type: an integer >= 1."""
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    """Set up a demo of Pareto CRM in one command."""

    help = (
        "Create the database, load the demo company (a Chinese fruit and industrial-goods "
        "exporter with three years of history), run the analysis, print the logins and serve "
        "the web app on 127.0.0.1:8000. Running it again does not duplicate anything."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Options of ``paretocrm demo``."""
        parser.add_argument("--no-serve", action="store_true", help="stop after loading")
        parser.add_argument("--host", default="127.0.0.1", help="address to serve on")
        parser.add_argument("--port", type=positive, default=8000, help="port to serve on")
        parser.add_argument("--workers", type=positive, default=2, help="gunicorn workers")
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument(
            "--customers", type=positive, default=300, help="number of customers (default 300)"
        )
        parser.add_argument(
            "--anchor", help="last day of the order history, YYYY-MM-DD (default today)"
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete ALL data first and load again"
        )
        parser.add_argument("--yes", action="store_true", help="do not ask before --reset")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the steps in order; every failure is a CommandError with a clear message."""
        console = console_for(self.stdout)
        anchor = parse_anchor(options["anchor"])
        prepare_database(console)
        if options["reset"]:
            confirm_reset(console, assume_yes=options["yes"], ask=input)
        report = load_with_progress(
            console, seed=options["seed"], customers=options["customers"], anchor=anchor
        )
        if report.created:
            run_analysis(console)
        # Customer portal (issue 8): a login for one contact of each core customer.
        portal_logins = grant_portal_access(options["seed"])
        url = None if options["no_serve"] else f"http://{options['host']}:{options['port']}/"
        print_portal_logins(console, portal_logins)
        print_logins(console, report.logins or demo_logins(options["seed"]), url)
        if options["no_serve"]:
            console.print("Serve it later with `paretocrm serve`.")
            return
        try:
            call_command(
                "serve", host=options["host"], port=options["port"], workers=options["workers"]
            )
        except KeyboardInterrupt as exc:  # pragma: no cover - interactive stop
            raise CommandError("Stopped.") from exc
