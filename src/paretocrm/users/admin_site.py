"""The Django admin asks the role policy (QUALITY.md AUTHZ-6): administrators only.

Django's own admin lets in any active user with the ``is_staff`` flag, a second rule beside
the role policy. Here the site asks ``core.policy.is_administrator`` instead, and the
authentication backend gives the administrator role every model permission (the policy's
"administrator: all"), so the flag decides nothing.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from paretocrm.core.policy import is_administrator


class PolicyAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in: administrators of the role policy, whatever ``is_staff`` says."""

    def confirm_login_allowed(self, user: Any) -> None:
        AuthenticationForm.confirm_login_allowed(self, user)  # active users only
        if not is_administrator(user):
            raise ValidationError(
                self.error_messages["invalid_login"],
                code="invalid_login",
                params={"username": self.username_field.verbose_name},
            )


class PolicyAdminSite(admin.AdminSite):
    """The admin site, open to the role policy's administrators."""

    login_form = PolicyAdminAuthenticationForm

    def has_permission(self, request: Any) -> bool:
        """True for superusers and active users with the administrator role."""
        return is_administrator(request.user)
