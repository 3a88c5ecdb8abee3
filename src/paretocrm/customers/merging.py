"""Merging two records of one company into one (issue 17, item 2; detection: ``duplicates``).

Every record that points at the customer that goes (``drop``) is moved to the one that stays
(``keep``). The relations are read from the model meta: every foreign key to ``Customer`` in
every installed app, including the through tables of many-to-many fields, so a relation added
later is moved without a change here. The few that must not move are named in
:data:`DELIBERATELY_LEFT` with the reason; a test fails on an append-only table that is
neither left nor declared in :data:`MOVED_LEDGERS`.

Unique constraints are merged, never violated: a row of ``drop`` that would collide with one of
``keep`` (the same colleague in both account teams, both customers scored in one run, both in
one campaign) is not moved. Where the row only grants something that ``keep`` already has
(:data:`MERGED_DUPLICATES`: account-team memberships, tags) it is removed; everything else
stays with the archived ``drop`` and is counted as left, so no history is lost.

``drop`` is archived, never deleted, with ``merged_into`` pointing at ``keep``: its own field
and ownership history stays readable on it and on ``keep``'s history panel. The merge is one
audit event ``customer_merged`` with both codes and the counts moved.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from paretocrm.core.models import AppendOnlyModel, VersionedModel, require_version
from paretocrm.customers.choices import CustomerStatus
from paretocrm.customers.models import Customer

#: Relations to ``Customer`` that a merge does not move, and why ("app.Model.field").
DELIBERATELY_LEFT: dict[str, str] = {
    "customers.Customer.merged_into": "the pointer from a merged record to the one that lives on",
    "customers.OwnershipChange.customer": (
        "who owned the merged record, and when, is its own history: append-only, kept as written"
    ),
    "audit.FieldChange.customer": (
        "field history is append-only and stays as written; the kept customer's history panel "
        "also reads the rows of the records merged into it"
    ),
}

#: Append-only tables whose rows move: the ledger belongs to the company, not to one record
#: of it (a payment on the merged record pays the kept customer's invoices). Only the pointer
#: to the customer changes; the amounts and dates are never touched.
MOVED_LEDGERS: dict[str, str] = {
    "sales.Payment.customer": "payments follow the invoices they pay",
}

#: Tables whose colliding rows are removed: they only grant what ``keep`` already has.
MERGED_DUPLICATES: frozenset[str] = frozenset(
    {"customers.AccountTeamMember", "customers.Customer_tags"}
)


class MergeError(ValueError):
    """A merge that cannot be made; the message starts with the field (keep/drop)."""


@dataclass(frozen=True)
class MergeResult:
    """What a merge did: rows moved and rows left with the archived record, per table."""

    keep: Customer
    drop: Customer
    moved: dict[str, int] = field(default_factory=dict)
    left: dict[str, int] = field(default_factory=dict)


def relation_label(rel: models.ForeignObjectRel) -> str:
    """``app.Model.field`` of a relation to ``Customer``."""
    return f"{rel.related_model._meta.label}.{rel.field.name}"


def customer_relations() -> list[models.ForeignObjectRel]:
    """Every foreign key to ``Customer`` in every installed app (through tables included)."""
    return [
        rel
        for rel in Customer._meta.get_fields(include_hidden=True)
        if isinstance(rel, models.ManyToOneRel)  # OneToOneRel is a subclass
    ]


def moved_relations() -> list[models.ForeignObjectRel]:
    """The relations a merge moves: all but :data:`DELIBERATELY_LEFT`."""
    return [rel for rel in customer_relations() if relation_label(rel) not in DELIBERATELY_LEFT]


def merge_counts(customer: Customer) -> dict[str, int]:
    """Rows per table that would move away from ``customer`` if it were merged into another."""
    counts: Counter[str] = Counter()
    for rel in moved_relations():
        model = rel.related_model
        counts[model._meta.label] += _rows(model).filter(**{rel.field.name: customer}).count()
    return {label: n for label, n in sorted(counts.items()) if n}


def merge_summary(customer: Customer) -> list[tuple[str, int]]:
    """:func:`merge_counts` with each table's name in the reader's language, for a page."""
    from django.apps import apps

    return [
        (str(apps.get_model(label)._meta.verbose_name_plural), n)
        for label, n in merge_counts(customer).items()
    ]


def merge_customers(
    keep: Customer,
    drop: Customer,
    *,
    by: Any,
    version_keep: int | None,
    version_drop: int | None,
) -> MergeResult:
    """Merge ``drop`` into ``keep``: move every record, archive ``drop``, record the event.

    ``by`` must see both customers (else ``Customer.DoesNotExist``, a 404 to pages and API)
    and have the edit-accounts function (else ``PermissionDenied``, logged). The versions are
    those the person was shown (DUR-1): a change since raises ``StaleVersionError`` and
    nothing moves; ``None`` means the caller checked already (the API's If-Match).
    """
    from paretocrm.users.permissions import Function, require_function

    if keep.pk == drop.pk:
        raise MergeError(f"drop: {_('a customer cannot be merged into itself')}")
    visible = Customer.objects.visible_to(by).filter(pk__in=(keep.pk, drop.pk)).count()
    if visible != 2:
        raise Customer.DoesNotExist("customer not found")
    require_function(by, Function.EDIT_ACCOUNTS, what="merge customers")
    return _merge(keep, drop, by, version_keep, version_drop)


@transaction.atomic
def _merge(
    keep: Customer, drop: Customer, by: Any, version_keep: int | None, version_drop: int | None
) -> MergeResult:
    from paretocrm.audit.choices import SecurityEventKind
    from paretocrm.audit.services import record_event

    # Lock both rows in id order so that two merges of the same pair cannot deadlock.
    locked = {
        c.pk: c
        for c in Customer.objects.select_for_update()
        .filter(pk__in=(keep.pk, drop.pk))
        .order_by("pk")
    }
    kept, dropped = locked[keep.pk], locked[drop.pk]
    require_version(kept, version_keep)
    require_version(dropped, version_drop)
    for name, row in (("drop", dropped), ("keep", kept)):
        if row.merged_into_id is not None:
            text = _("%(code)s was already merged into another customer") % {"code": row.code}
            raise MergeError(f"{name}: {text}")

    moved: Counter[str] = Counter()
    left: Counter[str] = Counter()
    for rel in moved_relations():
        model, name = rel.related_model, rel.field.name
        rows = _rows(model).filter(**{name: dropped})
        if model is Customer:  # subsidiaries: never make the kept record its own parent
            rows = rows.exclude(pk=kept.pk)
        colliding = _colliding(model, name, kept, dropped)
        if colliding:
            clash = _rows(model).filter(pk__in=colliding)
            if model._meta.label in MERGED_DUPLICATES:
                clash.delete()
            else:
                left[model._meta.label] += len(colliding)
            rows = rows.exclude(pk__in=colliding)
        changes: dict[str, Any] = {name: kept}
        if issubclass(model, VersionedModel):
            changes["version"] = F("version") + 1
        moved[model._meta.label] += rows.update(**changes)

    if kept.parent_id == dropped.pk:
        kept.parent_id = dropped.parent_id if dropped.parent_id != kept.pk else None
    kept.save()
    dropped.status = CustomerStatus.ARCHIVED
    dropped.archived_at = dropped.archived_at or timezone.now()
    dropped.merged_into = kept
    dropped.save()

    result = MergeResult(
        keep=kept,
        drop=dropped,
        moved={k: v for k, v in sorted(moved.items()) if v},
        left={k: v for k, v in sorted(left.items()) if v},
    )
    record_event(
        SecurityEventKind.CUSTOMER_MERGED,
        actor=by,
        target=kept,
        detail={
            "kept": kept.code,
            "merged": dropped.code,
            "merged_id": dropped.pk,
            "moved": result.moved,
            "left": result.left,
        },
    )
    for customer in (keep, drop):
        customer.refresh_from_db()
    return result


def _rows(model: type[models.Model]) -> models.QuerySet[Any]:
    """All rows of ``model``; for a moved ledger, around its append-only manager on purpose
    (only the customer pointer changes, see :data:`MOVED_LEDGERS`)."""
    if issubclass(model, AppendOnlyModel):
        return models.QuerySet(model)
    return model._default_manager.all()


def _colliding(model: type[models.Model], name: str, keep: Customer, drop: Customer) -> list[Any]:
    """Ids of ``drop``'s rows that a unique constraint forbids beside a row of ``keep``."""
    keys: list[tuple[list[str], Q | None]] = []
    for constraint in model._meta.constraints:
        fields = list(getattr(constraint, "fields", ()) or ())
        if isinstance(constraint, models.UniqueConstraint) and name in fields:
            keys.append(([f for f in fields if f != name], constraint.condition))
    for together in model._meta.unique_together:
        if name in together:
            keys.append(([f for f in together if f != name], None))
    if model._meta.get_field(name).unique:
        keys.append(([], None))
    ids: set[Any] = set()
    for others, condition in keys:
        condition = condition or Q()
        twins = _rows(model).filter(condition, **{name: keep})
        twins = twins.filter(**{other: OuterRef(other) for other in others})
        ids.update(
            _rows(model)
            .filter(condition, **{name: drop})
            .filter(Exists(twins))
            .values_list("pk", flat=True)
        )
    return sorted(ids)
