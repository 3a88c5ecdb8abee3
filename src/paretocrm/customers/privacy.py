"""Personal data of contacts (PIPL / GDPR, QUALITY.md PRIV-1, PRIV-3, PRIV-4).

* :data:`CLASSIFICATION` names the class of every field of every model that holds data on a
  person: the contact itself and each model pointing at a contact. A test fails when a
  field (or a model pointing at a contact) is not in it (PRIV-1).
* :func:`personal_data` gathers everything held on one person, driven by the same table
  (PRIV-3); :func:`write_personal_data_xlsx` writes it as one sheet per table.
* :func:`erase_contact` anonymises a contact in one transaction (PRIV-4): personal fields
  blanked, the person's name removed from the free text of linked records, the masked
  values in the field history redacted; orders, cases and totals stay as they are, and one
  audit event records the erasure without the erased values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext

from paretocrm.core.models import require_version
from paretocrm.customers.models import Contact

#: Data classes (PRIV-1): not personal; personal (describes or identifies the person);
#: sensitive (contact channels and identifiers: masked by role, PRIV-5).
NOT_PERSONAL, PERSONAL, SENSITIVE = "not_personal", "personal", "sensitive"

_BOOKKEEPING = {"id": NOT_PERSONAL, "created_at": NOT_PERSONAL, "updated_at": NOT_PERSONAL}

#: model label -> field name -> data class. Every field of every listed model is named.
CLASSIFICATION: dict[str, dict[str, str]] = {
    "customers.contact": {
        **_BOOKKEEPING,
        "version": NOT_PERSONAL,
        "customer": NOT_PERSONAL,
        "external_id": PERSONAL,
        "name": PERSONAL,
        "title": PERSONAL,
        "department": PERSONAL,
        "buying_role": PERSONAL,
        "influence": PERSONAL,
        "relationship_strength": PERSONAL,
        "phone": SENSITIVE,
        "mobile": SENSITIVE,
        "email": SENSITIVE,
        "wechat": SENSITIVE,
        "is_active": NOT_PERSONAL,
        "notes": PERSONAL,
    },
    "customers.contactconsent": {
        "id": NOT_PERSONAL,
        "contact": PERSONAL,
        "channel": PERSONAL,
        "granted": PERSONAL,
        "recorded_at": PERSONAL,
        "source": PERSONAL,
        "recorded_by": NOT_PERSONAL,
    },
    "customers.interaction": {
        **_BOOKKEEPING,
        "customer": NOT_PERSONAL,
        "user": NOT_PERSONAL,
        "kind": NOT_PERSONAL,
        "occurred_at": NOT_PERSONAL,
        "subject": PERSONAL,
        "notes": PERSONAL,
        "contacts": PERSONAL,
    },
    "service.case": {
        **_BOOKKEEPING,
        **dict.fromkeys(
            ("version", "number", "customer", "case_type", "priority", "status", "order"),
            NOT_PERSONAL,
        ),
        **dict.fromkeys(
            ("assigned_to", "opened_at", "sla_first_response_hours", "sla_resolution_hours"),
            NOT_PERSONAL,
        ),
        **dict.fromkeys(
            ("first_response_at", "resolved_at", "closed_at", "escalated", "escalated_at"),
            NOT_PERSONAL,
        ),
        "escalated_to": NOT_PERSONAL,
        "articles": NOT_PERSONAL,
        "contact": PERSONAL,
        "subject": PERSONAL,
        "description": PERSONAL,
    },
    "service.carerecord": {
        **_BOOKKEEPING,
        **dict.fromkeys(
            ("customer", "case", "kind", "occurred_at", "user", "cost", "currency"), NOT_PERSONAL
        ),
        "contact": PERSONAL,
        "notes": PERSONAL,
    },
    "service.surveyresponse": {
        **_BOOKKEEPING,
        **dict.fromkeys(("customer", "case", "kind", "answered_at"), NOT_PERSONAL),
        "contact": PERSONAL,
        "score": PERSONAL,
        "comment": PERSONAL,
    },
    "marketing.campaignmember": {
        **_BOOKKEEPING,
        **dict.fromkeys(("campaign", "customer", "added_at"), NOT_PERSONAL),
        "contact": PERSONAL,
        "responded": PERSONAL,
        "response_type": PERSONAL,
        "responded_at": PERSONAL,
    },
    "work.calllistentry": {
        **dict.fromkeys(("id", "call_list", "customer", "interaction"), NOT_PERSONAL),
        "contact": PERSONAL,
        "outcome": PERSONAL,
        "called_at": PERSONAL,
    },
    "service.surveyinvitation": {
        **_BOOKKEEPING,
        **dict.fromkeys(("case", "customer", "token", "sent_at", "response"), NOT_PERSONAL),
        "contact": PERSONAL,
        "email": SENSITIVE,
    },
    "marketing.conceptsurveyinvitation": {
        **_BOOKKEEPING,
        **dict.fromkeys(("survey", "customer", "token", "sent_at"), NOT_PERSONAL),
        "contact": PERSONAL,
        "email": SENSITIVE,
        "interest": PERSONAL,
        "would_buy": PERSONAL,
        "comment": PERSONAL,
        "answered_at": PERSONAL,
    },
    "portal.portalaccount": {
        **_BOOKKEEPING,
        **dict.fromkeys(("user", "is_active", "invited_by"), NOT_PERSONAL),
        "contact": PERSONAL,
    },
    "portal.portalinvitation": {
        **_BOOKKEEPING,
        **dict.fromkeys(("token_hash", "expires_at", "used_at", "invited_by"), NOT_PERSONAL),
        "contact": PERSONAL,
        "email": SENSITIVE,
    },
    "portal.casereply": {
        **_BOOKKEEPING,
        **dict.fromkeys(("case", "author", "channel"), NOT_PERSONAL),
        "contact": PERSONAL,
        "body": PERSONAL,
    },
}

#: What an erased contact's personal fields become (blank text, no number).
ERASED_NAME = "[erased]"


def classified_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """The fields the classification must cover: concrete fields and many-to-many ones."""
    return [
        f
        for f in model._meta.get_fields()
        if (getattr(f, "concrete", False) or f.many_to_many) and not f.auto_created
    ] + [model._meta.pk]


def models_holding_contacts() -> set[str]:
    """Labels of every model with a field pointing at a contact (and the contact itself)."""
    found = {Contact._meta.label_lower}
    for model in apps.get_models():
        for f in classified_fields(model):
            if getattr(f, "related_model", None) is Contact:
                found.add(model._meta.label_lower)
    return found


def _contact_field(model: type[models.Model]) -> str:
    """The name of the field of ``model`` that points at a contact."""
    return next(
        f.name for f in classified_fields(model) if getattr(f, "related_model", None) is Contact
    )


def _linked(label: str, contact: Contact) -> models.QuerySet[Any]:
    """The rows of model ``label`` about ``contact`` (the contact itself for the contact)."""
    model = apps.get_model(label)
    if model is Contact:
        return Contact.objects.filter(pk=contact.pk)
    return model._default_manager.filter(**{_contact_field(model): contact}).distinct()


def _plain(value: Any) -> Any:
    """A JSON-friendly value: model instances as their id, times and amounts as text."""
    if isinstance(value, models.Model):
        return value.pk
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def _row(obj: models.Model, fields: dict[str, str]) -> dict[str, Any]:
    """One record's classified fields (many-to-many ones as lists of ids)."""
    row: dict[str, Any] = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.many_to_many:
            row[name] = sorted(getattr(obj, name).values_list("pk", flat=True))
        else:
            row[name] = _plain(getattr(obj, field.attname))
    return row


def personal_data(contact: Contact) -> dict[str, list[dict[str, Any]]]:
    """Everything held on one person (PRIV-3): every classified table, plus the history.

    Values are the stored ones (this is the person's own copy); the field history holds
    personal values masked, as it stores them.
    """
    from paretocrm.audit.models import FieldChange

    data: dict[str, list[dict[str, Any]]] = {}
    for label, fields in CLASSIFICATION.items():
        data[label] = [_row(obj, fields) for obj in _linked(label, contact).order_by("pk")]
    history = FieldChange.objects.for_object(contact).order_by("changed_at", "id")
    data["audit.fieldchange"] = [
        {
            "changed_at": _plain(c.changed_at),
            "channel": c.channel,
            "field": c.field,
            "old_value": c.old_value,
            "new_value": c.new_value,
        }
        for c in history
    ]
    return data


def write_personal_data_xlsx(data: dict[str, list[dict[str, Any]]], path: Path) -> None:
    """One sheet per table; cells that could run as formulas are neutralised (EXP-1)."""
    import openpyxl

    from paretocrm.imports.exports import neutralise

    workbook = openpyxl.Workbook(write_only=True)
    for label, rows in data.items():
        sheet = workbook.create_sheet(label.replace(".", "_")[:31])
        headers = list(rows[0]) if rows else ["(none)"]
        sheet.append(headers)
        for row in rows:
            sheet.append([neutralise(_cell(row[h])) for h in headers])
    workbook.save(path)


def _cell(value: Any) -> Any:
    """A spreadsheet cell: lists joined with commas."""
    return ", ".join(str(v) for v in value) if isinstance(value, list) else value


def require_personal_data_export(user: Any) -> None:
    """Exporting a person's data is exporting everything on them: the export-all function."""
    from paretocrm.users.permissions import Function, require_function

    require_function(user, Function.EXPORT_ALL, what="personal_data")


def require_erase(user: Any) -> None:
    """Only roles with the erase function may erase a person (refusals are logged)."""
    from paretocrm.users.permissions import Function, require_function

    require_function(user, Function.ERASE)


class ErasureNotConfirmed(ValueError):
    """The name typed to confirm an erasure is not the person's (nothing is erased)."""


def _comparable(name: str) -> str:
    return " ".join(name.split()).casefold()


def check_erasure_confirmation(contact: Contact, typed: str | None) -> None:
    """An erasure cannot be undone: the page asks for the person's name typed as shown.

    Spaces around and between words and letter case do not matter; anything else does.
    """
    if not typed or _comparable(typed) != _comparable(contact.name):
        raise ErasureNotConfirmed(
            gettext(
                "Type the person's name exactly as shown to erase their data; nothing was erased."
            )
        )


def erase_contact(
    contact: Contact, *, by: Any, version: int | None = None, confirm_name: str | None = None
) -> None:
    """Anonymise ``contact`` everywhere, all or nothing (PRIV-4); see the module docstring.

    Only roles with the erase function; the refusal is logged outside the transaction so
    that it stays. Written with queryset updates so the field history does not record the
    old values (they are what is being erased); the erasure itself is one audit event.
    ``version`` is the one the person was shown (the web form, DUR-1): when the contact has
    changed since, :class:`StaleVersionError` and nothing is erased. The API checks If-Match
    itself and passes none. ``confirm_name`` is the name typed on the page: a page erasure
    checks it (:class:`ErasureNotConfirmed`), the API's If-Match is its confirmation.
    """
    require_erase(by)
    if confirm_name is not None:
        check_erasure_confirmation(contact, confirm_name)
    _erase(contact, by, version)


@transaction.atomic
def _erase(contact: Contact, by: Any, version: int | None) -> None:
    """The erasure itself, in one transaction."""
    from paretocrm.audit.services import record_event, redact_history

    require_version(Contact.objects.select_for_update().get(pk=contact.pk), version)
    name = contact.name.strip()
    for label, fields in CLASSIFICATION.items():
        if label == "customers.contact":
            continue
        rows = _linked(label, contact)
        _scrub_text(rows, fields, name)
        _blank_sensitive(rows, fields)
    _close_portal_login(contact, by)
    blank = {
        n: (
            ""
            if isinstance(Contact._meta.get_field(n), models.CharField | models.TextField)
            else None
        )
        for n, cls in CLASSIFICATION["customers.contact"].items()
        if cls != NOT_PERSONAL
    }
    blank["name"] = ERASED_NAME
    Contact.objects.filter(pk=contact.pk).update(**blank, is_active=False, version=F("version") + 1)
    redact_history(contact, [n for n in blank if n != "name"] + ["name"])
    record_event("erasure", actor=by, target=contact, detail={"customer": contact.customer_id})
    contact.refresh_from_db()


def _blank_sensitive(rows: models.QuerySet[Any], fields: dict[str, str]) -> None:
    """Blank the sensitive text fields (e-mail addresses copied onto invitations, ...)."""
    model = rows.model
    texts = [
        n
        for n, cls in fields.items()
        if cls == SENSITIVE
        and isinstance(model._meta.get_field(n), models.CharField | models.TextField)
    ]
    if texts:
        model._default_manager.filter(pk__in=rows.values("pk")).update(**dict.fromkeys(texts, ""))


def _close_portal_login(contact: Contact, by: Any) -> None:
    """An erased person keeps no portal login: deactivated (sessions and tokens end) and
    stripped of the name and e-mail address it was created with.

    Reached through the reverse name of ``portal.PortalAccount`` so this app does not import
    the portal app.
    """
    from paretocrm.users.services import deactivate_user

    account = getattr(contact, "portal_account", None)
    if account is None:
        return
    type(account)._default_manager.filter(pk=account.pk).update(is_active=False)
    user = account.user
    deactivate_user(user, by)
    type(user)._default_manager.filter(pk=user.pk).update(
        username=f"erased-{user.pk}", email="", first_name="", last_name=""
    )


def _scrub_text(rows: models.QuerySet[Any], fields: dict[str, str], name: str) -> None:
    """Replace the person's name in the personal free-text fields of linked records."""
    if not name:
        return
    model = rows.model
    texts = [
        n
        for n, cls in fields.items()
        if cls == PERSONAL
        and isinstance(model._meta.get_field(n), models.CharField | models.TextField)
        and model._meta.get_field(n).choices is None
    ]
    for obj in rows:
        changed = {t: getattr(obj, t).replace(name, ERASED_NAME) for t in texts}
        changed = {t: v for t, v in changed.items() if v != getattr(obj, t)}
        if changed:
            model._default_manager.filter(pk=obj.pk).update(**changed)


def unmask_contact(contact: Contact, user: Any) -> dict[str, str]:
    """The full phone numbers, e-mail and WeChat id of one contact: a logged action (PRIV-5).

    Only roles with the view-unmasked function; a refusal raises ``PermissionDenied`` and
    is logged as denied access. The event names the contact, never the values (AUD-4).
    """
    from paretocrm.audit.choices import SecurityEventKind
    from paretocrm.audit.services import record_event
    from paretocrm.users.permissions import Function, require_function

    require_function(user, Function.VIEW_UNMASKED)
    record_event(SecurityEventKind.UNMASK, actor=user, target=contact)
    return {name: getattr(contact, name) for name in SENSITIVE_CONTACT_FIELDS}


#: The contact fields masked on every channel until unmasked (PRIV-5), from the table.
SENSITIVE_CONTACT_FIELDS: tuple[str, ...] = tuple(
    name for name, cls in CLASSIFICATION["customers.contact"].items() if cls == SENSITIVE
)
