"""Currency conversion with dated exchange rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from paretocrm.core.exceptions import MissingExchangeRateError
from paretocrm.core.models import ExchangeRate
from paretocrm.core.money import default_currency, quantize_money


def rate_to_base(currency: str, on_date: dt.date) -> Decimal:
    """Value of one unit of ``currency`` in the base currency on ``on_date``.

    Uses the latest rate dated on or before ``on_date`` (rates are published for working
    days only, so a weekend order takes Friday's rate).
    """
    if currency == default_currency():
        return Decimal(1)
    rate = (
        ExchangeRate.objects.filter(currency=currency, rate_date__lte=on_date)
        .order_by("-rate_date")
        .values_list("rate", flat=True)
        .first()
    )
    if rate is None:
        raise MissingExchangeRateError(
            f"No exchange rate for {currency} on or before {on_date:%Y-%m-%d}; "
            f"add one under Core > Exchange rates."
        )
    return Decimal(rate)


def convert(
    amount: Decimal,
    currency: str,
    on_date: dt.date,
    to_currency: str | None = None,
) -> Decimal:
    """Convert ``amount`` in ``currency`` to ``to_currency`` (default: base), rounded to cents.

    A conversion between two foreign currencies goes through the base currency, the only
    currency rates are stored against.
    """
    target = to_currency or default_currency()
    if currency == target:
        return quantize_money(Decimal(amount))
    in_base = Decimal(amount) * rate_to_base(currency, on_date)
    if target == default_currency():
        return quantize_money(in_base)
    return quantize_money(in_base / rate_to_base(target, on_date))
