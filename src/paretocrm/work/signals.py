"""Receivers of the work app: a committed scoring run raises the tasks it implies."""

from __future__ import annotations

import logging
from typing import Any

from paretocrm.insights.models import ScoreRun
from paretocrm.service.services import send_due_surveys
from paretocrm.work.services import escalate_service_breaches, raise_tasks_for_run

logger = logging.getLogger(__name__)


def on_score_run_succeeded(sender: Any, run: ScoreRun, **kwargs: Any) -> None:
    """Raise tasks for the run; a failure is logged and never undoes the committed run."""
    # Re-read: the sender's instance was taken before the SUCCEEDED update (stale overview).
    fresh = ScoreRun.objects.get(pk=run.pk)
    try:
        raise_tasks_for_run(fresh)
    except Exception:  # the scores are committed; tasks must not turn that into a failure
        logger.exception("raising tasks for scoring run %s failed", run.pk)
    # The periodic service jobs also run here, so a company without the worker still gets
    # its escalations and surveys at every scoring run; each failure is its own.
    try:
        escalate_service_breaches()
    except Exception:
        logger.exception("escalating SLA breaches after scoring run %s failed", run.pk)
    try:
        send_due_surveys()
    except Exception:
        logger.exception("sending satisfaction surveys after scoring run %s failed", run.pk)
