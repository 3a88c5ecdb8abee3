"""The shipped SLA policies for tests about "a fresh database".

A transactional test (``django_db(transaction=True)``) empties every table when it ends, so
a later test in the same session no longer finds the rows migration 0006 wrote;
:func:`restore_shipped_policies` adds them back (only what is missing).
"""

from __future__ import annotations

from paretocrm.service.services import add_default_sla_policies


def restore_shipped_policies() -> None:
    """Add the shipped default policies that are missing (none after a plain migrate)."""
    add_default_sla_policies()
