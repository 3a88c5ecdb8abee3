"""Services of the customers app: ownership changes, archiving, consent."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from paretocrm.core.exceptions import DomainError
from paretocrm.customers.choices import (
    AccountTeamRole,
    ChangeChannel,
    ConsentChannel,
    CustomerStatus,
)
from paretocrm.customers.models import (
    AccountTeamMember,
    Contact,
    ContactConsent,
    Customer,
    Interaction,
    OwnershipChange,
    SavedView,
)


@transaction.atomic
def change_owner(
    customer: Customer,
    new_owner: Any,
    by: Any,
    reason: str = "",
    *,
    channel: str = ChangeChannel.WEB,
) -> OwnershipChange | None:
    """Give ``customer`` a new owner and record it in the append-only ownership history.

    The customer row is locked (``select_for_update``) so two concurrent transfers cannot
    both read the same old owner. Returns the history row, or ``None`` when ``new_owner``
    already owns the customer (a no-op writes no history, QUALITY.md AUD-1).
    """
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    new_owner_id = new_owner.pk if new_owner is not None else None
    if locked.owner_id == new_owner_id:
        return None
    change = OwnershipChange.objects.create(
        customer=locked,
        old_owner_id=locked.owner_id,
        new_owner_id=new_owner_id,
        changed_by=by,
        reason=reason,
        channel=channel,
    )
    locked.owner_id = new_owner_id
    locked.save(update_fields=["owner"])
    customer.owner_id = new_owner_id
    customer.version = locked.version
    return change


@transaction.atomic
def archive_customer(customer: Customer) -> Customer:
    """Archive a customer (customers are never deleted; their history stays)."""
    if customer.status != CustomerStatus.ARCHIVED:
        customer.status = CustomerStatus.ARCHIVED
        customer.archived_at = timezone.now()
        customer.save(update_fields=["status", "archived_at"])
    return customer


def record_consent(
    contact: Contact,
    channel: ConsentChannel | str,
    *,
    granted: bool,
    source: str,
    by: Any = None,
) -> ContactConsent:
    """Append a consent decision for one channel (a withdrawal is ``granted=False``)."""
    if channel not in ConsentChannel.values:
        raise ValueError(
            f"channel: {channel!r} is not a consent channel ({', '.join(ConsentChannel.values)})"
        )
    return ContactConsent.objects.create(
        contact=contact, channel=channel, granted=granted, source=source, recorded_by=by
    )


def current_consent(contact: Contact) -> dict[str, bool]:
    """The consent in force per channel (newest record wins); channels never asked are absent."""
    rows = ContactConsent.objects.filter(contact=contact).latest_per_channel()
    return {row.channel: row.granted for row in rows}


@transaction.atomic
def save_view(user: Any, name: str, query: str, *, shared: bool = False) -> SavedView:
    """Save (or overwrite, by name) one of ``user``'s customer-list views.

    ``query`` is the list's URL parameters as given; the caller keeps only known filter
    and sort parameters. A shared view is shared with the user's current team.
    """
    name = name.strip()
    if not name:
        raise ValueError("name: a saved view needs a name")
    view, _created = SavedView.objects.update_or_create(
        user=user,
        name=name[:80],
        defaults={
            "query": query[:1000],
            "shared": shared and user.team_id is not None,
            "team_id": user.team_id,
        },
    )
    return view


def log_interaction(customer: Customer, *, user: Any, **fields: Any) -> Interaction:
    """Record an interaction with ``customer`` by ``user`` (kind, occurred_at, subject, notes)."""
    interaction = Interaction(customer=customer, user=user, **fields)
    interaction.full_clean()
    interaction.save()
    return interaction


class AccountTeamError(DomainError):
    """An account-team change that cannot be made; the message starts with the field."""


@transaction.atomic
def add_account_team_member(customer: Customer, user: Any, role: str) -> AccountTeamMember:
    """Put ``user`` in the customer's account team with ``role`` (a member already in the
    team gets the new role).

    The assignee rule decides who may join: active staff who may see the customer
    (``User.objects.may_be_assigned``), never a portal login or someone outside its scope.
    Pages and API call this after checking the edit-accounts function and the caller's scope.
    """
    if role not in AccountTeamRole.values:
        text = _("%(value)s is not a role in an account team") % {"value": repr(role)}
        raise AccountTeamError(f"role: {text}")
    if not get_user_model().objects.may_be_assigned(user, customer.pk):
        text = _("only active staff who may see this customer can join its account team")
        raise AccountTeamError(f"user: {text}")
    member, created = AccountTeamMember.objects.select_for_update().get_or_create(
        customer=customer, user=user, defaults={"role": role}
    )
    if not created and member.role != role:
        member.role = role
        member.save(update_fields=["role", "updated_at"])
    return member


@transaction.atomic
def remove_account_team_member(member: AccountTeamMember) -> None:
    """Take a colleague out of a customer's account team (the customer's owner is not a member
    row and stays)."""
    AccountTeamMember.objects.filter(pk=member.pk).delete()
