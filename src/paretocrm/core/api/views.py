"""Base viewsets: the queryset comes ONLY from ``Model.objects.visible_to(request.user)``.

A viewset declares ``model`` (and, for company-wide reference data without record scope,
``company_wide = True``); it never sets ``queryset``. Out-of-scope ids therefore answer 404
for every method, and lists, counts and filters can only see what the user may see
(QUALITY.md AUTHZ-2, AUTHZ-3).
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ImproperlyConfigured
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError
from rest_framework import filters, status, viewsets
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.fields import get_error_detail
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from paretocrm.core.api.concurrency import check_if_match, etag_for, is_versioned
from paretocrm.core.api.filters import IdFilterBackend, PersonalDataSearchFilter
from paretocrm.core.api.permissions import RoleWritePermission
from paretocrm.core.exceptions import DomainError
from paretocrm.core.policy import Function


class Conflict(APIException):
    """409: the record is still referenced (orders, history) and cannot be deleted."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "This record is still referenced by other records; archive it instead."
    default_code = "protected"


def refusal(error: DomainError | DjangoValidationError) -> ValidationError:
    """A service's refusal as a 400: ``{field: [text]}`` when it names a field, else
    ``[message]``; a model check (Django ``ValidationError``) with its own fields."""
    if isinstance(error, DomainError):
        return ValidationError({error.field: [error.text]} if error.field else [error.text])
    return ValidationError(get_error_detail(error))


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus: a :class:`DomainError` a view did not catch is a 400 naming the
    field (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``), never a 500."""
    if isinstance(exc, DomainError):
        exc = refusal(exc)
    return drf_exception_handler(exc, context)


class ScopedQuerysetMixin:
    """``get_queryset`` through ``visible_to``; declared select/prefetch against N+1."""

    model: ClassVar[type[models.Model]]
    #: True for company-wide reference data (no ``visible_to`` on the model): every active
    #: user reads all rows. Must be said explicitly; otherwise a missing scope is an error.
    company_wide: ClassVar[bool] = False
    list_select_related: ClassVar[tuple[str, ...]] = ()
    list_prefetch_related: ClassVar[tuple[str, ...]] = ()
    filter_backends = (IdFilterBackend, filters.OrderingFilter, PersonalDataSearchFilter)
    request: Request

    def scoped_queryset(self) -> models.QuerySet:
        """The rows the requesting user may see (none for anonymous or inactive users)."""
        manager = self.model._default_manager
        user = getattr(self.request, "user", None)
        if hasattr(manager, "visible_to"):
            return manager.visible_to(user)
        if not self.company_wide:
            raise ImproperlyConfigured(
                f"{type(self).__name__}: {self.model.__name__} has no visible_to(); declare "
                "company_wide = True if it is reference data every user may read."
            )
        if user is None or not user.is_authenticated or not user.is_active:
            return manager.none()
        return manager.all()

    def filter_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """Filters, search and ordering shape lists; a single record is found by its id.

        Scope is already in ``get_queryset``, so skipping the filter backends on detail
        routes hides nothing; building the filter set for every detail request cost a fifth
        of its time (B8).
        """
        if getattr(self, "detail", False):
            return queryset
        return super().filter_queryset(queryset)  # type: ignore[misc]

    def decorate_queryset(self, queryset: models.QuerySet) -> models.QuerySet:
        """Hook for annotations (totals) and extra filters; scope is already applied."""
        return queryset

    def get_queryset(self) -> models.QuerySet:
        """Scoped rows with the declared related objects loaded in bulk."""
        if getattr(self, "swagger_fake_view", False):
            # Schema generation: only the model matters, and no database may be needed.
            return self.model._default_manager.none()
        queryset = self.decorate_queryset(self.scoped_queryset())
        if self.list_select_related:
            queryset = queryset.select_related(*self.list_select_related)
        if self.list_prefetch_related:
            queryset = queryset.prefetch_related(*self.list_prefetch_related)
        return queryset


class ScopedReadOnlyViewSet(ScopedQuerysetMixin, viewsets.ReadOnlyModelViewSet):
    """List and retrieve, scoped; an ETag on versioned records."""

    permission_classes = (RoleWritePermission,)
    #: Reads only: no write needs a function.
    write_function: ClassVar[Function | None] = None

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The record, with its version as ETag."""
        response = super().retrieve(request, *args, **kwargs)
        return with_etag(response, self.model)


class ScopedModelViewSet(ScopedQuerysetMixin, viewsets.ModelViewSet):
    """Full CRUD, scoped, with role-checked writes and ETag/If-Match on versioned records.

    ``stamp_user_fields`` names the protected user fields set to the requesting user on
    create (e.g. ``owner``): a client can never choose them (QUALITY.md AUTHZ-4/8).
    """

    permission_classes = (RoleWritePermission,)
    write_function: ClassVar[Function | None] = Function.EDIT_ACCOUNTS
    stamp_user_fields: ClassVar[tuple[str, ...]] = ()
    #: Detail actions that write under If-Match too (they call ``check_version``); the
    #: schema documents their 412 and 428 answers like those of PUT, PATCH and DELETE.
    if_match_actions: ClassVar[tuple[str, ...]] = ()

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The record, with its version as ETag."""
        return with_etag(super().retrieve(request, *args, **kwargs), self.model)

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Create, answering with the new record's ETag."""
        return with_etag(super().create(request, *args, **kwargs), self.model)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Update (PUT or PATCH) under If-Match, answering with the new ETag."""
        return with_etag(super().update(request, *args, **kwargs), self.model)

    def perform_create(self, serializer: Any) -> None:
        """Save with the protected user fields stamped with the requesting user."""
        stamps = {name: self.request.user for name in self.stamp_user_fields}
        serializer.save(**stamps)

    def perform_update(self, serializer: Any) -> None:
        """Save only if the client's If-Match names the version stored right now."""
        with transaction.atomic():
            self.check_version(serializer.instance)
            serializer.save()

    def perform_destroy(self, instance: models.Model) -> None:
        """Delete under If-Match; a still-referenced record answers 409."""
        with transaction.atomic():
            self.check_version(instance)
            try:
                instance.delete()
            except (ProtectedError, RestrictedError) as exc:
                raise Conflict() from exc

    def check_version(self, instance: models.Model) -> None:
        """Lock the row and compare its stored version with the request's If-Match."""
        if not is_versioned(type(instance)):
            return
        stored = (
            type(instance)
            ._default_manager.select_for_update()
            .filter(pk=instance.pk)
            .values_list("version", flat=True)
            .first()
        )
        check_if_match(self.request.headers.get("If-Match"), int(stored or 0))
        # The serializer saves this instance: make sure it bumps from the stored version.
        instance.version = int(stored or 0)


def with_etag(response: Response, model: type[models.Model]) -> Response:
    """Add ``ETag`` to a single-record response of a versioned model."""
    data = getattr(response, "data", None)
    if is_versioned(model) and isinstance(data, dict) and "version" in data:
        response["ETag"] = etag_for(int(data["version"]))
    return response
