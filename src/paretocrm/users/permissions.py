"""Asking the role policy (QUALITY.md AUTHZ-6) with an audited refusal.

The role x function table is the kernel's (``core.policy``, the one place a role is named);
this module adds what needs the apps: a refusal written as a security event.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext

from paretocrm.core.policy import ROLE_FUNCTIONS, Function, functions_of, has_function

__all__ = ["ROLE_FUNCTIONS", "Function", "functions_of", "has_function", "require_function"]


def require_function(user: Any, function: Function | str, *, what: str = "") -> None:
    """Raise ``PermissionDenied`` (and log a denied-access event) unless allowed.

    ``what`` names the thing asked for (e.g. the export) in the logged event.
    """
    from django.core.exceptions import PermissionDenied

    if has_function(user, function):
        return
    from paretocrm.audit.services import record_event

    detail = {"function": str(function)} | ({"what": what} if what else {})
    record_event(
        "access_denied",
        actor=user if getattr(user, "is_authenticated", False) else None,
        detail=detail,
    )
    raise PermissionDenied(
        gettext("Your role may not use the function “%(function)s”.")
        % {"function": Function(function).label}
    )
