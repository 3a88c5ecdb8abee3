"""`paretocrm prune-runs`: remove what no page reads, and old score runs if asked to.

Every successful scoring run queues the same pruning for the worker: the peak-season rows
of earlier runs always, old score runs only when PARETOCRM_KEEP_SCORE_RUNS sets a limit
(the score history is kept for ever by default). This command applies the rule on demand,
or with ``--keep`` deletes the runs beyond that many; ``--dry-run`` shows what would go. It
speaks the interface language (PARETOCRM_LANGUAGE), like the pages.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from paretocrm.insights.services import PruneResult, prune_score_runs


class Command(BaseCommand):
    help = (
        "Remove the peak-season rows of earlier score runs and, with --keep or "
        "PARETOCRM_KEEP_SCORE_RUNS, old score runs with their scores (keeping the last "
        "successful runs, one run per month for a year and any run in progress)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--keep",
            type=int,
            help="successful runs to keep in full (default PARETOCRM_KEEP_SCORE_RUNS)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="only count what would be deleted"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        keep = settings.KEEP_SCORE_RUNS if options["keep"] is None else options["keep"]
        if keep is None:
            self.stdout.write(
                _(
                    "The score history is kept in full (no --keep and no "
                    "PARETOCRM_KEEP_SCORE_RUNS); only the peak-season rows of earlier runs go."
                )
            )
            self._report(prune_score_runs(dry_run=options["dry_run"]))
            return
        if keep < 1:
            raise CommandError(
                _("--keep must be 1 or more (the current run is always kept), not %(keep)s")
                % {"keep": keep}
            )
        months = settings.KEEP_MONTHLY_SCORE_RUNS
        self.stdout.write(
            _(
                "Keeping the last %(keep)s successful runs, the last run of each of the last "
                "%(months)s months and every run in progress."
            )
            % {"keep": keep, "months": months}
        )
        result = prune_score_runs(keep, months=months, dry_run=options["dry_run"])
        self._report(result)

    def _report(self, result: PruneResult) -> None:
        if result.dry_run:
            lines = [
                _("Dry run: nothing was deleted."),
                _("Score runs to delete: %(count)s") % {"count": result.runs},
                _("Customer scores to delete: %(count)s") % {"count": result.scores},
                _("Peak-season rows to delete: %(count)s") % {"count": result.peak_rows},
            ]
        else:
            lines = [
                _("Score runs deleted: %(count)s") % {"count": result.runs},
                _("Customer scores deleted: %(count)s") % {"count": result.scores},
                _("Peak-season rows deleted: %(count)s") % {"count": result.peak_rows},
            ]
        lines.append(_("Score runs kept: %(count)s") % {"count": result.kept_runs})
        for line in lines:
            self.stdout.write(line)
