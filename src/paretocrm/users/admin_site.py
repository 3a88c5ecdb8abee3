"""The Django admin asks the role policy (QUALITY.md AUTHZ-6): administrators only.

Django's own admin lets in any active user with the ``is_staff`` flag, a second rule beside
the role policy. Here the site asks ``core.policy.is_administrator`` instead, and the
authentication backend gives the administrator role every model permission (the policy's
"administrator: all"), so the flag decides nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig

from paretocrm.core.policy import is_administrator


class PolicyAdminSite(admin.AdminSite):
    """The admin site, open to the role policy's administrators."""

    def has_permission(self, request: Any) -> bool:
        """True for superusers and active users with the administrator role."""
        return is_administrator(request.user)


class PolicyAdminConfig(AdminConfig):
    """``django.contrib.admin`` with :class:`PolicyAdminSite` as ``admin.site``."""

    default_site = "paretocrm.users.admin_site.PolicyAdminSite"
