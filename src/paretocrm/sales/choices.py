"""Choices of the sales app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OpportunityStage(models.TextChoices):
    """Pipeline stages, from a prospect (目标客户/潜在客户) to won or lost."""

    PROSPECTING = "prospecting", _("prospecting")
    QUALIFICATION = "qualification", _("qualification")
    NEEDS_ANALYSIS = "needs_analysis", _("needs analysis")
    PROPOSAL = "proposal", _("proposal")
    NEGOTIATION = "negotiation", _("negotiation")
    WON = "won", _("won")
    LOST = "lost", _("lost")


CLOSED_STAGES: frozenset[str] = frozenset({OpportunityStage.WON, OpportunityStage.LOST})


class QuoteStatus(models.TextChoices):
    """Life of a quote."""

    DRAFT = "draft", _("draft")
    SENT = "sent", _("sent")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")
    EXPIRED = "expired", _("expired")


class RenewalType(models.TextChoices):
    """How a contract renews."""

    NONE = "none", _("no renewal")
    MANUAL = "manual", _("manual renewal")
    AUTOMATIC = "automatic", _("automatic renewal")


class ContractStatus(models.TextChoices):
    """Life of a contract."""

    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("active")
    EXPIRED = "expired", _("expired")
    TERMINATED = "terminated", _("terminated")
    RENEWED = "renewed", _("renewed")


class OrderStatus(models.TextChoices):
    """Life of an order."""

    DRAFT = "draft", _("draft")
    CONFIRMED = "confirmed", _("confirmed")
    SHIPPED = "shipped", _("shipped")
    DELIVERED = "delivered", _("delivered")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")


class OrderChannel(models.TextChoices):
    """Channel an order came through."""

    DIRECT = "direct", _("direct")
    DISTRIBUTOR = "distributor", _("distributor")
    ONLINE = "online", _("online")
    OTHER = "other", _("other")


class InvoiceStatus(models.TextChoices):
    """Life of an invoice (what is still owed is computed from payments, not stored)."""

    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")
    PAID = "paid", _("paid")
    CANCELLED = "cancelled", _("cancelled")


class PaymentMethod(models.TextChoices):
    """How a payment was received."""

    BANK_TRANSFER = "bank_transfer", _("bank transfer")
    LETTER_OF_CREDIT = "letter_of_credit", _("letter of credit")
    CASH = "cash", _("cash")
    CHEQUE = "cheque", _("cheque")
    CARD = "card", _("card")
    ONLINE = "online", _("online payment")
    OTHER = "other", _("other")


class AgingBucket(models.TextChoices):
    """Receivable aging by days past the due date."""

    NOT_DUE = "not_due", _("not yet due")
    DAYS_0_30 = "0-30", _("0-30 days overdue")
    DAYS_31_60 = "31-60", _("31-60 days overdue")
    DAYS_61_90 = "61-90", _("61-90 days overdue")
    DAYS_90_PLUS = "90+", _("over 90 days overdue")
