"""Audit history: field-level changes of business objects and security events (AUD-1..4).

Both tables are append-only (:class:`~paretocrm.core.models.AppendOnlyModel`): no update or
delete path exists in the ORM, the admin is read-only, corrections are new rows. Values of
personal fields are stored masked, and no password, token or full phone number is ever
written (AUD-4).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paretocrm.audit.choices import ChangeChannel, SecurityEventKind
from paretocrm.audit.querysets import AuditEventQuerySet, FieldChangeQuerySet
from paretocrm.core.models import AppendOnlyModel


class FieldChange(AppendOnlyModel):
    """One field of one record changed: who, when (UTC), channel, old -> new."""

    changed_at = models.DateTimeField(_("changed at"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("channel"), max_length=16, choices=ChangeChannel.choices)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.BigIntegerField(_("record id"))
    # The customer the record belongs to: the history panel of a customer and the scope.
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )
    field = models.CharField(_("field"), max_length=64)
    # NULL ("no value", e.g. no owner) must stay distinct from an empty text.
    old_value = models.TextField(_("old value"), null=True, blank=True)  # noqa: DJ001
    new_value = models.TextField(_("new value"), null=True, blank=True)  # noqa: DJ001

    objects: ClassVar[FieldChangeQuerySet] = FieldChangeQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ("-changed_at", "-id")
        verbose_name = _("field change")
        verbose_name_plural = _("field changes")
        indexes = (
            models.Index(fields=("content_type", "object_id"), name="audit_fieldchange_obj_idx"),
            models.Index(fields=("customer", "changed_at"), name="audit_fieldchange_cust_idx"),
        )

    def __str__(self) -> str:
        return f"{self.content_type_id}#{self.object_id}.{self.field}"


class AuditEvent(AppendOnlyModel):
    """A security-relevant event: sign-ins, lockouts, role changes, transfers, exports ...

    ``subject_key`` is a keyed hash of the user name tried at sign-in (the throttle counts by
    it); the typed name itself is not stored because people type passwords into that box.
    """

    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=32, choices=SecurityEventKind.choices)
    channel = models.CharField(_("channel"), max_length=16, choices=ChangeChannel.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    subject_key = models.CharField(_("subject key"), max_length=64, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    object_id = models.BigIntegerField(_("record id"), null=True, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ("-occurred_at", "-id")
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        indexes = (
            models.Index(fields=("kind", "subject_key", "occurred_at"), name="audit_event_key_idx"),
            models.Index(fields=("kind", "ip_address", "occurred_at"), name="audit_event_ip_idx"),
        )

    def __str__(self) -> str:
        return f"{self.kind} {self.occurred_at:%Y-%m-%d %H:%M:%S}"
