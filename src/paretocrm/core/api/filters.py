"""Filter backends that cannot reveal out-of-scope records.

django-filter turns a foreign key into a ``ModelChoiceFilter`` that validates the id
against the *whole* table: a hidden customer's id would give "200, empty list" and a
missing one "400, not a valid choice" - enough to probe which ids exist. Here a foreign key
filters by plain number instead, so both answer the same (an empty page).
"""

from __future__ import annotations

import copy
from typing import Any

import django_filters
from django.db import models
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import filters

from paretocrm.core.bounds import validate_business_date
from paretocrm.core.masking import searchable_fields

#: Largest id a database column holds (64-bit signed); a larger number is a 400, not a
#: database overflow (found by schemathesis: SQLite raised OverflowError, a 500).
MAX_ID = 2**63 - 1


class IdNumberFilter(django_filters.NumberFilter):
    """A record id given as a number, validated to the range a database id can hold."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class BusinessDateFilter(django_filters.DateFilter):
    """A date parameter within the business dates (core.bounds): 0001-01-01 is a 400 naming
    the parameter, not a database overflow (found by attack: OverflowError, a 500)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [validate_business_date])
        super().__init__(*args, **kwargs)


class BusinessDateTimeFilter(django_filters.IsoDateTimeFilter):
    """An ISO 8601 date-time parameter within the business dates (see BusinessDateFilter)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [validate_business_date])
        super().__init__(*args, **kwargs)


ID_FILTER_DEFAULTS = copy.deepcopy(django_filters.FilterSet.FILTER_DEFAULTS)
ID_FILTER_DEFAULTS.update(
    {
        models.ForeignKey: {"filter_class": IdNumberFilter},
        models.OneToOneField: {"filter_class": IdNumberFilter},
        models.DateField: {"filter_class": BusinessDateFilter},
        models.DateTimeField: {"filter_class": BusinessDateTimeFilter},
    }
)


class IdFilterSet(django_filters.FilterSet):
    """FilterSet whose foreign-key filters take a number and never validate existence, and
    whose date filters accept only business dates. Declare date filters with
    :class:`BusinessDateFilter` / :class:`BusinessDateTimeFilter`."""

    FILTER_DEFAULTS = ID_FILTER_DEFAULTS


class IdFilterBackend(DjangoFilterBackend):
    """The django-filter backend building ``filterset_fields`` on :class:`IdFilterSet`."""

    filterset_base = IdFilterSet


class PersonalDataSearchFilter(filters.SearchFilter):
    """``?search=`` that never matches personal data the caller sees masked (PRIV-5).

    Fields the model declares in ``personal_data_fields`` are searched only for roles with
    view-unmasked (``core.masking.searchable_fields``); when a list searches nothing else,
    a masked caller's search finds nothing rather than confirming a hidden number.
    """

    def get_search_fields(self, view: Any, request: Any) -> tuple[str, ...]:
        fields = super().get_search_fields(view, request) or ()
        model = getattr(view, "model", None)
        if model is None:
            return tuple(fields)
        return searchable_fields(getattr(request, "user", None), model, fields)

    def filter_queryset(self, request: Any, queryset: Any, view: Any) -> Any:
        declared = super().get_search_fields(view, request)
        if (
            declared
            and self.get_search_terms(request)
            and not self.get_search_fields(view, request)
        ):
            return queryset.none()
        return super().filter_queryset(request, queryset, view)
