"""Choices of the users app."""

from __future__ import annotations

# The roles, their scopes and the portal/staff split are the kernel's role policy
# (core.policy, the one place a role is named); re-exported for the users app's callers.
from paretocrm.core.policy import (
    FULL_SCOPE_ROLES,
    PORTAL_ROLES,
    ROLE_SCOPES,
    STAFF_ROLES,
    Role,
    ScopeLevel,
    scope_level_of,
)

__all__ = [
    "FULL_SCOPE_ROLES",
    "PORTAL_ROLES",
    "ROLE_SCOPES",
    "STAFF_ROLES",
    "Role",
    "ScopeLevel",
    "scope_level_of",
]
