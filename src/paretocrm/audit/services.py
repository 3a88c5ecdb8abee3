"""Writing and reading the audit history (QUALITY.md AUD-1..4).

* :func:`record_event` writes a security event (sign-ins, lockouts, transfers, exports ...).
* :func:`capture_before` / :func:`record_changes` are called by the model-signal receivers
  (``receivers.py``) around a save and write one :class:`FieldChange` per changed field;
  a save that changes nothing writes nothing.
* :func:`history_for_customer` reads a customer's history for a user allowed to see it.
"""

from __future__ import annotations

import re
import time
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from paretocrm.audit.choices import SecurityEventKind
from paretocrm.audit.context import current
from paretocrm.audit.models import AuditEvent, FieldChange
from paretocrm.core.masking import (
    mask_email,
    mask_free_text,
    mask_phone,
    mask_text,
    may_see_personal_data,
)
from paretocrm.core.tokens import redact_secrets

#: Fields never compared: bookkeeping that changes on every save.
IGNORED_FIELDS: frozenset[str] = frozenset({"version", "updated_at", "created_at"})

#: Personal fields stored masked in the history (AUD-4: no full phone numbers).
PHONE_FIELDS: frozenset[str] = frozenset({"phone", "mobile"})
EMAIL_FIELDS: frozenset[str] = frozenset({"email"})
MASKED_FIELDS: frozenset[str] = frozenset({"wechat", "id_number", "bank_account"})

#: Keys of an event's ``detail`` that are dropped whatever their value.
_SECRET_KEY = re.compile(r"pass|token|secret|key|credential|session", re.IGNORECASE)
#: Runs of 7+ digits (phone and ID numbers) inside free text in an event's detail.
_LONG_NUMBER = re.compile(r"\+?\d[\d\- ]{6,}\d")


def _stored_value(field: models.Field[Any, Any], value: Any) -> str | None:
    """A value as the history stores it: text, personal fields masked.

    Free text (notes, descriptions) is stored with the phone, e-mail, ID and card numbers
    inside it masked (AUD-4): people type them into notes.
    """
    if value is None:
        return None
    text = str(value)
    field_name = field.name
    if isinstance(field, models.TextField):
        return mask_free_text(text)
    if field_name in PHONE_FIELDS:
        return mask_phone(text)
    if field_name in EMAIL_FIELDS:
        return mask_email(text)
    if field_name in MASKED_FIELDS:
        return mask_text(text)
    return text


def _tracked_fields(instance: models.Model, update_fields: Any) -> list[models.Field[Any, Any]]:
    """The concrete fields compared for this save (only ``update_fields`` when given)."""
    wanted = set(update_fields) if update_fields else None
    fields = []
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in IGNORED_FIELDS:
            continue
        if wanted is not None and field.name not in wanted and field.attname not in wanted:
            continue
        fields.append(field)
    return fields


def capture_before(instance: models.Model, update_fields: Any = None) -> None:
    """Remember the stored values of an existing row before it is saved (one query)."""
    if instance._state.adding or instance.pk is None:
        instance._audit_before = None  # type: ignore[attr-defined]
        return
    attnames = [f.attname for f in _tracked_fields(instance, update_fields)]
    manager = type(instance)._base_manager
    instance._audit_before = (  # type: ignore[attr-defined]
        manager.using(instance._state.db).filter(pk=instance.pk).values(*attnames).first()
    )


def customer_id_of(instance: models.Model) -> int | None:
    """The id of the customer a record belongs to (the record itself for a customer)."""
    if instance._meta.model_name == "customer" and instance._meta.app_label == "customers":
        return int(instance.pk)
    value = getattr(instance, "customer_id", None)
    if value is None and getattr(instance, "plan_id", None) is not None:
        # Account-plan actions belong to a customer through their plan.
        value = (
            type(instance)
            .plan.field.related_model.objects.filter(  # type: ignore[attr-defined]
                pk=instance.plan_id
            )
            .values_list("customer_id", flat=True)
            .first()
        )
    return int(value) if value is not None else None


def record_changes(instance: models.Model, update_fields: Any = None) -> list[FieldChange]:
    """Write one :class:`FieldChange` per field whose value differs from the stored row."""
    before = getattr(instance, "_audit_before", None)
    instance._audit_before = None  # type: ignore[attr-defined]
    if not before:
        return []
    ctx = current()
    actor_id = ctx.actor_id()
    ct = ContentType.objects.get_for_model(type(instance))
    rows = []
    for field in _tracked_fields(instance, update_fields):
        old, new = before.get(field.attname), getattr(instance, field.attname)
        if field.to_python(old) == field.to_python(new):
            continue
        rows.append(
            FieldChange(
                actor_id=actor_id,
                channel=ctx.channel,
                content_type=ct,
                object_id=instance.pk,
                customer_id=customer_id_of(instance),
                field=field.name,
                old_value=_stored_value(field, old),
                new_value=_stored_value(field, new),
            )
        )
    return FieldChange.objects.bulk_create(rows) if rows else []


def clean_detail(detail: dict[str, Any] | None) -> dict[str, Any]:
    """An event detail safe to store: secret-looking keys dropped, long numbers masked."""
    clean: dict[str, Any] = {}
    for key, value in (detail or {}).items():
        if _SECRET_KEY.search(str(key)):
            continue
        if isinstance(value, str):
            value = _LONG_NUMBER.sub(lambda m: mask_phone(re.sub(r"\D", "", m.group())), value)
        clean[str(key)] = value
    return clean


def record_event(
    kind: SecurityEventKind | str,
    *,
    actor: Any = None,
    target: models.Model | None = None,
    ip_address: str | None = None,
    subject_key: str = "",
    detail: dict[str, Any] | None = None,
    channel: str | None = None,
) -> AuditEvent:
    """Write one security event; ``actor`` defaults to the user of the audit context.

    A denied access is written at most :func:`refusal_limit` times a minute per user (the
    event is returned unsaved beyond it), and marks the request as logged so that
    :func:`record_refusal` does not write it a second time.
    """
    ctx = current()
    actor_id = actor.pk if actor is not None else ctx.actor_id()
    event = AuditEvent(
        kind=str(kind),
        channel=str(channel or ctx.channel),
        actor_id=actor_id,
        ip_address=ip_address,
        subject_key=subject_key,
        content_type=ContentType.objects.get_for_model(type(target)) if target else None,
        object_id=target.pk if target is not None else None,
        detail=clean_detail(detail),
    )
    if str(kind) == SecurityEventKind.ACCESS_DENIED:
        if ctx.request is not None:
            setattr(ctx.request, REFUSAL_LOGGED, True)
        if not _within_refusal_limit(actor_id):
            return event
    event.save()
    return event


#: Set on a request whose refusal is already an event (see :func:`record_refusal`).
REFUSAL_LOGGED = "_paretocrm_refusal_logged"


def refusal_limit() -> int:
    """Denied-access events written per user and minute (``AUDIT_REFUSALS_PER_MINUTE``)."""
    return int(getattr(settings, "AUDIT_REFUSALS_PER_MINUTE", 30))


def _within_refusal_limit(actor_id: int | None) -> bool:
    """Count one refusal of ``actor_id`` in this minute (in the cache); False past the limit.

    Someone probing ids or routes gets a 403/404 per request; without a limit every probe
    would be a row. The first refusals of each minute are kept, which shows the probing.
    """
    key = f"paretocrm:audit:refusals:{actor_id or 'anonymous'}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count <= refusal_limit()


def record_refusal(request: Any, status: int) -> None:
    """Audit a 403 or 404 answered to a signed-in user (AUD-3), unless already logged.

    Called for every answer by ``AuditContextMiddleware``: the users and settings pages,
    out-of-scope records (404), the API (whose token user DRF sets on the request).
    """
    user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False) or getattr(request, REFUSAL_LOGGED, False):
        return
    record_event(
        SecurityEventKind.ACCESS_DENIED,
        actor=user,
        detail={
            "status": status,
            "method": request.method,
            "path": redact_secrets(request.path)[:200],
        },
    )


#: What an erased value becomes in the history.
REDACTED = "[erased]"


def redact_history(instance: models.Model, fields: list[str]) -> int:
    """Blank the stored values of ``fields`` in ``instance``'s history (PRIV-4 erasure).

    The one sanctioned write into the append-only history: the law requires personal data
    to go, and the history keeps every row (who changed which field, when) without the
    values. Goes around the append-only manager on purpose; only erasure calls it.
    """
    ct = ContentType.objects.get_for_model(type(instance))
    rows = models.QuerySet(FieldChange).filter(
        content_type=ct, object_id=instance.pk, field__in=fields
    )
    return rows.update(old_value=REDACTED, new_value=REDACTED)


def may_read_history(user: Any, customer: Any) -> bool:
    """Who may read a customer's history: audit readers, and whoever sees the customer."""
    from paretocrm.customers.models import Customer
    from paretocrm.users.permissions import Function, has_function

    if has_function(user, Function.AUDIT_READ):
        return True
    return bool(Customer.objects.visible_to(user).filter(pk=customer.pk).exists())


def history_for_customer(user: Any, customer: Any, limit: int = 50) -> list[FieldChange]:
    """The newest field changes of a customer and its records, or ``[]`` when not allowed."""
    if not may_read_history(user, customer):
        return []
    return shown_changes(
        user,
        FieldChange.objects.filter(customer_id__in=_merged_family(customer))
        .select_related("actor", "content_type")
        .order_by("-changed_at", "-id")[:limit],
    )


def _merged_family(customer: Any) -> list[int]:
    """The customer and every record merged into it (``customers.merging``), at any depth:
    the history of a merged record is read on the one that lives on, never rewritten."""
    from paretocrm.customers.models import Customer

    family, frontier = [customer.pk], [customer.pk]
    while frontier:
        frontier = list(
            Customer.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)
        )
        family += frontier
    return family


def _is_text_field(change: FieldChange) -> bool:
    """True when the changed field holds typed text (not a choice, number or date)."""
    model = change.content_type.model_class() if change.content_type_id else None
    try:
        field = model._meta.get_field(change.field) if model is not None else None
    except FieldDoesNotExist:  # a field removed since: treat it as text
        return True
    return isinstance(field, models.CharField | models.TextField) and not field.choices


def shown_changes(user: Any, changes: Any) -> list[FieldChange]:
    """Field changes as ``user`` may read them (PRIV-5): every page and the API use this.

    Rows written before free text was stored masked may still hold phone or ID numbers in
    notes; for roles without the view-unmasked function their text values are masked here.
    The rows are only read, never saved again (the history is append-only).
    """
    rows = list(changes)
    if may_see_personal_data(user):
        return rows
    for change in rows:
        if _is_text_field(change):
            change.old_value = mask_free_text(change.old_value)
            change.new_value = mask_free_text(change.new_value)
    return rows
