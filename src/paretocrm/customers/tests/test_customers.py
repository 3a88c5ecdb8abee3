"""Customer master, contacts, consent and the append-only ownership history."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from paretocrm.core.exceptions import AppendOnlyError
from paretocrm.customers.choices import ChangeChannel, ConsentChannel, CustomerStatus
from paretocrm.customers.models import ContactConsent, Customer, OwnershipChange
from paretocrm.customers.services import (
    archive_customer,
    change_owner,
    current_consent,
    record_consent,
)
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user

pytestmark = pytest.mark.django_db


def test_customer_code_is_unique() -> None:
    make_customer(code="ACME")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_customer(code="ACME")


@pytest.mark.parametrize(
    "fields",
    [
        {"credit_limit": "-1"},
        {"credit_score": 101},
        {"industry_influence": 0},
        {"cooperation_intent": 6},
        {"price_sensitivity": 9},
    ],
)
def test_customer_check_constraints_refuse_out_of_range_values(fields: dict) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        make_customer(**fields)


def test_constraint_violation_gives_a_readable_message_in_validation() -> None:
    customer = make_customer()
    customer.credit_limit = -5
    with pytest.raises(ValidationError, match="credit limit cannot be negative"):
        customer.full_clean()


def test_customer_cannot_be_its_own_parent_and_parent_is_protected() -> None:
    parent = make_customer()
    child = make_customer(parent=parent)
    with pytest.raises(IntegrityError), transaction.atomic():
        parent.delete()
    child.parent = child
    with pytest.raises(IntegrityError), transaction.atomic():
        child.save()


def test_country_and_currency_are_validated_as_iso_codes() -> None:
    customer = make_customer()
    customer.country, customer.currency = "UK", "RMB"
    with pytest.raises(ValidationError) as err:
        customer.full_clean()
    assert set(err.value.message_dict) == {"country", "currency"}


def test_version_starts_at_one_and_grows_on_each_save() -> None:
    customer = make_customer()
    assert customer.version == 1
    customer.name = "Renamed"
    customer.save()
    customer.save(update_fields=["name"])
    customer.refresh_from_db()
    assert customer.version == 3


def test_archiving_keeps_the_customer_and_marks_it() -> None:
    customer = archive_customer(make_customer())
    customer.refresh_from_db()
    assert customer.status == CustomerStatus.ARCHIVED
    assert customer.archived_at is not None
    assert Customer.objects.active().count() == 0


def test_customer_with_contacts_cannot_be_deleted() -> None:
    customer = make_customer()
    make_contact(customer)
    with pytest.raises(IntegrityError), transaction.atomic():
        customer.delete()


def test_change_owner_updates_customer_and_writes_history() -> None:
    old, new, boss = make_user(), make_user(), make_user()
    customer = make_customer(owner=old)
    change = change_owner(customer, new, by=boss, reason="old owner left", channel="transfer")
    customer.refresh_from_db()
    assert customer.owner == new
    assert change is not None
    assert (change.old_owner, change.new_owner, change.changed_by) == (old, new, boss)
    assert change.reason == "old owner left"
    assert change.channel == ChangeChannel.TRANSFER
    assert list(OwnershipChange.objects.filter(customer=customer)) == [change]


def test_change_owner_to_the_same_owner_writes_no_history() -> None:
    owner = make_user()
    customer = make_customer(owner=owner)
    assert change_owner(customer, owner, by=owner) is None
    assert OwnershipChange.objects.count() == 0


def test_change_owner_is_atomic_when_the_update_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    old, new = make_user(), make_user()
    customer = make_customer(owner=old)

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(Customer, "save", boom)
    with pytest.raises(RuntimeError):
        change_owner(customer, new, by=old)
    assert OwnershipChange.objects.count() == 0
    assert Customer.objects.get(pk=customer.pk).owner == old


def test_ownership_history_rows_cannot_be_changed_or_deleted() -> None:
    customer = make_customer(owner=make_user())
    change = change_owner(customer, make_user(), by=None)
    assert change is not None
    change.reason = "rewritten"
    with pytest.raises(AppendOnlyError, match="append-only"):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        OwnershipChange.objects.filter(pk=change.pk).update(reason="x")
    with pytest.raises(AppendOnlyError):
        OwnershipChange.objects.all().delete()
    assert OwnershipChange.objects.get(pk=change.pk).reason == ""


def test_consent_in_force_is_the_newest_record_per_channel() -> None:
    contact = make_contact(make_customer())
    record_consent(contact, ConsentChannel.EMAIL, granted=True, source="signed form")
    record_consent(contact, ConsentChannel.PHONE, granted=True, source="call")
    record_consent(contact, ConsentChannel.EMAIL, granted=False, source="unsubscribe link")
    assert current_consent(contact) == {"email": False, "phone": True}
    assert ContactConsent.objects.filter(contact=contact).count() == 3


def test_consent_records_are_append_only_and_channels_validated() -> None:
    contact = make_contact(make_customer())
    consent = record_consent(contact, "sms", granted=True, source="web form")
    consent.granted = False
    with pytest.raises(AppendOnlyError):
        consent.save()
    with pytest.raises(ValueError, match="channel: 'fax'"):
        record_consent(contact, "fax", granted=True, source="x")


def test_contact_scores_are_one_to_five_and_external_id_unique_when_given() -> None:
    customer = make_customer()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contact(customer, influence=6)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contact(customer, relationship_strength=0)
    make_contact(customer)
    make_contact(customer)  # blank external ids may repeat
    make_contact(customer, external_id="E1")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_contact(customer, external_id="E1")
