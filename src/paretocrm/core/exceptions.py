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


class DomainError(ParetoCRMError, ValueError):
    """A service refused an action; the message is for the person who asked.

    Services write the message as ``"field: text"`` when it is about one field (the field's
    name as the form and the API spell it, lower case); ``field`` is that name (or given
    explicitly) and ``text`` the message without it. ``code`` is an optional machine-readable
    reason. Pages show it with :func:`paretocrm.core.views.show_domain_error`, the API
    answers it with a 400 naming the field (:func:`paretocrm.core.api.views.exception_handler`).
    It stays a ``ValueError`` so that callers catching bad input keep working.
    """

    def __init__(
        self, message: object = "", *, field: str | None = None, code: str | None = None
    ) -> None:
        super().__init__(message)
        text = str(message)
        if field is None:
            prefix, separator, rest = text.partition(": ")
            if separator and prefix.isascii() and prefix.isidentifier() and prefix.islower():
                field, text = prefix, rest
        self.field = field
        self.code = code
        self.text = text
