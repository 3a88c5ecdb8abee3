"""Sales API: orders with lines in one request, the payment ledger, opportunity stages."""

from __future__ import annotations

from unittest import mock

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from tests.api_samples import TODAY, new_user

from paretocrm.customers.tests.factories import make_customer, make_order, make_payment
from paretocrm.sales.models import Opportunity, OpportunityStageChange, Order, OrderLine, Payment

pytestmark = pytest.mark.django_db


def client_for(user: object) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


def order_body(customer_id: int, number: str = "SO-API-1", **extra: object) -> dict:
    body = {
        "customer": customer_id,
        "number": number,
        "ordered_at": "2025-06-01T08:00:00Z",
        "lines": [
            {"quantity": "2", "unit_price": "100.00", "unit_cost": "60.00", "discount": "10"},
            {"quantity": "1", "unit_price": "50.00"},
        ],
    }
    body.update(extra)
    return body


def test_order_is_created_with_its_lines_in_one_request() -> None:
    user = new_user("sales_rep")
    customer = make_customer(owner=user)
    response = client_for(user).post(reverse("order-list"), order_body(customer.pk), format="json")
    assert response.status_code == 201, response.content
    order = Order.objects.get(number="SO-API-1")
    assert order.owner_id == user.pk
    assert list(order.lines.values_list("line_number", flat=True)) == [1, 2]
    assert response.json()["revenue"] == str(order.revenue()) == "230.00"


def test_a_bad_line_creates_neither_order_nor_lines() -> None:
    user = new_user("sales_rep")
    customer = make_customer(owner=user)
    body = order_body(customer.pk)
    body["lines"][1]["quantity"] = "0"
    response = client_for(user).post(reverse("order-list"), body, format="json")
    assert response.status_code == 400
    assert "quantity" in response.content.decode().lower()
    assert not Order.objects.filter(number="SO-API-1").exists()


def test_failure_half_way_through_the_lines_rolls_back_the_order() -> None:
    user = new_user("sales_rep")
    customer = make_customer(owner=user)
    with (
        mock.patch.object(OrderLine.objects, "bulk_create", side_effect=RuntimeError("disk")),
        pytest.raises(RuntimeError),
    ):
        client_for(user).post(reverse("order-list"), order_body(customer.pk), format="json")
    assert not Order.objects.filter(number="SO-API-1").exists()


def test_order_for_a_customer_out_of_scope_is_refused_and_not_created() -> None:
    user = new_user("sales_rep")
    hidden = make_customer(owner=new_user("sales_rep"))
    response = client_for(user).post(reverse("order-list"), order_body(hidden.pk), format="json")
    assert response.status_code == 400
    assert "customer" in response.json()
    assert not Order.objects.filter(customer=hidden).exists()


def test_order_lines_cannot_be_rewritten_after_creation() -> None:
    user = new_user("sales_rep")
    order = make_order(make_customer(owner=user))
    response = client_for(user).patch(
        reverse("order-detail", args=[order.pk]),
        {"lines": [{"quantity": "5", "unit_price": "1"}]},
        format="json",
        HTTP_IF_MATCH=f'"{order.version}"',
    )
    assert response.status_code == 400
    assert order.lines.count() == 1


def test_payments_cannot_be_edited_or_deleted() -> None:
    user = new_user("sales_rep")
    payment = make_payment(make_customer(owner=user), "80.00", TODAY)
    client = client_for(user)
    url = reverse("payment-detail", args=[payment.pk])
    assert client.patch(url, {"amount": "1.00"}, format="json").status_code == 405
    assert client.put(url, {"amount": "1.00"}, format="json").status_code == 405
    assert client.delete(url).status_code == 405
    payment.refresh_from_db()
    assert str(payment.amount) == "80.00"


def test_a_negative_payment_is_refused_reversals_go_through_the_action() -> None:
    user = new_user("sales_rep")
    customer = make_customer(owner=user)
    response = client_for(user).post(
        reverse("payment-list"),
        {"customer": customer.pk, "number": "P-NEG", "received_on": "2025-06-01", "amount": "-5"},
        format="json",
    )
    assert response.status_code == 400
    assert not Payment.objects.filter(number="P-NEG").exists()


def test_reverse_appends_the_negative_twin_once() -> None:
    user = new_user("sales_rep")
    payment = make_payment(make_customer(owner=user), "80.00", TODAY)
    client = client_for(user)
    url = reverse("payment-reverse", args=[payment.pk])
    first = client.post(url, {"number": "REV-1", "reason": "bounced"}, format="json")
    assert first.status_code == 201, first.content
    reversal = Payment.objects.get(number="REV-1")
    assert (reversal.amount, reversal.reverses_id, reversal.recorded_by_id) == (
        -payment.amount,
        payment.pk,
        user.pk,
    )
    second = client.post(url, {"number": "REV-2"}, format="json")
    assert second.status_code == 400
    assert "already reversed" in second.json()["detail"]


def test_reverse_of_an_out_of_scope_payment_is_404_and_appends_nothing() -> None:
    payment = make_payment(make_customer(owner=new_user("sales_rep")), "80.00", TODAY)
    response = client_for(new_user("sales_rep")).post(
        reverse("payment-reverse", args=[payment.pk]), {"number": "REV-X"}, format="json"
    )
    assert response.status_code == 404
    assert not Payment.objects.filter(number="REV-X").exists()


def test_stage_moves_through_the_action_with_history_and_if_match() -> None:
    user = new_user("sales_rep")
    opportunity = Opportunity.objects.create(customer=make_customer(owner=user), name="Tender")
    client = client_for(user)
    url = reverse("opportunity-stage", args=[opportunity.pk])
    assert client.post(url, {"stage": "won"}, format="json").status_code == 428
    response = client.post(url, {"stage": "won"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200, response.content
    assert response.json()["stage"] == "won"
    assert OpportunityStageChange.objects.filter(opportunity=opportunity, to_stage="won").exists()
    patch = client.patch(
        reverse("opportunity-detail", args=[opportunity.pk]),
        {"stage": "lost"},
        format="json",
        HTTP_IF_MATCH=response["ETag"],
    )
    assert patch.status_code == 400


def test_general_manager_reads_every_order_but_cannot_write() -> None:
    order = make_order(make_customer(owner=new_user("sales_rep")))
    manager = new_user("general_manager")
    client = client_for(manager)
    assert client.get(reverse("order-detail", args=[order.pk])).status_code == 200
    response = client.patch(reverse("order-detail", args=[order.pk]), {"notes": "x"}, format="json")
    assert response.status_code == 403


def test_an_invoice_is_not_called_paid_against_the_ledger() -> None:
    """Paid or not follows the payments: 'paid' with money open, or 'issued' once paid in
    full, is refused (400 naming status); drafting, issuing and cancelling stay possible."""
    import datetime as dt

    from paretocrm.customers.tests.factories import make_invoice

    user = new_user("sales_rep")
    customer = make_customer(owner=user)
    client = client_for(user)
    invoice = make_invoice(customer, "100.00", TODAY, TODAY + dt.timedelta(days=30))
    url = reverse("invoice-detail", args=[invoice.pk])

    def patch(status: str):
        etag = client.get(url)["ETag"]
        return client.patch(url, {"status": status}, format="json", HTTP_IF_MATCH=etag)

    refused = patch("paid")
    assert refused.status_code == 400 and "status" in refused.json()
    assert patch("cancelled").status_code == 200
    assert patch("issued").status_code == 200
    make_payment(customer, "100.00", TODAY, invoice=invoice)
    invoice.refresh_from_db()
    invoice.status = "paid"
    invoice.save()
    assert patch("issued").status_code == 400
    created = client.post(
        reverse("invoice-list"),
        {
            "customer": customer.pk,
            "number": "INV-NEW-PAID",
            "issued_on": str(TODAY),
            "due_on": str(TODAY),
            "amount": "50.00",
            "status": "paid",
        },
        format="json",
    )
    assert created.status_code == 400 and "status" in created.json()
