"""`paretocrm score`: run the value engine over the database and store a snapshot."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from paretocrm.insights.services import ScoringError, run_scoring


class Command(BaseCommand):
    help = (
        "Score every customer (tier, rating, CLV, P(alive), lifecycle, churn) and store a snapshot."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of", type=dt.date.fromisoformat, help="score as of this date (YYYY-MM-DD)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with Progress(
            TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), transient=True
        ) as bar:
            task = bar.add_task("scoring", total=100)

            def progress(step: str, percent: int) -> None:
                bar.update(task, completed=percent, description=step)

            try:
                run = run_scoring(as_of=options["as_of"], progress=progress)
            except ScoringError as error:
                raise CommandError(f"scoring failed: {error}") from error
        tiers = run.overview.get("tier_counts", {})
        self.stdout.write(
            self.style.SUCCESS(
                f"Scored {run.customers_scored} customers from {run.transactions_read} orders "
                f"as of {run.as_of}. {run.overview.get('pareto', {}).get('headline', '')}."
            )
        )
        self.stdout.write("Tiers: " + ", ".join(f"{k} {v}" for k, v in sorted(tiers.items())))
