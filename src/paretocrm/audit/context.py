"""Who is acting, and through which channel, for the audit rows written in this context.

A middleware (:class:`paretocrm.audit.middleware.AuditContextMiddleware`) sets the channel for
web and API requests; services that act in bulk (imports, transfers) wrap their work in
:func:`audit_context`. Anything outside both is the ``system`` channel. A ``ContextVar`` is
used (not a thread local) so the value follows the request through async code too.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from paretocrm.customers.choices import ChangeChannel


@dataclass(frozen=True)
class AuditContext:
    """The channel and the actor (a user, or a request whose user is read when needed)."""

    channel: str = ChangeChannel.SYSTEM
    actor: Any = None
    request: Any = None

    def actor_id(self) -> int | None:
        """The acting user's id; for a request, read late because DRF sets the user late."""
        user = self.actor
        if user is None and self.request is not None:
            user = getattr(self.request, "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        return int(user.pk)


_SYSTEM = AuditContext()
_current: ContextVar[AuditContext | None] = ContextVar("paretocrm_audit", default=None)


def current() -> AuditContext:
    """The audit context in force (the ``system`` channel outside any)."""
    return _current.get() or _SYSTEM


@contextmanager
def audit_context(
    channel: str, actor: Any = None, *, request: Any = None
) -> Iterator[AuditContext]:
    """Attribute the audit rows written inside the block to ``actor`` via ``channel``."""
    token = _current.set(AuditContext(channel=str(channel), actor=actor, request=request))
    try:
        yield current()
    finally:
        _current.reset(token)
