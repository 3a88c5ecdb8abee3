"""Row-level scope: the one place that decides which records a user may see.

The kernel knows no app, so the rule is split in two:

* :class:`ScopedQuerySet` (here) handles what is common to every model: nobody anonymous or
  inactive sees anything, and a user with full scope (``user.has_full_scope``: superuser,
  administrator, general manager) sees everything.
* :meth:`ScopedQuerySet.scope_filter` returns the ``Q`` for everyone else. The customers app
  implements it once (owner in the user's team tree, or the user in the account team) and
  every customer-owned model reuses it by declaring ``customer_path``, the lookup path from
  the model to its customer (``"customer"``, ``"order__customer"``, or ``""`` for the
  customer itself).
"""

from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.db.models import Q


def has_full_scope(user: Any) -> bool:
    """True for users who see every record (superusers and the all-seeing roles)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    return bool(getattr(user, "is_superuser", False) or getattr(user, "has_full_scope", False))


class ScopedQuerySet(models.QuerySet):
    """Base queryset with ``visible_to(user)``; subclasses supply :meth:`scope_filter`."""

    #: Lookup path from this model to the customer whose scope it inherits ("" = itself).
    customer_path: str = "customer"

    def customer_lookup(self, lookup: str) -> str:
        """Prefix ``lookup`` with the customer path (``owner_id`` -> ``customer__owner_id``)."""
        return f"{self.customer_path}__{lookup}" if self.customer_path else lookup

    def scope_filter(self, user: Any) -> Q:
        """The ``Q`` selecting the rows a user without full scope may see.

        The default denies everything, so a model that forgets to declare its scope leaks
        nothing (deny by default, QUALITY.md AUTHZ-1).
        """
        return Q(pk__in=[])

    def visible_to(self, user: Any) -> Self:
        """Rows ``user`` may see: none when anonymous or inactive, all with full scope."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if not getattr(user, "is_active", False):
            return self.none()
        if has_full_scope(user):
            return self.all()
        return self.filter(self.scope_filter(user))
