"""Call lists: a customer filter frozen into people to call, exported and worked.

The filter is the customer list's own :class:`CustomerFilterSet` (tier, lifecycle stage,
churn risk from the current snapshot, master data) applied to the creator's scope, plus
``not_contacted_days``: no interaction logged in that many days. Each customer gets the
contact to call: an active contact with a phone number whose phone consent in force is
*granted* (QUALITY.md PRIV-2: no consent, no call), the most influential first.

Phone numbers are masked for every role, on the page and in the files (PRIV-5): a list
shows many people at once, and a full number is shown only for one contact at a time by
the explicit, logged unmask action of the customers app (``privacy.unmask_contact``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from paretocrm.core.masking import mask_phone
from paretocrm.customers.choices import ConsentChannel, InteractionKind
from paretocrm.customers.filtersets import CustomerFilterSet
from paretocrm.customers.models import Contact, ContactConsent, Customer, Interaction
from paretocrm.imports.exports import neutralise
from paretocrm.work.choices import CallOutcome
from paretocrm.work.models import CallList, CallListEntry

#: The extra filter parameter call lists add to the customer filters.
NOT_CONTACTED_DAYS = "not_contacted_days"
#: Columns of a call list: the file's header (stable names, as the imports use) and the
#: page's label (in the reader's language).
COLUMNS = (
    ("customer_code", gettext_lazy("customer code")),
    ("customer_name", gettext_lazy("customer")),
    ("contact", gettext_lazy("contact")),
    ("title", gettext_lazy("job title")),
    ("phone", gettext_lazy("phone")),
    ("outcome", gettext_lazy("outcome")),
    ("called_at", gettext_lazy("called at")),
)
EXPORT_HEADERS = [name for name, _label in COLUMNS]
PAGE_HEADERS = [label for _name, label in COLUMNS]


class CallListError(ValueError):
    """Bad call-list input; the message names the parameter."""


def filtered_customers(params: dict[str, Any], user: Any) -> QuerySet[Customer]:
    """Customers in ``user``'s scope matching the filter parameters."""
    params = {k: v for k, v in params.items() if v not in ("", None)}
    days = params.pop(NOT_CONTACTED_DAYS, None)
    filterset = CustomerFilterSet(params, queryset=Customer.objects.visible_to(user).active())
    if not filterset.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in filterset.errors.items())
        raise CallListError(_("filter parameters: %(problems)s") % {"problems": problems})
    customers = filterset.qs
    unknown = sorted(set(params) - set(filterset.filters))
    if unknown:
        raise CallListError(
            _("unknown filter parameter(s): %(names)s") % {"names": ", ".join(unknown)}
        )
    if days is not None:
        try:
            n_days = int(days)
        except (TypeError, ValueError):
            text = _("%(value)s is not a whole number") % {"value": repr(days)}
            raise CallListError(f"{NOT_CONTACTED_DAYS}: {text}") from None
        if n_days < 1:
            text = _("must be at least 1, got %(value)s") % {"value": n_days}
            raise CallListError(f"{NOT_CONTACTED_DAYS}: {text}")
        since = timezone.now() - dt.timedelta(days=n_days)
        recent = Interaction.objects.filter(occurred_at__gte=since).values("customer_id")
        customers = customers.exclude(id__in=recent)
    return customers


def callable_contacts(customer_ids: Any) -> dict[int, Contact]:
    """Per customer, the contact to call: granted phone consent, a number, most influential."""
    consenting = (
        ContactConsent.objects.filter(
            contact__customer_id__in=customer_ids, channel=ConsentChannel.PHONE
        )
        .latest_per_channel()
        .filter(granted=True)
        .values("contact_id")
    )
    contacts = (
        Contact.objects.filter(id__in=consenting, is_active=True)
        .exclude(Q(phone="") & Q(mobile=""))
        .order_by("customer_id", "-influence", "id")
    )
    chosen: dict[int, Contact] = {}
    for contact in contacts:
        chosen.setdefault(contact.customer_id, contact)
    return chosen


def create_call_list(
    *, name: str, params: dict[str, Any], created_by: Any, assigned_to: Any = None
) -> CallList:
    """Freeze the customers matching ``params`` (in the creator's scope) into a call list."""
    name = (name or "").strip()
    if not name:
        raise CallListError("name: " + _("a call list needs a name"))
    customers = filtered_customers(params, created_by)
    ids = list(customers.order_by("name", "code").values_list("id", flat=True))
    contacts = callable_contacts(ids)
    with transaction.atomic():
        call_list = CallList.objects.create(
            name=name[:200], filter_params=params, created_by=created_by, assigned_to=assigned_to
        )
        CallListEntry.objects.bulk_create(
            CallListEntry(
                call_list=call_list,
                customer_id=customer_id,
                contact=contacts.get(customer_id),
            )
            for customer_id in ids
        )
    return call_list


def entry_rows(call_list: CallList) -> Iterator[tuple[CallListEntry, list[Any]]]:
    """Each entry with its column values; phone numbers masked for everyone (see above)."""
    entries = call_list.entries.select_related("customer", "contact").order_by("id")
    for entry in entries.iterator(chunk_size=2000):
        contact = entry.contact
        phone = (contact.mobile or contact.phone) if contact else ""
        yield (
            entry,
            [
                entry.customer.code,
                entry.customer.name,
                contact.name if contact else "",
                contact.title if contact else "",
                mask_phone(phone),
                entry.outcome,
                timezone.localtime(entry.called_at).strftime("%Y-%m-%d %H:%M")
                if entry.called_at
                else "",
            ],
        )


def export_rows(call_list: CallList) -> tuple[list[str], Iterator[list[Any]]]:
    """Headers and formula-safe rows for the CSV/XLSX files (EXP-1)."""
    rows = ([neutralise(value) for value in values] for _entry, values in entry_rows(call_list))
    return list(EXPORT_HEADERS), rows


def record_call_outcome(
    entry: CallListEntry, *, outcome: str, notes: str = "", by: Any = None
) -> Interaction:
    """Record what came of a call: the entry's outcome and a call Interaction on the customer."""
    if outcome not in CallOutcome.values:
        text = _("%(value)s is not one of %(allowed)s") % {
            "value": repr(outcome),
            "allowed": ", ".join(CallOutcome.values),
        }
        raise CallListError(f"outcome: {text}")
    with transaction.atomic():
        entry = CallListEntry.objects.select_for_update().get(pk=entry.pk)
        interaction = Interaction.objects.create(
            customer_id=entry.customer_id,
            user=by,
            kind=InteractionKind.CALL,
            subject=f"{entry.call_list.name}: {CallOutcome(outcome).label}"[:200],
            notes=notes,
        )
        if entry.contact_id:
            interaction.contacts.add(entry.contact_id)
        entry.outcome = outcome
        entry.called_at = interaction.occurred_at
        entry.interaction = interaction
        entry.save(update_fields=["outcome", "called_at", "interaction"])
    return interaction
