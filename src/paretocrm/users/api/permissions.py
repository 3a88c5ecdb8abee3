"""API permission for the role x function table (QUALITY.md AUTHZ-6)."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission

from paretocrm.users.permissions import Function, has_function


class FunctionPermission(BasePermission):
    """Allow a view only to users whose role has ``view.required_function``.

    A signed-in user without the function is answered 403 and the refusal is written as an
    ``access_denied`` security event (AUD-3); anonymous requests are left to authentication.
    """

    message = "Your role may not use this function."

    def has_permission(self, request: Any, view: Any) -> bool:
        """True when the function is granted; a refusal by a signed-in user is logged."""
        user = request.user
        if not (user and user.is_authenticated and user.is_active):
            return False
        function = Function(view.required_function)
        if has_function(user, function):
            return True
        from paretocrm.audit.services import record_event

        record_event(
            "access_denied",
            actor=user,
            detail={"function": str(function), "path": request.path[:200]},
        )
        return False
