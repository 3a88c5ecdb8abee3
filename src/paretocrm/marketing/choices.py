"""Choices of the marketing app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignType(models.TextChoices):
    """The 4Ps a campaign works on."""

    PRODUCT = "product", _("product")
    PRICE = "price", _("price")
    CHANNEL = "channel", _("channel")
    PROMOTION = "promotion", _("promotion")


class CampaignStatus(models.TextChoices):
    """Life of a campaign."""

    PLANNED = "planned", _("planned")
    ACTIVE = "active", _("active")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class ResponseType(models.TextChoices):
    """How a campaign member responded."""

    OPENED = "opened", _("opened")
    CLICKED = "clicked", _("clicked")
    REPLIED = "replied", _("replied")
    ATTENDED = "attended", _("attended")
    PURCHASED = "purchased", _("purchased")
    DECLINED = "declined", _("declined")
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed")
