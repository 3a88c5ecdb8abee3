"""Exceptions raised by the shared kernel; every app may catch them."""

from __future__ import annotations


class ParetoCRMError(Exception):
    """Base class of the domain errors raised by the operational apps."""


class AppendOnlyError(ParetoCRMError):
    """An attempt to change or delete a row of an append-only history table."""


class MissingExchangeRateError(ParetoCRMError):
    """No exchange rate is recorded for a currency on or before the requested date."""


class StaleVersionError(ParetoCRMError):
    """The row changed since it was read (optimistic locking conflict)."""
