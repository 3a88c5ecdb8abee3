"""Small factory functions for tests of the operational apps (no third-party factory lib)."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal
from typing import Any

from django.utils import timezone

from paretocrm.customers.models import Contact, Customer
from paretocrm.sales.models import Invoice, Order, OrderLine, Payment
from paretocrm.users.choices import Role
from paretocrm.users.models import Team, User

_seq = itertools.count(1)


def make_user(role: str = Role.SALES_REP, team: Team | None = None, **fields: Any) -> User:
    """An active user without a usable password (hashing is slow and not under test)."""
    n = next(_seq)
    fields.setdefault("username", f"user{n}")
    return User.objects.create(role=role, team=team, **fields)


def make_customer(owner: User | None = None, **fields: Any) -> Customer:
    """A customer with a unique code."""
    n = next(_seq)
    fields.setdefault("code", f"C{n:05d}")
    fields.setdefault("name", f"Customer {n}")
    return Customer.objects.create(owner=owner, **fields)


def make_contact(customer: Customer, **fields: Any) -> Contact:
    """A contact at ``customer``."""
    fields.setdefault("name", f"Contact {next(_seq)}")
    return Contact.objects.create(customer=customer, **fields)


def make_order(
    customer: Customer,
    lines: list[tuple[str, str, str | None, str]] | None = None,
    **fields: Any,
) -> Order:
    """An order with lines given as (quantity, unit_price, unit_cost or None, discount %)."""
    fields.setdefault("number", f"SO{next(_seq):06d}")
    fields.setdefault("ordered_at", timezone.now())
    order = Order.objects.create(customer=customer, **fields)
    for i, (qty, price, cost, discount) in enumerate(lines or [("1", "100", "60", "0")], start=1):
        OrderLine.objects.create(
            order=order,
            line_number=i,
            quantity=Decimal(qty),
            unit_price=Decimal(price),
            unit_cost=None if cost is None else Decimal(cost),
            discount=Decimal(discount),
        )
    return order


def make_invoice(
    customer: Customer, amount: str, issued_on: dt.date, due_on: dt.date, **fields: Any
) -> Invoice:
    """An issued invoice."""
    fields.setdefault("number", f"INV{next(_seq):06d}")
    return Invoice.objects.create(
        customer=customer, amount=Decimal(amount), issued_on=issued_on, due_on=due_on, **fields
    )


def make_payment(
    customer: Customer, amount: str, received_on: dt.date, invoice: Invoice | None = None
) -> Payment:
    """A payment (positive ledger row)."""
    return Payment.objects.create(
        customer=customer,
        invoice=invoice,
        number=f"PAY{next(_seq):06d}",
        received_on=received_on,
        amount=Decimal(amount),
    )
