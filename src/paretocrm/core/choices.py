"""Choices shared by several apps (kept in the kernel so no app imports another for them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerTier(models.TextChoices):
    """The key-account tiers the rating produces (PRODUCT.md §2)."""

    CORE = "core", _("core")
    KEY = "key", _("key")
    ORDINARY = "ordinary", _("ordinary")
    POTENTIAL = "potential", _("potential")
    LOW_VALUE = "low_value", _("low value")
