"""Function permissions of the API: which function of the role policy a write needs.

Reading is allowed to every active member of staff; *what* they read is decided by the
record scope (``visible_to``). Writing needs the endpoint's ``write_function`` of the role
policy (``core.policy``; deny unless granted).
"""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import SAFE_METHODS, BasePermission

from paretocrm.core.policy import Function, has_function, is_staff_member

__all__ = ["RoleWritePermission", "StaffPermission", "is_staff_member"]


class StaffPermission(BasePermission):
    """Any active, signed-in member of staff (the schema and Swagger UI use it)."""

    message = "The API is for staff; customers use the portal."

    def has_permission(self, request: Any, view: Any) -> bool:
        """Allow active staff users only."""
        return is_staff_member(request.user)


class RoleWritePermission(BasePermission):
    """Safe methods for any active member of staff; writes need ``view.write_function``.

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
        function: Function | None = getattr(view, "write_function", None)
        return function is not None and has_function(user, function)
