"""The marketing contact export: a campaign's send list for one channel (PRIV-2, EXP-2).

Who is in the file
    The campaign's members the user may see (``CampaignMember.objects.visible_to``) whose
    contact is active and has consent in force for the channel *now*
    (``Contact.objects.reachable_by``, the one consent rule): a contact who withdrew after
    the audience was built is left out, so is a member without a contact.

What is in the file (the masking rule)
    Only the address of the exported channel (the e-mail for ``email``, the mobile or phone
    for ``phone``, the mobile for ``sms``, the WeChat id for ``wechat``, the customer's
    address for ``post``), with the date and source of the consent. No other personal field
    is written: an e-mail list carries no phone numbers. The address is in full only for
    the people who send campaigns (the role policy's edit-campaigns function: marketing
    and administrators): the consent on exactly this channel is what allows them to use
    it. Every other role with the export function gets it masked like everywhere else
    (``138****5678``, ``z***@example.com``); they see the list, not the means to send it.

Exporting needs the export function (denials are logged) and is itself an audited event;
cells are formula-neutralised (EXP-1) by the shared export helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from paretocrm.core.exceptions import DomainError
from paretocrm.core.masking import mask_email, mask_phone, mask_text
from paretocrm.core.policy import Function, has_function
from paretocrm.customers.choices import ConsentChannel
from paretocrm.customers.models import Contact, ContactConsent
from paretocrm.imports.exports import neutralise
from paretocrm.marketing.models import Campaign, CampaignMember

HEADERS = [
    "customer_code",
    "customer_name",
    "contact",
    "title",
    "channel",
    "address",
    "consent_recorded_at",
    "consent_source",
]

#: Per channel: how to read the contact's address for it, and how it is masked.
CHANNEL_ADDRESS: dict[str, tuple[Callable[[Contact], str], Callable[[str | None], str]]] = {
    ConsentChannel.EMAIL: (lambda c: c.email, mask_email),
    ConsentChannel.PHONE: (lambda c: c.mobile or c.phone, mask_phone),
    ConsentChannel.SMS: (lambda c: c.mobile, mask_phone),
    ConsentChannel.WECHAT: (lambda c: c.wechat, mask_text),
    # A company's postal address is not personal data: never masked.
    ConsentChannel.POST: (lambda c: c.customer.address, lambda value: value or ""),
}


class AudienceExportError(DomainError):
    """A bad export request; the message names the parameter."""


def may_run_campaigns(user: Any) -> bool:
    """Who builds audiences, records results and sends lists: the edit-campaigns function.

    The same function the campaign API asks (``write_function``), so page and API agree.
    """
    return has_function(user, Function.EDIT_CAMPAIGNS)


def audience_rows(
    campaign: Campaign, user: Any, channel: str
) -> tuple[list[str], Iterator[list[Any]]]:
    """Headers and formula-safe rows of the send list (see the module docstring)."""
    if channel not in ConsentChannel.values:
        text = _("%(value)s is not one of %(allowed)s") % {
            "value": repr(channel),
            "allowed": ", ".join(ConsentChannel.values),
        }
        raise AudienceExportError(f"channel: {text}")
    reachable = Contact.objects.filter(is_active=True).reachable_by(channel)
    members = (
        CampaignMember.objects.visible_to(user)
        .filter(campaign=campaign, contact__in=reachable)
        .select_related("customer", "contact__customer")
        .order_by("customer__code", "id")
    )
    read, mask = CHANNEL_ADDRESS[channel]
    in_full = may_run_campaigns(user)
    consents = _consents_in_force(members, channel)

    def rows() -> Iterator[list[Any]]:
        for member in members.iterator(chunk_size=2000):
            contact = member.contact
            address = read(contact) or ""
            recorded_at, source = consents.get(contact.pk, (None, ""))
            yield [
                neutralise(value)
                for value in (
                    member.customer.code,
                    member.customer.name,
                    contact.name,
                    contact.title,
                    channel,
                    address if in_full else mask(address),
                    timezone.localtime(recorded_at).strftime("%Y-%m-%d %H:%M")
                    if recorded_at
                    else "",
                    source,
                )
            ]

    return list(HEADERS), rows()


def _consents_in_force(members: Any, channel: str) -> dict[int, tuple[Any, str]]:
    """Contact id -> (when, source) of the granted consent in force on ``channel``."""
    rows = (
        ContactConsent.objects.latest_per_channel()
        .filter(channel=channel, granted=True, contact_id__in=members.values("contact_id"))
        .values_list("contact_id", "recorded_at", "source")
    )
    return {contact_id: (at, source) for contact_id, at, source in rows}
