"""Model-signal receivers that feed the field history, connected in ``AuditConfig.ready``.

Other apps are not edited: the tracked models are listed here by label. ``QuerySet.update``
and ``bulk_create`` send no signals, so bulk paths (imports, demo loading) record one
security event for the batch instead of a row per field.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models.signals import post_save, pre_save

from paretocrm.audit import services

#: Business objects whose field changes are recorded (QUALITY.md AUD-1).
TRACKED_MODELS: tuple[str, ...] = (
    "customers.Customer",
    "customers.Contact",
    "customers.AccountPlan",
    "customers.AccountPlanAction",
    "sales.Opportunity",
    "sales.Contract",
    "sales.Order",
    "sales.Invoice",
    "service.Case",
    "knowledge.Article",
    "work.Task",  # connected only when the work app defines it
)


def _before_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw:  # fixtures and restores are not user changes
        return
    services.capture_before(instance, kwargs.get("update_fields"))


def _after_save(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw or created:
        return
    services.record_changes(instance, kwargs.get("update_fields"))


def tracked_models() -> list[Any]:
    """The tracked model classes that exist in this installation."""
    found = []
    for label in TRACKED_MODELS:
        try:
            found.append(apps.get_model(label))
        except LookupError:
            continue
    return found


def connect() -> None:
    """Connect the receivers for every tracked model (idempotent: fixed dispatch ids)."""
    for model in tracked_models():
        uid = f"audit-{model._meta.label_lower}"
        pre_save.connect(_before_save, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(_after_save, sender=model, dispatch_uid=f"{uid}-post")


#: User fields whose change is a security event (role changes, AUD-3).
USER_SECURITY_FIELDS: tuple[str, ...] = ("role", "is_superuser", "is_staff", "is_active", "team_id")


def _user_before(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if raw or instance._state.adding or instance.pk is None:
        instance._audit_user_before = None
        return
    instance._audit_user_before = (
        sender._base_manager.filter(pk=instance.pk).values(*USER_SECURITY_FIELDS).first()
    )


def _user_after(sender: Any, instance: Any, created: bool, raw: bool = False, **kw: Any) -> None:
    before = getattr(instance, "_audit_user_before", None)
    instance._audit_user_before = None
    if raw or created or not before:
        return
    changed = {
        name: [before[name], getattr(instance, name)]
        for name in USER_SECURITY_FIELDS
        if before[name] != getattr(instance, name)
    }
    if changed:
        services.record_event("role_change", target=instance, detail={"changed": changed})


def connect_users() -> None:
    """Record role, permission and activation changes of users as security events."""
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    pre_save.connect(_user_before, sender=user_model, dispatch_uid="audit-user-pre")
    post_save.connect(_user_after, sender=user_model, dispatch_uid="audit-user-post")
