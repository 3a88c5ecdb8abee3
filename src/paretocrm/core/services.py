"""Currency conversion with dated exchange rates."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable
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


class RateTable:
    """Every stored rate of some currencies, read in one query, for converting many amounts.

    ``rate_on`` follows :func:`rate_to_base`'s rule (the latest rate on or before the day)
    without a query per amount; it returns None where :func:`rate_to_base` would raise.
    """

    def __init__(self, currencies: Iterable[str]) -> None:
        self._dates: dict[str, list[dt.date]] = {}
        self._rates: dict[str, list[Decimal]] = {}
        rows = ExchangeRate.objects.filter(currency__in=set(currencies)).order_by(
            "currency", "rate_date"
        )
        for currency, day, rate in rows.values_list("currency", "rate_date", "rate"):
            self._dates.setdefault(currency, []).append(day)
            self._rates.setdefault(currency, []).append(Decimal(rate))

    def rate_on(self, currency: str, day: dt.date) -> Decimal | None:
        """Value of one unit of ``currency`` in the base currency on ``day``, or None."""
        if currency == default_currency():
            return Decimal(1)
        position = bisect.bisect_right(self._dates.get(currency, []), day)
        return self._rates[currency][position - 1] if position else None
