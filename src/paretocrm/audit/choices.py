"""Choices of the audit app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# One list of channels for every history table (the customers app's OwnershipChange uses it).
from paretocrm.customers.choices import ChangeChannel

__all__ = ["ChangeChannel", "SecurityEventKind"]


class SecurityEventKind(models.TextChoices):
    """What a security event records (QUALITY.md AUD-3)."""

    LOGIN_SUCCESS = "login_success", _("sign-in")
    LOGIN_FAILURE = "login_failure", _("failed sign-in")
    LOCKOUT = "lockout", _("account or address locked")
    LOCKED_ATTEMPT = "locked_attempt", _("sign-in refused while locked")
    ROLE_CHANGE = "role_change", _("role change")
    USER_DEACTIVATED = "user_deactivated", _("user deactivated")
    TRANSFER = "transfer", _("ownership transfer")
    IMPORT = "import", _("import")
    EXPORT = "export", _("export")
    UNMASK = "unmask", _("unmasked personal data")
    ACCESS_DENIED = "access_denied", _("access denied")
    ERASURE = "erasure", _("personal data erased")
    CUSTOMER_MERGED = "customer_merged", _("customers merged")
