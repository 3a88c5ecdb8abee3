"""Run an import batch without blocking the request.

The batch goes to a daemon thread of the web process; ``services.run_batch`` writes its
status and progress where the status fragment polls them. A worker queue can take over by
enqueuing ``run_batch(batch_id)`` instead, without changing the pages.
"""

from __future__ import annotations

import logging
import threading

from django.db import close_old_connections, connection

from paretocrm.imports.services import run_batch

logger = logging.getLogger(__name__)


def _run(batch_id: int) -> None:
    close_old_connections()
    try:
        run_batch(batch_id)
    except Exception:
        logger.exception("import batch %s crashed", batch_id)
    finally:
        connection.close()


def start_import(batch_id: int) -> None:
    """Start ``batch_id`` in the background."""
    thread = threading.Thread(
        target=_run, args=(batch_id,), name=f"paretocrm-import-{batch_id}", daemon=True
    )
    thread.start()
