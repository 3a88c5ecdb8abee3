"""People at customers, their consent to be contacted, and logged interactions."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paretocrm.core.bounds import validate_business_date
from paretocrm.core.constraints import range_check
from paretocrm.core.models import AppendOnlyModel, TimeStampedModel, VersionedModel
from paretocrm.customers.choices import BuyingRole, ConsentChannel, InteractionKind
from paretocrm.customers.models.accounts import Customer
from paretocrm.customers.querysets import (
    ContactConsentQuerySet,
    ContactQuerySet,
    InteractionQuerySet,
)


class Contact(VersionedModel):
    """A person at a customer, placed on the stakeholder map by buying role and influence.

    Phone, mobile, e-mail and WeChat are personal data: they are masked by role and erased
    by anonymisation (QUALITY.md PRIV-1..5), never by deleting the row.
    """

    #: Personal data: masked on every channel, searched only by roles with view-unmasked.
    personal_data_fields: ClassVar[tuple[str, ...]] = (
        "phone",
        "mobile",
        "email",
        "wechat",
        "notes",
    )

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contacts"
    )
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    name = models.CharField(_("name"), max_length=200)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True)
    buying_role = models.CharField(
        _("role in buying decision"), max_length=32, choices=BuyingRole.choices, blank=True
    )
    influence = models.PositiveSmallIntegerField(_("influence (1-5)"), null=True, blank=True)
    relationship_strength = models.PositiveSmallIntegerField(
        _("relationship strength (1-5)"), null=True, blank=True
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    mobile = models.CharField(_("mobile"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    wechat = models.CharField(_("WeChat id"), max_length=64, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ("customer", "name", "id")
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = (models.Index(fields=("customer", "name"), name="customers_contact_cust_idx"),)
        constraints = (
            models.UniqueConstraint(
                fields=("external_id",),
                condition=~Q(external_id=""),
                name="customers_contact_external_id_unique",
                violation_error_message=_("A contact with this external id already exists."),
            ),
            range_check(
                "influence",
                1,
                5,
                name="customers_contact_influence_1_to_5",
                message=_("Influence must be between 1 and 5."),
            ),
            range_check(
                "relationship_strength",
                1,
                5,
                name="customers_contact_relationship_strength_1_to_5",
                message=_("Relationship strength must be between 1 and 5."),
            ),
        )

    def __str__(self) -> str:
        return self.name


class ContactConsent(AppendOnlyModel):
    """One consent decision for one contact and channel (append-only).

    The consent in force is the newest row per (contact, channel); withdrawing consent is a
    new row with ``granted=False``, so the full record of who agreed to what, when and
    where is kept (QUALITY.md PRIV-2).
    """

    contact = models.ForeignKey(
        Contact, verbose_name=_("contact"), on_delete=models.PROTECT, related_name="consents"
    )
    channel = models.CharField(_("channel"), max_length=16, choices=ConsentChannel.choices)
    granted = models.BooleanField(_("granted"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    source = models.CharField(
        _("source"), max_length=200, blank=True, help_text=_("e.g. signed form, web form, call")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ContactConsentQuerySet.as_manager()

    class Meta:
        ordering = ("contact", "channel", "recorded_at", "id")
        verbose_name = _("contact consent")
        verbose_name_plural = _("contact consents")
        indexes = (
            models.Index(
                fields=("contact", "channel", "recorded_at"), name="customers_consent_latest_idx"
            ),
        )

    def __str__(self) -> str:
        state = "granted" if self.granted else "refused"
        return f"{self.contact_id} {self.channel} {state}"


class Interaction(TimeStampedModel):
    """A logged call, visit, e-mail, meeting or message with a customer and its contacts."""

    #: Text about people: masked for roles without view-unmasked, never searched by them.
    personal_data_fields: ClassVar[tuple[str, ...]] = ("subject", "notes")

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="interactions",
    )
    contacts = models.ManyToManyField(
        Contact, verbose_name=_("contacts"), blank=True, related_name="interactions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interactions",
    )
    kind = models.CharField(_("kind"), max_length=16, choices=InteractionKind.choices)
    occurred_at = models.DateTimeField(
        _("occurred at"), default=timezone.now, validators=[validate_business_date]
    )
    subject = models.CharField(_("subject"), max_length=200)
    notes = models.TextField(_("notes"), blank=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        ordering = ("-occurred_at", "-id")
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        indexes = (
            models.Index(fields=("customer", "occurred_at"), name="customers_interaction_cust_idx"),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject}"
