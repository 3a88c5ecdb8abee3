"""Field history and security events (QUALITY.md AUD-1..4) and the history panel."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from paretocrm.audit.context import audit_context
from paretocrm.audit.middleware import AuditContextMiddleware
from paretocrm.audit.models import AuditEvent, FieldChange
from paretocrm.audit.services import clean_detail, record_event
from paretocrm.core.exceptions import AppendOnlyError
from paretocrm.customers.choices import ChangeChannel
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db


def test_a_change_writes_who_when_channel_old_and_new() -> None:
    editor = make_user()
    customer = make_customer(editor, name="Old name")
    customer.name = "New name"
    with audit_context(ChangeChannel.API, editor):
        customer.save()
    change = FieldChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("name", "Old name", "New name")
    assert (change.actor_id, change.channel, change.customer_id) == (
        editor.pk,
        ChangeChannel.API,
        customer.pk,
    )
    assert change.changed_at.tzinfo is not None  # stored as an aware UTC time


def test_a_no_op_save_writes_no_row() -> None:
    customer = make_customer(make_user())
    customer.save()
    customer.save(update_fields=["name"])
    assert not FieldChange.objects.exists()


def test_changes_outside_any_context_are_the_system_channel_without_actor() -> None:
    customer = make_customer(make_user(), industry="steel")
    customer.industry = "chemicals"
    customer.save(update_fields=["industry"])
    assert FieldChange.objects.values_list("channel", "actor_id").get() == ("system", None)


def test_phone_and_email_are_stored_masked() -> None:
    contact = make_contact(make_customer(make_user()), phone="13812345678", email="zhang@ex.com")
    contact.phone, contact.email = "13900001111", "li@ex.com"
    contact.save()
    stored = {c.field: (c.old_value, c.new_value) for c in FieldChange.objects.all()}
    assert stored == {
        "phone": ("138****5678", "139****1111"),
        "email": ("z***@ex.com", "l***@ex.com"),
    }


def test_history_rows_are_append_only() -> None:
    customer = make_customer(make_user(), name="A")
    customer.name = "B"
    customer.save()
    change = FieldChange.objects.get()
    change.new_value = "forged"
    with pytest.raises(AppendOnlyError):
        change.save()
    with pytest.raises(AppendOnlyError):
        change.delete()
    with pytest.raises(AppendOnlyError):
        FieldChange.objects.all().update(new_value="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_event_detail_drops_secrets_and_masks_long_numbers() -> None:
    detail = clean_detail({"password": "p", "api_token": "t", "note": "call 13812345678", "n": 3})
    assert detail == {"note": "call 138****5678", "n": 3}


def test_role_change_is_a_security_event() -> None:
    admin, user = make_user(Role.ADMINISTRATOR), make_user(Role.SALES_REP)
    user.role = Role.KEY_ACCOUNT_MANAGER
    with audit_context(ChangeChannel.WEB, admin):
        user.save()
    event = AuditEvent.objects.get(kind="role_change")
    assert event.actor_id == admin.pk and event.object_id == user.pk
    assert event.detail["changed"] == {"role": ["sales_rep", "key_account_manager"]}


def test_middleware_sets_the_api_channel_and_the_late_user() -> None:
    editor = make_user()
    customer = make_customer(editor, name="Before")

    def view(request):  # type: ignore[no-untyped-def]
        request.user = editor  # as DRF does after token authentication
        customer.name = "After"
        customer.save()
        return None

    request = RequestFactory().patch("/api/customers/1/")
    AuditContextMiddleware(view)(request)
    assert FieldChange.objects.values_list("channel", "actor_id").get() == ("api", editor.pk)


def test_record_event_uses_the_context_actor() -> None:
    actor = make_user()
    with audit_context(ChangeChannel.IMPORT, actor):
        event = record_event("import", detail={"rows": 3})
    assert (event.actor_id, event.channel, event.detail) == (actor.pk, "import", {"rows": 3})


def _panel(user, customer) -> str:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = client.get(f"/customers/{customer.pk}/")
    assert response.status_code in (200, 404)
    return response.content.decode() if response.status_code == 200 else ""


def test_history_panel_shows_changes_to_the_owner_and_not_to_outsiders() -> None:
    owner, outsider = make_user(), make_user()
    customer = make_customer(owner, name="Panel Co", industry="steel")
    customer.industry = "glass-and-ceramics"
    customer.save()

    assert "glass-and-ceramics" in _panel(owner, customer)
    assert 'id="history"' in _panel(owner, customer)
    assert "glass-and-ceramics" not in _panel(outsider, customer)
    assert 'id="history"' in _panel(make_user(Role.GENERAL_MANAGER), customer)
