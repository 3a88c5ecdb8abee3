"""Function permissions of the API: which roles may write through an endpoint.

Reading is allowed to every active, signed-in user; *what* they read is decided by the
record scope (``visible_to``). Writing is a per-endpoint role list (deny unless granted).
The roles are named by their stored values because the kernel imports no app.
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

#: Roles that edit customer-owned records by default (managers, specialists, sales reps).
#: General managers only read and approve; assistants only read (QUALITY.md role defaults).
ACCOUNT_WRITERS: frozenset[str] = frozenset(
    {"administrator", "key_account_manager", "key_account_specialist", "sales_rep"}
)
#: Company-wide reference data (catalogue, price lists) is maintained by administrators.
ADMINISTRATORS: frozenset[str] = frozenset({"administrator"})
#: Customers signed in to the portal (users.choices.PORTAL_ROLES): the staff API is closed to
#: them whatever the method or record, even with a token (the portal app has its own pages).
PORTAL_ROLES: frozenset[str] = frozenset({"portal_customer"})


def user_role(user: Any) -> str:
    """The role value of ``user`` ("" when it has none)."""
    return str(getattr(user, "role", "") or "")


def is_staff_member(user: Any) -> bool:
    """True for an active, signed-in user who is not a portal customer."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user_role(user) not in PORTAL_ROLES or bool(getattr(user, "is_superuser", False))


class StaffPermission(BasePermission):
    """Any active, signed-in member of staff (the schema and Swagger UI use it)."""

    message = "The API is for staff; customers use the portal."

    def has_permission(self, request: Any, view: Any) -> bool:
        """Allow active staff users only."""
        return is_staff_member(request.user)


class RoleWritePermission(BasePermission):
    """Safe methods for any active user; writes only for ``view.write_roles`` (or superusers).

    Runs before the object is looked up, so a refused write answers 403 whatever the id is:
    it cannot reveal whether an out-of-scope record exists.
    """

    message = "Your role may not change records through this endpoint."

    def has_permission(self, request: Any, view: Any) -> bool:
        """Allow reads to active users; writes by role."""
        user = request.user
        if not is_staff_member(user):
            return False
        if request.method in SAFE_METHODS:
            return True
        if getattr(user, "is_superuser", False):
            return True
        roles: frozenset[str] = getattr(view, "write_roles", frozenset())
        return user_role(user) in roles
