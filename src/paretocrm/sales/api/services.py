"""Write services behind the sales API (kept here until sales/services.py adopts them).

``create_order`` owns the transaction: an order and all its lines are written together or
not at all (QUALITY.md DUR-3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction

from paretocrm.sales.models import Order, OrderLine


@transaction.atomic
def create_order(*, lines: Iterable[Mapping[str, Any]], by: Any = None, **fields: Any) -> Order:
    """Create an order and its lines atomically; lines are numbered 1..n when not given.

    ``fields`` are the order's own fields (customer, number, ordered_at, ...); ``by`` is
    recorded as the order's owner (sales rep) unless ``owner`` is given.
    """
    fields.setdefault("owner", by)
    order = Order.objects.create(**fields)
    rows = []
    for position, line in enumerate(lines, start=1):
        values = dict(line)
        values.setdefault("line_number", position)
        rows.append(OrderLine(order=order, **values))
    OrderLine.objects.bulk_create(rows)
    return order
