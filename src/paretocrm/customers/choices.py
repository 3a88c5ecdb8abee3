"""Choices of the customers app."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerScale(models.TextChoices):
    """Size of the customer company."""

    MICRO = "micro", _("micro")
    SMALL = "small", _("small")
    MEDIUM = "medium", _("medium")
    LARGE = "large", _("large")
    ENTERPRISE = "enterprise", _("enterprise")


class CustomerScope(models.TextChoices):
    """Geographic scope of the customer's business (全球性/全国性/地区性)."""

    GLOBAL = "global", _("global")
    NATIONAL = "national", _("national")
    REGIONAL = "regional", _("regional")


class CooperationLevel(models.TextChoices):
    """Depth of the relationship (优先供应商/合作伙伴/战略合作伙伴)."""

    PREFERRED_SUPPLIER = "preferred_supplier", _("preferred supplier")
    PARTNER = "partner", _("partner")
    STRATEGIC_PARTNER = "strategic_partner", _("strategic partner")


class CreditRating(models.TextChoices):
    """Credit / reputation grade (商誉)."""

    AAA = "AAA", "AAA"
    AA = "AA", "AA"
    A = "A", "A"
    BBB = "BBB", "BBB"
    BB = "BB", "BB"
    B = "B", "B"
    C = "C", "C"


class SalesChannel(models.TextChoices):
    """How the customer buys from us."""

    DIRECT = "direct", _("direct")
    DISTRIBUTOR = "distributor", _("distributor")


class CustomerStatus(models.TextChoices):
    """Customers are archived, never deleted."""

    ACTIVE = "active", _("active")
    ARCHIVED = "archived", _("archived")


class AccountTeamRole(models.TextChoices):
    """Role of a colleague in a customer's account team."""

    LEAD = "lead", _("account lead")
    SPECIALIST = "specialist", _("specialist")
    ASSISTANT = "assistant", _("assistant")
    SALES = "sales", _("sales")
    SERVICE = "service", _("service")
    EXECUTIVE_SPONSOR = "executive_sponsor", _("executive sponsor")


class Incoterm(models.TextChoices):
    """Incoterms 2020 trade terms."""

    EXW = "EXW", _("EXW – Ex Works")
    FCA = "FCA", _("FCA – Free Carrier")
    CPT = "CPT", _("CPT – Carriage Paid To")
    CIP = "CIP", _("CIP – Carriage and Insurance Paid To")
    DAP = "DAP", _("DAP – Delivered at Place")
    DPU = "DPU", _("DPU – Delivered at Place Unloaded")
    DDP = "DDP", _("DDP – Delivered Duty Paid")
    FAS = "FAS", _("FAS – Free Alongside Ship")
    FOB = "FOB", _("FOB – Free on Board")
    CFR = "CFR", _("CFR – Cost and Freight")
    CIF = "CIF", _("CIF – Cost, Insurance and Freight")


class BuyingRole(models.TextChoices):
    """A contact's role in the customer's buying decision (stakeholder map)."""

    DECISION_MAKER = "decision_maker", _("decision maker")
    ECONOMIC_BUYER = "economic_buyer", _("economic buyer")
    TECHNICAL_BUYER = "technical_buyer", _("technical buyer")
    INFLUENCER = "influencer", _("influencer")
    CHAMPION = "champion", _("champion")
    USER = "user", _("user")
    GATEKEEPER = "gatekeeper", _("gatekeeper")
    OTHER = "other", _("other")


class ConsentChannel(models.TextChoices):
    """Channels a contact can consent to be contacted through (PIPL/GDPR)."""

    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    WECHAT = "wechat", _("WeChat")
    POST = "post", _("post")


class InteractionKind(models.TextChoices):
    """Kinds of logged interaction."""

    CALL = "call", _("call")
    VISIT = "visit", _("visit")
    EMAIL = "email", _("e-mail")
    MEETING = "meeting", _("meeting")
    MESSAGE = "message", _("message")


class ChangeChannel(models.TextChoices):
    """Where a recorded change came from (QUALITY.md AUD-1)."""

    WEB = "web", _("web")
    API = "api", _("API")
    IMPORT = "import", _("import")
    TRANSFER = "transfer", _("transfer")
    SYSTEM = "system", _("system")
    # The customer self-service portal and inbound e-mail (portal app, issue 8).
    PORTAL = "portal", _("customer portal")
    EMAIL = "email", _("e-mail")


class AccountPlanStatus(models.TextChoices):
    """Life of an account plan."""

    DRAFT = "draft", _("draft")
    ACTIVE = "active", _("active")
    UNDER_REVIEW = "under_review", _("under review")
    CLOSED = "closed", _("closed")


class GoalStatus(models.TextChoices):
    """Progress of an account-plan goal."""

    ON_TRACK = "on_track", _("on track")
    AT_RISK = "at_risk", _("at risk")
    ACHIEVED = "achieved", _("achieved")
    MISSED = "missed", _("missed")


class ActionStatus(models.TextChoices):
    """Progress of an account-plan action."""

    OPEN = "open", _("open")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")
