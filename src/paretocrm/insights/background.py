"""Start a scoring run from a page without blocking the request.

The run goes in a daemon thread of the web process: ``run_scoring`` writes its progress to
the ``ScoreRun`` row, which the status fragment polls. Only one web-started run at a time
(a second click while one is running is refused). A worker queue can replace the thread
later without changing the pages.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from typing import Any

from django.contrib.auth import get_user_model
from django.db import close_old_connections, connection
from django.utils import timezone

from paretocrm.insights.choices import RunSource, RunStatus
from paretocrm.insights.models import ScoreRun
from paretocrm.insights.services import ScoringError, run_scoring

logger = logging.getLogger(__name__)
_lock = threading.Lock()
#: A run still "running" after this long is taken to have died with its process.
STALE_AFTER = dt.timedelta(hours=2)


def scoring_in_progress() -> bool:
    """True when a run started recently is still running."""
    since = timezone.now() - STALE_AFTER
    return ScoreRun.objects.filter(status=RunStatus.RUNNING, started_at__gte=since).exists()


def _run(user_id: int | None) -> None:
    close_old_connections()
    try:
        user = get_user_model().objects.filter(pk=user_id).first()
        run_scoring(source=RunSource.WEB, triggered_by=user)
    except ScoringError as error:
        logger.warning("web scoring run failed: %s", error)
    except Exception:
        logger.exception("web scoring run crashed")
    finally:
        connection.close()
        _lock.release()


def start_scoring(user: Any, *, wait: bool = False) -> bool:
    """Start a run for ``user`` in the background; False when one is already running.

    ``wait=True`` runs it in the calling thread (tests, where a thread cannot share the
    test transaction).
    """
    if scoring_in_progress() or not _lock.acquire(blocking=False):
        return False
    if wait:
        try:
            run_scoring(source=RunSource.WEB, triggered_by=user)
        except ScoringError as error:
            logger.warning("web scoring run failed: %s", error)
        finally:
            _lock.release()
        return True
    thread = threading.Thread(target=_run, args=(user.pk,), name="paretocrm-scoring", daemon=True)
    thread.start()
    return True
