"""Call lists: a customer filter frozen into people to call, exported and worked.

The filter is the customer list's own :class:`CustomerFilterSet` (tier, lifecycle stage,
churn risk from the current snapshot, master data) applied to the creator's scope, plus
``not_contacted_days``: no interaction logged in that many days. Each customer gets the
contact to call: an active contact with a phone number whose phone consent in force is
*granted* (QUALITY.md PRIV-2: no consent, no call), the most influential first.

Who (issue 14 finding 2): making a list, and being given one, needs the manage-call-lists
function of the role policy; a list holds only customers that both its creator and its
assignee see, and every read and write of a row checks the current user's scope again, so
a customer who left it (a transfer) drops out of the page, the files and the outcomes.

Numbers (PRIV-5, issue 16 finding 3): the page masks phone numbers for every role (one is
shown in full by the logged unmask action of the customers app); the files carry real
numbers for roles with the view-unmasked function, and each contact in such a file is
audited as an unmask, the same event as ``privacy.unmask_contact``. Other roles get masked
numbers and the page says why.

Outcomes come back one by one (page, API) or by file (:func:`check_outcome_rows`,
:func:`import_outcomes`): the imports app reads the file, a dry run reports every problem
by row and column, and a row that says what the list already holds records nothing, so
importing the same file twice records nothing new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from paretocrm.audit.choices import SecurityEventKind
from paretocrm.audit.services import record_event
from paretocrm.core.exceptions import DomainError
from paretocrm.core.masking import mask_phone
from paretocrm.core.querysets import has_full_scope
from paretocrm.customers.choices import ConsentChannel, InteractionKind
from paretocrm.customers.filtersets import CustomerFilterSet
from paretocrm.customers.models import Contact, ContactConsent, Customer, Interaction
from paretocrm.imports.exports import neutralise
from paretocrm.imports.parsing import RawTable
from paretocrm.users.permissions import Function, has_function, require_function
from paretocrm.work.choices import CallOutcome
from paretocrm.work.models import CallList, CallListEntry

#: The extra filter parameter call lists add to the customer filters.
NOT_CONTACTED_DAYS = "not_contacted_days"
#: Columns of a call list: the file's header (stable names, as the imports use) and the
#: page's label (in the reader's language).
COLUMNS = (
    ("customer_code", gettext_lazy("customer code")),
    ("customer_name", gettext_lazy("customer")),
    ("contact", gettext_lazy("contact")),
    ("title", gettext_lazy("job title")),
    ("phone", gettext_lazy("phone")),
    ("outcome", gettext_lazy("outcome")),
    ("called_at", gettext_lazy("called at")),
)
EXPORT_HEADERS = [name for name, _label in COLUMNS]
PAGE_HEADERS = [label for _name, label in COLUMNS]
#: What the reader calls each column of an outcome file (the export's and ``notes``).
FILE_LABELS = dict(COLUMNS) | {"notes": gettext_lazy("notes")}


def file_headers() -> list[str]:
    """The export's headers in the active language (an outcome file may bring them back
    in any interface language, or as the stable names: :func:`header_aliases`)."""
    return [str(label) for _name, label in COLUMNS]


def header_aliases() -> dict[str, str]:
    """Column names and their labels in every interface language, lower-cased -> name."""
    aliases = {name: name for name in FILE_LABELS}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            aliases |= {str(label).strip().lower(): name for name, label in FILE_LABELS.items()}
    return aliases


class CallListError(DomainError):
    """Bad call-list input; the message names the parameter."""


def filtered_customers(params: dict[str, Any], user: Any) -> QuerySet[Customer]:
    """Customers in ``user``'s scope matching the filter parameters."""
    params = {k: v for k, v in params.items() if v not in ("", None)}
    days = params.pop(NOT_CONTACTED_DAYS, None)
    filterset = CustomerFilterSet(params, queryset=Customer.objects.visible_to(user).active())
    if not filterset.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in filterset.errors.items())
        raise CallListError(_("filter parameters: %(problems)s") % {"problems": problems})
    customers = filterset.qs
    unknown = sorted(set(params) - set(filterset.filters))
    if unknown:
        raise CallListError(
            _("unknown filter parameter(s): %(names)s") % {"names": ", ".join(unknown)}
        )
    if days is not None:
        try:
            n_days = int(days)
        except (TypeError, ValueError):
            text = _("%(value)s is not a whole number") % {"value": repr(days)}
            raise CallListError(f"{NOT_CONTACTED_DAYS}: {text}") from None
        if n_days < 1:
            text = _("must be at least 1, got %(value)s") % {"value": n_days}
            raise CallListError(f"{NOT_CONTACTED_DAYS}: {text}")
        since = timezone.now() - dt.timedelta(days=n_days)
        recent = Interaction.objects.filter(occurred_at__gte=since).values("customer_id")
        customers = customers.exclude(id__in=recent)
    return customers


def callable_contacts(customer_ids: Any) -> dict[int, Contact]:
    """Per customer, the contact to call: granted phone consent, a number, most influential."""
    consenting = (
        ContactConsent.objects.filter(
            contact__customer_id__in=customer_ids, channel=ConsentChannel.PHONE
        )
        .latest_per_channel()
        .filter(granted=True)
        .values("contact_id")
    )
    contacts = (
        Contact.objects.filter(id__in=consenting, is_active=True)
        .exclude(Q(phone="") & Q(mobile=""))
        .order_by("customer_id", "-influence", "id")
    )
    chosen: dict[int, Contact] = {}
    for contact in contacts:
        chosen.setdefault(contact.customer_id, contact)
    return chosen


def require_manage(user: Any) -> None:
    """Refuse (``PermissionDenied``, an audited denied access) unless ``user`` may manage
    call lists; read-only roles may not make lists or record calls."""
    require_function(user, Function.MANAGE_CALL_LISTS, what="call_list")


def assignees() -> QuerySet[Any]:
    """Who a call list may be given to: active staff who may work call lists."""
    return get_user_model().objects.assignable().with_function(Function.MANAGE_CALL_LISTS)


def check_assignee(assigned_to: Any) -> None:
    """Refuse an assignee who is not active staff with the call-list function."""
    if assigned_to is not None and not assignees().filter(pk=assigned_to.pk).exists():
        text = _("choose an active colleague who works call lists")
        raise CallListError("assigned_to: " + text)


def visible_customers(user: Any) -> QuerySet[Customer]:
    """Subquery of the customer ids ``user`` sees (the scope every row is checked against)."""
    return Customer.objects.visible_to(user).values("pk")


def create_call_list(
    *, name: str, params: dict[str, Any], created_by: Any, assigned_to: Any = None
) -> CallList:
    """Freeze the customers matching ``params`` into a call list.

    Only customers that both the creator and the assignee see: the list would otherwise
    hand the assignee customers outside their scope (issue 14 finding 2).
    """
    require_manage(created_by)
    check_assignee(assigned_to)
    name = (name or "").strip()
    if not name:
        raise CallListError("name: " + _("a call list needs a name"))
    customers = filtered_customers(params, created_by)
    if assigned_to is not None:
        customers = customers.filter(pk__in=visible_customers(assigned_to))
    ids = list(customers.order_by("name", "code").values_list("id", flat=True))
    contacts = callable_contacts(ids)
    with transaction.atomic():
        call_list = CallList.objects.create(
            name=name[:200], filter_params=params, created_by=created_by, assigned_to=assigned_to
        )
        CallListEntry.objects.bulk_create(
            CallListEntry(
                call_list=call_list,
                customer_id=customer_id,
                contact=contacts.get(customer_id),
            )
            for customer_id in ids
        )
    return call_list


def entries_for(call_list: CallList, user: Any) -> QuerySet[CallListEntry]:
    """The list's entries whose customer ``user`` sees now (a transfer takes rows away)."""
    entries = call_list.entries.all()
    if not has_full_scope(user):
        entries = entries.filter(customer_id__in=visible_customers(user))
    return entries


def may_export_numbers(user: Any) -> bool:
    """True when the files carry real phone numbers for ``user`` (view-unmasked function)."""
    return has_function(user, Function.VIEW_UNMASKED)


def entry_rows(
    call_list: CallList, user: Any, *, unmasked: bool = False
) -> Iterator[tuple[CallListEntry, list[Any]]]:
    """Each entry in ``user``'s scope with its column values; phones masked unless
    ``unmasked`` (the files of a role that may see them, see the module docstring)."""
    entries = entries_for(call_list, user).select_related("customer", "contact").order_by("id")
    for entry in entries.iterator(chunk_size=2000):
        contact = entry.contact
        phone = (contact.mobile or contact.phone) if contact else ""
        yield (
            entry,
            [
                entry.customer.code,
                entry.customer.name,
                contact.name if contact else "",
                contact.title if contact else "",
                phone if unmasked else mask_phone(phone),
                entry.outcome,
                timezone.localtime(entry.called_at).strftime("%Y-%m-%d %H:%M")
                if entry.called_at
                else "",
            ],
        )


def export_rows(call_list: CallList, user: Any) -> tuple[list[str], Iterator[list[Any]]]:
    """Headers and formula-safe rows for the CSV/XLSX files (EXP-1).

    With real numbers for roles that may see them; each contact in the file is then
    audited as an unmask (AUD-4: the event names the contact, never the number).
    """
    unmasked = may_export_numbers(user)
    if unmasked:
        contacts = Contact.objects.filter(
            id__in=entries_for(call_list, user).exclude(contact=None).values("contact_id")
        )
        for contact in contacts.iterator(chunk_size=2000):
            record_event(
                SecurityEventKind.UNMASK,
                actor=user,
                target=contact,
                detail={"call_list": call_list.pk},
            )
    outcome = EXPORT_HEADERS.index("outcome")
    labels = dict(CallOutcome.choices)

    def readable(values: list[Any]) -> list[Any]:
        values[outcome] = str(labels.get(values[outcome], values[outcome]))
        return [neutralise(value) for value in values]

    rows = (readable(values) for _entry, values in entry_rows(call_list, user, unmasked=unmasked))
    return file_headers(), rows


def _check_entry(entry: CallListEntry, by: Any) -> None:
    """The entry's list and customer must both be visible to ``by`` now."""
    if by is None:
        return  # system callers (tests, jobs) act for nobody in particular
    require_manage(by)
    lists = CallList.objects.visible_to(by).filter(pk=entry.call_list_id)
    if not lists.exists() or not entries_for(entry.call_list, by).filter(pk=entry.pk).exists():
        raise CallListError("entry: " + _("this entry is not on a call list you can work"))


def record_call_outcome(
    entry: CallListEntry,
    *,
    outcome: str,
    notes: str = "",
    by: Any = None,
    called_at: dt.datetime | None = None,
) -> Interaction:
    """Record what came of a call: the entry's outcome and a call Interaction on the customer.

    ``by`` must still see the entry's customer (the row is re-checked on every write).
    """
    if outcome not in CallOutcome.values:
        text = _("%(value)s is not one of %(allowed)s") % {
            "value": repr(outcome),
            "allowed": ", ".join(CallOutcome.values),
        }
        raise CallListError(f"outcome: {text}")
    _check_entry(entry, by)
    with transaction.atomic():
        entry = CallListEntry.objects.select_for_update().get(pk=entry.pk)
        interaction = Interaction.objects.create(
            customer_id=entry.customer_id,
            user=by,
            kind=InteractionKind.CALL,
            subject=f"{entry.call_list.name}: {CallOutcome(outcome).label}"[:200],
            notes=notes,
            occurred_at=called_at or timezone.now(),
        )
        if entry.contact_id:
            interaction.contacts.add(entry.contact_id)
        entry.outcome = outcome
        entry.called_at = interaction.occurred_at
        entry.interaction = interaction
        entry.save(update_fields=["outcome", "called_at", "interaction"])
    return interaction


# --- outcomes by file ---------------------------------------------------------------------

#: Columns of an outcome file (the export's names; notes optional).
OUTCOME_REQUIRED = ("customer_code", "outcome")
OUTCOME_OPTIONAL = ("called_at", "notes")
CALLED_AT_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d")


@dataclass(frozen=True)
class OutcomeProblem:
    """One problem of an outcome file: the spreadsheet row (header = 1) and column."""

    row: int
    column: str
    message: str

    @property
    def column_label(self) -> str:
        """The column as the reader's language names it."""
        return str(FILE_LABELS.get(self.column, self.column))


@dataclass(frozen=True)
class OutcomeRow:
    """A row that records a call."""

    row: int
    entry: CallListEntry
    outcome: str
    called_at: dt.datetime | None
    notes: str


@dataclass
class OutcomeReport:
    """What a file would do (dry run) or did: calls to record, rows already recorded,
    rows without an outcome (not called yet), problems."""

    to_record: list[OutcomeRow] = field(default_factory=list)
    unchanged: int = 0
    blank: int = 0
    problems: list[OutcomeProblem] = field(default_factory=list)


def outcome_aliases() -> dict[str, str]:
    """Outcome codes and their labels in every interface language, lower-cased -> code
    (a call centre types what the page shows: "已接通" as well as "reached")."""
    aliases = {value: value for value in CallOutcome.values}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for value, label in CallOutcome.choices:
                aliases[str(label).strip().lower()] = value
    return aliases


def _parse_called_at(text: str) -> dt.datetime | None:
    for pattern in CALLED_AT_FORMATS:
        try:
            moment = dt.datetime.strptime(text, pattern)  # local time: made aware below
        except ValueError:
            continue
        return timezone.make_aware(moment)
    raise ValueError(text)


def check_outcome_rows(call_list: CallList, user: Any, table: RawTable) -> OutcomeReport:
    """The dry run: every row checked against the list as ``user`` sees it, nothing written."""
    report = OutcomeReport()
    known = header_aliases()
    headers = [h.strip().lstrip("\ufeff") for h in table.headers]
    headers = [known.get(h.lower(), h) for h in headers]
    missing = [name for name in OUTCOME_REQUIRED if name not in headers]
    if missing:
        for name in missing:
            report.problems.append(OutcomeProblem(1, name, _("this column is missing")))
        return report
    columns = {
        name: table.table.column(headers.index(name)).to_pylist()
        for name in (*OUTCOME_REQUIRED, *OUTCOME_OPTIONAL)
        if name in headers
    }
    entries = {e.customer.code: e for e in entries_for(call_list, user).select_related("customer")}
    aliases, seen, now = outcome_aliases(), set(), timezone.now()
    for index, row in enumerate(table.row_numbers):
        value = {name: str(column[index] or "").strip() for name, column in columns.items()}
        code = value["customer_code"].lstrip("'")
        problem = _row_problem(row, value, code, entries, aliases, seen, now)
        if problem is not None:
            report.problems.append(problem)
            continue
        if not value["outcome"]:
            report.blank += 1
            continue
        seen.add(code)
        entry, outcome = entries[code], aliases[value["outcome"].lower()]
        called_at = _parse_called_at(value["called_at"]) if value.get("called_at") else None
        if entry.outcome == outcome and (called_at is None or called_at == entry.called_at):
            report.unchanged += 1  # already recorded: a second import records nothing
            continue
        report.to_record.append(OutcomeRow(row, entry, outcome, called_at, value.get("notes", "")))
    for line in table.malformed_rows:
        text = _("expected %(want)s fields, found %(found)s") % {
            "want": len(headers),
            "found": line[1],
        }
        report.problems.append(OutcomeProblem(line[0], "", text))
    return report


def _row_problem(
    row: int,
    value: dict[str, str],
    code: str,
    entries: dict[str, CallListEntry],
    aliases: dict[str, str],
    seen: set[str],
    now: dt.datetime,
) -> OutcomeProblem | None:
    """The first problem of one row, or ``None``."""
    if code not in entries:
        text = _("%(code)s is not on this call list") % {"code": repr(code)}
        return OutcomeProblem(row, "customer_code", text)
    if code in seen:
        text = _("%(code)s appears twice in the file") % {"code": repr(code)}
        return OutcomeProblem(row, "customer_code", text)
    outcome = value["outcome"]
    if outcome and outcome.lower() not in aliases:
        text = _("%(value)s is not one of %(allowed)s") % {
            "value": repr(outcome),
            "allowed": ", ".join(str(label) for _v, label in CallOutcome.choices),
        }
        return OutcomeProblem(row, "outcome", text)
    if value.get("called_at"):
        try:
            called_at = _parse_called_at(value["called_at"])
        except ValueError:
            text = _("%(value)s is not a time (YYYY-MM-DD HH:MM)") % {
                "value": repr(value["called_at"])
            }
            return OutcomeProblem(row, "called_at", text)
        if called_at is not None and called_at > now:
            text = _("%(value)s is in the future") % {"value": value["called_at"]}
            return OutcomeProblem(row, "called_at", text)
    return None


def import_outcomes(call_list: CallList, user: Any, table: RawTable) -> OutcomeReport:
    """Record the file's outcomes when the dry run finds no problem (all or nothing)."""
    require_manage(user)
    report = check_outcome_rows(call_list, user, table)
    if report.problems:
        return report
    with transaction.atomic():
        for item in report.to_record:
            record_call_outcome(
                item.entry,
                outcome=item.outcome,
                notes=item.notes,
                by=user,
                called_at=item.called_at,
            )
    return report
