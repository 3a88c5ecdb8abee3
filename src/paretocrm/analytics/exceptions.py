"""The exception tree of :mod:`paretocrm.analytics`.

Every error the analytics package raises on purpose derives from :class:`AnalyticsError`, so
a caller (the CLI, the ``insights`` app, a notebook) can catch one class and show its message
to a person. The messages are written for the person who supplied the data: they name the
file, column, row or parameter at fault.

::

    AnalyticsError
    ├── DataContractError    input data does not follow docs/development/analytics-contract.md
    ├── NotFittedError       a model was asked for predictions before ``fit``
    ├── ConvergenceError     the maximum-likelihood search did not reach a usable optimum
    └── ConfigurationError   a setting or parameter value is invalid
"""

from __future__ import annotations


class AnalyticsError(Exception):
    """Base class of every deliberate error in :mod:`paretocrm.analytics`."""


class DataContractError(AnalyticsError, ValueError):
    """Input data breaks the analytics data contract.

    Attributes:
        column: the canonical (or given) name of the offending column, if one is at fault.
        rows: up to a handful of ``(row_number, value)`` pairs that show the problem; row
            numbers are 1-based positions among the data rows (the header is not counted).
    """

    def __init__(
        self,
        message: str,
        *,
        column: str | None = None,
        rows: list[tuple[int, object]] | None = None,
    ) -> None:
        super().__init__(message)
        self.column = column
        self.rows = rows or []


class NotFittedError(AnalyticsError, AttributeError):
    """A model method that needs fitted parameters was called before ``fit``."""


class ConvergenceError(AnalyticsError, RuntimeError):
    """The optimiser did not find a finite maximum of the log-likelihood."""


class ConfigurationError(AnalyticsError, ValueError):
    """A setting, keyword argument or configuration value is invalid."""
