"""``paretocrm seed``: load a demo company of any size (e.g. for benchmarks)."""

from __future__ import annotations

import time
from argparse import ArgumentParser
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand

from paretocrm.demo.bulkseed import add_bulk_company
from paretocrm.demo.console import (
    confirm_reset,
    console_for,
    load_with_progress,
    parse_anchor,
    prepare_database,
    print_logins,
)
from paretocrm.demo.management.commands.demo import positive

#: Customers of the story-rich demo part of a --bulk load; the rest are bulk customers.
BULK_DEMO_CUSTOMERS = 300


def load_bulk(console: Any, options: dict[str, Any], anchor: date) -> None:
    """Add the bulk customers, orders and lines; report their counts and the time taken."""
    started = time.perf_counter()
    counts = add_bulk_company(
        customers=options["customers"] - BULK_DEMO_CUSTOMERS,
        orders=options["orders"] or 10 * options["customers"],
        seed=options["seed"],
        anchor=anchor,
        progress=lambda step: console.print(f"  bulk: {step}"),
    )
    console.print(
        f"Added {counts.customers:,} customers, {counts.orders:,} orders and "
        f"{counts.lines:,} order lines in {time.perf_counter() - started:.1f} s."
    )


class Command(BaseCommand):
    """Generate and load a deterministic company of the requested size."""

    help = (
        "Load a demo company of another size, e.g. `paretocrm seed --customers 100000 "
        "--orders 900000` for about 2M order lines. Same seed and anchor give the same data."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        """Options of ``paretocrm seed``."""
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument("--customers", type=positive, default=300, help="number of customers")
        parser.add_argument(
            "--orders",
            type=positive,
            help="about this many orders in total (each has ~2.3 lines); default: natural rate",
        )
        parser.add_argument("--anchor", help="last day of the history, YYYY-MM-DD (default today)")
        parser.add_argument(
            "--batch-size", type=positive, default=5000, help="rows per INSERT (default 5000)"
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help=(
                "benchmark scale: a 300-customer demo company plus the rest of --customers and "
                "--orders (1-5 lines each, ~2 on average) written column-wise with COPY; "
                "e.g. --bulk --customers 100000 --orders 1000000 for ~2M order lines"
            ),
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete ALL data first and load again"
        )
        parser.add_argument("--yes", action="store_true", help="do not ask before --reset")

    def handle(self, *args: Any, **options: Any) -> None:
        """Prepare the database, optionally empty it, then load."""
        console = console_for(self.stdout)
        anchor = parse_anchor(options["anchor"])
        prepare_database(console)
        if options["reset"]:
            confirm_reset(console, assume_yes=options["yes"], ask=input)
        bulk = options["bulk"] and options["customers"] > BULK_DEMO_CUSTOMERS
        report = load_with_progress(
            console,
            seed=options["seed"],
            customers=BULK_DEMO_CUSTOMERS if bulk else options["customers"],
            anchor=anchor,
            orders=None if bulk else options["orders"],
            batch_size=options["batch_size"],
        )
        if bulk and report.created:
            load_bulk(console, options, anchor or date.today())
        if report.created:
            for label, count in report.counts.items():
                console.print(f"  {label:<36} {count:>12,}")
        print_logins(console, report.logins, None)
