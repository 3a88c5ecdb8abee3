"""The role x function table (QUALITY.md AUTHZ-6): who may run which sensitive function.

Record scope (``visible_to``) says *which* records a user sees; this table says which
*functions* a role may use at all. Deny by default: a function not listed for a role is
refused, and a superuser may do everything. The table is data, so the test iterates it and
a new role or function cannot be added without deciding every cell.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from paretocrm.users.choices import Role


class Function(models.TextChoices):
    """A sensitive function guarded by the role table."""

    USER_ADMIN = "user_admin", _("manage users and roles")
    TRANSFER = "transfer", _("transfer accounts")
    IMPORT = "import", _("import data")
    EXPORT = "export", _("export lists in scope")
    EXPORT_ALL = "export_all", _("export all data")
    AUDIT_READ = "audit_read", _("read the audit log")
    SETTINGS = "settings", _("change settings")
    RUN_ANALYSIS = "run_analysis", _("run the analysis")
    VIEW_UNMASKED = "view_unmasked", _("view personal data unmasked")
    ERASE = "erase", _("erase a person's data")


F = Function
_ALL = frozenset(Function)

#: The table. Export and unmasking match the rules already enforced by the pages
#: (customers.views.may_export, core.masking.UNMASKED_ROLES); a test keeps them in step.
ROLE_FUNCTIONS: MappingProxyType[str, frozenset[Function]] = MappingProxyType(
    {
        Role.ADMINISTRATOR: _ALL,
        # "All, read + approve": reads and exports everything, approves transfers.
        Role.GENERAL_MANAGER: frozenset(
            {F.TRANSFER, F.EXPORT, F.EXPORT_ALL, F.AUDIT_READ, F.RUN_ANALYSIS, F.VIEW_UNMASKED}
        ),
        Role.KEY_ACCOUNT_MANAGER: frozenset({F.IMPORT, F.EXPORT, F.RUN_ANALYSIS, F.VIEW_UNMASKED}),
        Role.KEY_ACCOUNT_SPECIALIST: frozenset({F.IMPORT, F.EXPORT, F.VIEW_UNMASKED}),
        # "Team, read, no export".
        Role.KEY_ACCOUNT_ASSISTANT: frozenset(),
        Role.SALES_REP: frozenset({F.EXPORT}),
        Role.SERVICE_AGENT: frozenset({F.EXPORT}),
        # Campaign send lists (marketing.exports: consent in force, the channel's address
        # only); contacts stay masked everywhere else.
        Role.MARKETING: frozenset({F.EXPORT}),
        # Customers on the portal use no staff function at all.
        Role.PORTAL_CUSTOMER: frozenset(),
    }
)


def functions_of(role: str) -> frozenset[Function]:
    """The functions a role may use (none for an unknown role)."""
    return ROLE_FUNCTIONS.get(role, frozenset())


def has_function(user: Any, function: Function | str) -> bool:
    """True when an active, signed-in ``user`` may use ``function``."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return Function(function) in functions_of(getattr(user, "role", ""))


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
