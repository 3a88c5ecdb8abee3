"""Shared kernel models: abstract bases (timestamps, versions, append-only) and currencies."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from paretocrm.core.exceptions import AppendOnlyError, StaleVersionError
from paretocrm.core.validators import validate_currency_code


class TimeStampedModel(models.Model):
    """Abstract base: when a row was created and last changed (UTC, set by Django)."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class CategoryTree(TimeStampedModel):
    """Abstract base for a named category with an optional parent (a tree of categories)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        abstract = True
        ordering = ("name", "id")
        constraints = (
            models.UniqueConstraint(
                fields=("name",),
                name="%(app_label)s_%(class)s_name_unique",
                violation_error_message=_("A category with this name already exists."),
            ),
        )

    def __str__(self) -> str:
        return self.name


class VersionedModel(TimeStampedModel):
    """Abstract base for mutable business objects: a version for optimistic locking.

    ``version`` starts at 1 and goes up by one on every ``save()`` of an existing row, so an
    API or form can send the version it read and refuse a write when it no longer matches
    (QUALITY.md DUR-1). ``bulk_create`` leaves the default of 1.
    """

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save, bumping the version of an existing row."""
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version", "updated_at"}
        super().save(*args, **kwargs)


def require_version(row: VersionedModel, version: int | None) -> None:
    """Refuse an action taken on a page that showed an older ``version`` of ``row`` (DUR-1).

    ``row`` must be the one the caller re-read under ``select_for_update`` in its
    transaction, so nobody can change it between this check and the caller's write.
    ``None`` means the caller checked already (the API's If-Match) or is a job, not a page.
    """
    if version is not None and row.version != version:
        label = f"{row._meta.label} {row.pk}"
        raise StaleVersionError(f"{label} is at version {row.version}, not {version}")


class AppendOnlyQuerySet(models.QuerySet):
    """A queryset that refuses bulk updates and deletes (history is never rewritten)."""

    def update(self, **kwargs: Any) -> int:
        """Refuse: rows of an append-only table cannot be changed."""
        raise AppendOnlyError(
            f"{self.model._meta.verbose_name} rows are append-only and cannot be updated."
        )

    def delete(self) -> tuple[int, dict[str, int]]:
        """Refuse: rows of an append-only table cannot be deleted."""
        raise AppendOnlyError(
            f"{self.model._meta.verbose_name} rows are append-only and cannot be deleted."
        )

    # Django's own deletion collector calls _raw_delete; keep that path closed too.
    def _raw_delete(self, using: Any) -> int:
        raise AppendOnlyError(
            f"{self.model._meta.verbose_name} rows are append-only and cannot be deleted."
        )


class AppendOnlyModel(models.Model):
    """Abstract base for history and ledger tables: rows are inserted, never changed.

    ``save()`` of an existing row and ``delete()`` raise :class:`AppendOnlyError`; the default
    manager refuses ``update()`` and ``delete()`` as well. Corrections are new rows (a payment
    reversal, a later consent record), so the history stays complete (QUALITY.md AUD-2).
    """

    objects: ClassVar[Any] = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert a new row; refuse to rewrite an existing one."""
        if not self._state.adding:
            raise AppendOnlyError(
                f"{self._meta.verbose_name} #{self.pk} is append-only and cannot be changed."
            )
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        """Refuse: history rows are kept for ever."""
        raise AppendOnlyError(
            f"{self._meta.verbose_name} #{self.pk} is append-only and cannot be deleted."
        )


class Currency(models.Model):
    """A currency the company trades in (ISO 4217), with its number of minor units."""

    code = models.CharField(
        _("code"), max_length=3, primary_key=True, validators=[validate_currency_code]
    )
    name = models.CharField(_("name"), max_length=100)
    minor_units = models.PositiveSmallIntegerField(_("minor units"), default=2)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ("code",)
        verbose_name = _("currency")
        verbose_name_plural = _("currencies")
        constraints = (
            models.CheckConstraint(
                condition=Q(minor_units__lte=4),
                name="core_currency_minor_units_lte_4",
                violation_error_message=_("A currency has at most 4 minor units."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ExchangeRate(models.Model):
    """A dated rate: one unit of ``currency`` is worth ``rate`` units of the base currency.

    The rate carries 8 decimal places (not the 4 used for percentages) because a weak
    currency such as JPY or KRW is worth a few hundredths of a yuan: 4 places would lose
    up to 0.1 % on every converted amount.
    """

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency_code])
    rate_date = models.DateField(_("rate date"))
    rate = models.DecimalField(_("rate to base currency"), max_digits=18, decimal_places=8)
    source = models.CharField(_("source"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ("currency", "-rate_date")
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = (
            models.UniqueConstraint(
                fields=("currency", "rate_date"),
                name="core_exchangerate_currency_date_unique",
                violation_error_message=_("There is already a rate for this currency and date."),
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="core_exchangerate_rate_positive",
                violation_error_message=_("An exchange rate must be greater than zero."),
            ),
        )

    def __str__(self) -> str:
        return f"{self.currency} {self.rate_date:%Y-%m-%d} {self.rate}"
