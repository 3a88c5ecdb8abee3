"""Choices of the portal app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalCaseType(models.TextChoices):
    """The case types a customer may raise on the portal (a subset of service.CaseType)."""

    INQUIRY = "inquiry", _("inquiry")
    COMPLAINT = "complaint", _("complaint")
    RETURN = "return", _("return")
    EXCHANGE = "exchange", _("exchange")


class ReplyChannel(models.TextChoices):
    """Where a case reply came from."""

    PORTAL = "portal", _("customer portal")
    EMAIL = "email", _("e-mail")
    STAFF = "staff", _("staff")


class InboundStatus(models.TextChoices):
    """What became of an inbound e-mail."""

    CASE = "case", _("filed as a new case")
    REPLY = "reply", _("filed as a reply")
    TRIAGE = "triage", _("waiting in triage")
    DISMISSED = "dismissed", _("dismissed")
