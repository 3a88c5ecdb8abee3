"""Portal users and what customers send in: invitations, case replies, attachments, e-mail.

A portal user is a ``users.User`` with the role ``portal_customer`` linked to exactly one
contact by :class:`PortalAccount`; ``CustomerScopedQuerySet.scope_filter`` turns that link
into the same ``visible_to(user)`` scope staff use, so a portal user sees one customer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paretocrm.core.models import TimeStampedModel
from paretocrm.portal.choices import InboundStatus, ReplyChannel
from paretocrm.portal.querysets import (
    CaseAttachmentQuerySet,
    CaseReplyQuerySet,
    InboundMessageQuerySet,
    PortalAccountQuerySet,
    PortalInvitationQuerySet,
)


class PortalAccount(TimeStampedModel):
    """The link between a portal login and the contact (hence the one customer) it speaks for."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="portal_account",
    )
    contact = models.OneToOneField(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="portal_account",
    )
    is_active = models.BooleanField(_("active"), default=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PortalAccountQuerySet.as_manager()

    class Meta:
        ordering = ("contact__customer__name", "id")
        verbose_name = _("portal account")
        verbose_name_plural = _("portal accounts")

    def __str__(self) -> str:
        return f"{self.user.username} -> {self.contact}"


class PortalInvitation(TimeStampedModel):
    """A one-time sign-up link sent to a contact; only the token's SHA-256 is stored."""

    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        related_name="portal_invitations",
    )
    email = models.EmailField(_("e-mail"))
    token_hash = models.CharField(_("token hash"), max_length=64, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = PortalInvitationQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = _("portal invitation")
        verbose_name_plural = _("portal invitations")
        constraints = (
            models.UniqueConstraint(
                fields=("token_hash",),
                name="portal_portalinvitation_token_unique",
                violation_error_message=_("This invitation token already exists."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.email} ({self.expires_at:%Y-%m-%d})"

    @property
    def is_usable(self) -> bool:
        """Not used and not expired."""
        return self.used_at is None and self.expires_at > timezone.now()


class CaseReply(TimeStampedModel):
    """A message on a service case from the customer (portal, e-mail) or from staff."""

    case = models.ForeignKey(
        "service.Case", verbose_name=_("case"), on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact = models.ForeignKey(
        "customers.Contact",
        verbose_name=_("contact"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_replies",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=ReplyChannel.choices)
    body = models.TextField(_("message"))

    objects = CaseReplyQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("case reply")
        verbose_name_plural = _("case replies")
        indexes = (models.Index(fields=("case", "created_at"), name="portal_reply_case_idx"),)

    def __str__(self) -> str:
        return f"{self.case_id}: {self.body[:40]}"


class CaseAttachment(TimeStampedModel):
    """A file sent with a case or a reply; size and type were checked before it was stored."""

    case = models.ForeignKey(
        "service.Case",
        verbose_name=_("case"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    reply = models.ForeignKey(
        CaseReply,
        verbose_name=_("reply"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to="case-attachments/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CaseAttachmentQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        verbose_name = _("case attachment")
        verbose_name_plural = _("case attachments")

    def __str__(self) -> str:
        return self.original_name


class InboundMessage(TimeStampedModel):
    """An e-mail read by ``portal_inbound_mail``: filed on a case, or waiting in triage.

    ``message_id`` makes reading the same mailbox twice file nothing twice.
    """

    message_id = models.CharField(_("message id"), max_length=300)
    sender = models.EmailField(_("sender"))
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    status = models.CharField(_("status"), max_length=16, choices=InboundStatus.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )
    case = models.ForeignKey(
        "service.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inbound_messages",
    )

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        ordering = ("-received_at", "-id")
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        indexes = (
            models.Index(fields=("status", "received_at"), name="portal_inbound_status_idx"),
        )
        constraints = (
            models.UniqueConstraint(
                fields=("message_id",),
                name="portal_inboundmessage_message_id_unique",
                violation_error_message=_("This e-mail was already read."),
            ),
            models.CheckConstraint(
                condition=Q(status=InboundStatus.TRIAGE)
                | Q(status=InboundStatus.DISMISSED)
                | Q(case__isnull=False),
                name="portal_inboundmessage_filed_has_case",
                violation_error_message=_("A filed e-mail needs its case."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject}"
