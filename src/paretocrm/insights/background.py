"""Start a scoring run from a page without blocking the request.

The page creates the run record (so its progress shows at once, as "waiting for the worker")
and queues the job "scoring-requested"; ``paretocrm worker`` runs it and writes its progress
to the ``ScoreRun`` row, which the status fragment polls. One run at a time: a second click
while one is queued or running is refused. A failed run is retried by the worker (bounded,
see ``paretocrm.jobs.registry``), each attempt recorded as its own run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from paretocrm.insights.choices import RunSource, RunStatus
from paretocrm.insights.models import ScoreRun
from paretocrm.jobs.services import enqueue

#: A run still "running" after this long is taken to have died with its process.
STALE_AFTER = dt.timedelta(hours=2)
WAITING_STEP = ScoreRun.WAITING_STEP


def scoring_in_progress() -> bool:
    """True when a run queued or started recently is still running."""
    since = timezone.now() - STALE_AFTER
    return ScoreRun.objects.filter(status=RunStatus.RUNNING, started_at__gte=since).exists()


def start_scoring(user: Any) -> bool:
    """Queue a run for ``user``; False when one is already queued or running."""
    with transaction.atomic():
        if scoring_in_progress():
            return False
        run = ScoreRun.objects.create(
            as_of=timezone.localdate(),
            source=RunSource.WEB,
            triggered_by=user,
            step=WAITING_STEP,
        )
        # Queued in the same transaction: no job for a run record that was rolled back.
        enqueue("scoring-requested", run_id=run.pk)
    return True
