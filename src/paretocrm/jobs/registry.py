"""Every job the worker knows: what to call, when, and how often to retry a failure.

A job is a plain service function called with keyword arguments, named by its dotted path so
this module imports no app. Adding a periodic job is one line in :func:`registered_jobs`, e.g.
``Job("sla-escalation", "paretocrm.service.services.escalate_overdue_cases", every=MINUTES_15)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings


class UnknownJobError(LookupError):
    """A job name that is not in the registry (a typo, or a job removed since it was queued)."""


@dataclass(frozen=True)
class Job:
    """A unit of background work; periodic when ``daily_at`` or ``every`` is set."""

    name: str
    function: str  # dotted path of a function taking keyword arguments
    daily_at: dt.time | None = None  # local time (TIME_ZONE) of a daily run
    every: dt.timedelta | None = None  # or a fixed interval
    max_attempts: int = 3  # the first try plus two retries
    retry_after: dt.timedelta = dt.timedelta(minutes=5)  # doubled at each further retry
    # Called as on_lost(kwargs=..., record_id=...) when the process running the job died:
    # marks the job's record (score run, import batch) failed so its page can offer a retry.
    on_lost: str | None = None

    @property
    def periodic(self) -> bool:
        return self.daily_at is not None or self.every is not None


SCORING_LOST = "paretocrm.insights.background.run_lost"


def registered_jobs() -> tuple[Job, ...]:
    """The registry; read at call time so settings (and tests overriding them) apply."""
    return (
        Job(
            "scoring",
            "paretocrm.insights.services.run_scheduled_scoring",
            daily_at=settings.SCORING_AT,
            on_lost=SCORING_LOST,
        ),
        Job(
            "scoring-requested",
            "paretocrm.insights.services.run_requested_scoring",
            on_lost=SCORING_LOST,
        ),
        # An upload's dry run or commit (import page). Not retried by itself: the batch page
        # offers the retry, so a commit never runs again without the user asking.
        Job(
            "import-batch",
            "paretocrm.imports.services.run_batch",
            max_attempts=1,
            on_lost="paretocrm.imports.background.batch_lost",
        ),
        # Queued after each successful scoring run (housekeeping the run does not wait for).
        Job("prune-runs", "paretocrm.insights.services.run_pruning"),
        # Also run after every scoring run; on their own they keep SLAs and surveys timely
        # between the daily runs.
        Job(
            "sla-escalation",
            "paretocrm.work.services.escalate_service_breaches",
            every=dt.timedelta(minutes=15),
        ),
        Job("surveys", "paretocrm.service.services.send_due_surveys", every=dt.timedelta(hours=1)),
        # One mail per person a day; a day already sent to someone is skipped, so a retry
        # or a restarted worker sends only what is missing.
        Job(
            "daily-digest",
            "paretocrm.work.digest.send_daily_digests",
            daily_at=settings.DIGEST_AT,
        ),
    )


def get_job(name: str) -> Job:
    for job in registered_jobs():
        if job.name == name:
            return job
    raise UnknownJobError(f"no background job named {name!r}")
