"""``paretocrm worker``: run queued jobs and the schedule (scoring daily, more to come).

It is django-tasks-db's ``db_worker`` (claiming rows with ``SELECT ... FOR UPDATE SKIP
LOCKED`` on PostgreSQL, an exclusive transaction on SQLite) plus a scheduler thread that
queues periodic jobs when they fall due. Several workers may run; each queued job runs once.
Stop it with SIGTERM or Ctrl+C: the job in progress finishes first (a second signal ends it).
Give each worker a stable, unique ``--worker-id``: a restarted worker then retries the job its
killed predecessor left unfinished. Every few seconds the worker also looks for jobs whose
process died (``sweep_lost_jobs``: their lease lapsed) and fails them, so their records do not
stay "running".
"""

from __future__ import annotations

import logging
import threading
import time
from argparse import ArgumentParser
from typing import Any

from django.db import connection
from django_tasks_db.management.commands import db_worker

from paretocrm.jobs.services import enqueue_due_jobs, recover_interrupted, sweep_lost_jobs

logger = logging.getLogger("paretocrm.jobs")

#: Seconds between two looks for lost jobs (a dead job is failed within a minute).
SWEEP_EVERY = 10.0


def tick(schedule: bool = True) -> None:
    """Fail lost jobs and queue what is due; a failure is logged and retried next time."""
    try:
        swept = sweep_lost_jobs()
        if swept:
            logger.warning("%d job(s) whose process stopped marked failed", swept)
        if schedule:
            queued = enqueue_due_jobs()
            if queued:
                logger.info("scheduled: %s", ", ".join(queued))
    except Exception:  # a database blip must not stop the schedule for good
        logger.exception("the schedule could not be checked")
    finally:
        connection.close()  # this thread's own connection; never left open between ticks


def _housekeeping_loop(interval: float, schedule: bool, stop: threading.Event) -> None:
    """Sweep every SWEEP_EVERY seconds; check the schedule every ``interval`` seconds."""
    next_schedule = 0.0
    while True:
        now = time.monotonic()
        due = schedule and now >= next_schedule
        if due:
            next_schedule = now + interval
        tick(schedule=due)
        if stop.wait(min(SWEEP_EVERY, interval)):
            return


class Command(db_worker.Command):
    help = (
        "Run background jobs (scoring runs started from the settings page, retries) and the "
        "schedule (scoring daily at PARETOCRM_SCORING_AT). Same options as db_worker, plus "
        "--schedule-interval and --no-schedule."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        # Autoreload would run the scheduler thread in the watching parent too.
        parser.set_defaults(reload=False)
        parser.add_argument(
            "--schedule-interval",
            type=db_worker.valid_interval,
            default=30.0,
            help="seconds between checks of the schedule (default 30)",
        )
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help="only run queued jobs (when another worker runs the schedule)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = options.pop("schedule_interval")
        # With a stable --worker-id (as in the systemd unit), a job the previous process of
        # this worker was killed in is marked failed and retried instead of hanging RUNNING.
        recovered = recover_interrupted(options["worker_id"])
        if recovered:
            logger.warning("%d interrupted job(s) of this worker queued again", recovered)
        schedule = options.pop("schedule")
        if options["batch"]:
            tick(schedule)  # --batch: sweep and queue what is due once, run everything, exit
        else:
            threading.Thread(
                target=_housekeeping_loop,
                args=(interval, schedule, threading.Event()),
                name="paretocrm-schedule",
                daemon=True,  # ends with the worker; a tick is a few short transactions
            ).start()
        super().handle(*args, **options)
