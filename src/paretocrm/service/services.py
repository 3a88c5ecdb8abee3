"""Services of the service app: the case workflow with SLA targets, escalation, care, surveys.

Every change of a case goes through a function here that validates it, writes it and
appends a :class:`~paretocrm.service.models.CaseEvent`, all in one transaction. The two
periodic jobs, :func:`escalate_sla_breaches` and :func:`send_due_surveys`, are plain
functions that the scoring run's task step and the background worker both call.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext

from paretocrm.core.exceptions import DomainError
from paretocrm.core.languages import language_of
from paretocrm.core.models import require_version
from paretocrm.core.tokens import digest
from paretocrm.customers.choices import ConsentChannel
from paretocrm.customers.models import Contact
from paretocrm.knowledge.models import Article
from paretocrm.service.choices import (
    CASE_TRANSITIONS,
    CaseEventKind,
    CaseNoteCode,
    CaseStatus,
    CaseType,
    SurveyKind,
)
from paretocrm.service.events import breach_params
from paretocrm.service.models import (
    CareRecord,
    Case,
    CaseEvent,
    SlaPolicy,
    SurveyInvitation,
    SurveyResponse,
)

logger = logging.getLogger(__name__)

#: Case types that concern goods delivered: they must name the order.
ORDER_CASE_TYPES = frozenset({CaseType.RETURN, CaseType.EXCHANGE})
#: Surveys go out for cases resolved at most this many days ago (older ones are not chased).
SURVEY_WINDOW_DAYS = 14


class CaseError(DomainError):
    """A case change that cannot be made; the message names the field or the rule."""


def sla_policy_for(priority: str, tier: str = "") -> SlaPolicy | None:
    """The active policy for a priority and tier, falling back to the tier-less default."""
    candidates = SlaPolicy.objects.filter(Q(tier=tier) | Q(tier=""), priority=priority, active=True)
    # The tier-specific row sorts before the blank default when ordered by tier descending.
    return candidates.order_by("-tier").first()


#: The policies a new installation starts with (migration 0006 holds a frozen copy):
#: tier -> priority -> (first-response hours, resolution hours); "" is every other tier.
DEFAULT_SLA_POLICIES: dict[str, dict[str, tuple[int, int]]] = {
    "": {"urgent": (2, 24), "high": (4, 48), "normal": (8, 72), "low": (24, 168)},
    "core": {"urgent": (1, 8), "high": (2, 24), "normal": (4, 48), "low": (8, 72)},
    "key": {"urgent": (1, 12), "high": (3, 36), "normal": (6, 60), "low": (12, 120)},
}


def add_default_sla_policies() -> int:
    """Add the default policies that have no active policy for their priority and tier.

    The demo loader calls it on a database without any policy (emptied by hand or by a
    test), so its cases get their clocks from policies as a new installation's would.
    """
    added = 0
    for tier, rows in DEFAULT_SLA_POLICIES.items():
        for priority, (respond, resolve) in rows.items():
            if not SlaPolicy.objects.filter(priority=priority, tier=tier, active=True).exists():
                SlaPolicy.objects.create(
                    priority=priority,
                    tier=tier,
                    first_response_hours=respond,
                    resolution_hours=resolve,
                )
                added += 1
    return added


SLA_POLICY_FIELDS = ("priority", "tier", "first_response_hours", "resolution_hours")


@transaction.atomic
def save_sla_policy(policy: SlaPolicy | None = None, **fields: Any) -> SlaPolicy:
    """Create (``policy`` None) or change an SLA policy; cases already open keep their targets.

    Raises ``ValidationError`` naming the field (or the duplicate priority and tier) and
    writes nothing then.
    """
    unknown = set(fields) - set(SLA_POLICY_FIELDS)
    if unknown:
        raise CaseError(gettext("unknown field: %(name)s") % {"name": ", ".join(sorted(unknown))})
    policy = policy or SlaPolicy()
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.full_clean()
    policy.save()
    return policy


@transaction.atomic
def archive_sla_policy(policy: SlaPolicy) -> SlaPolicy:
    """Take a policy out of use (kept for the record); new cases fall back to the default."""
    policy.active = False
    policy.save(update_fields=["active", "updated_at"])
    return policy


def customer_tier(customer_id: int) -> str:
    """The customer's tier in the current analysis snapshot ("" when not scored)."""
    from paretocrm.insights.models import CustomerScore  # insights reads service data too

    tier = (
        CustomerScore.objects.current()
        .filter(customer_id=customer_id)
        .values_list("tier", flat=True)
        .first()
    )
    return tier or ""


@transaction.atomic
def open_case(*, tier: str | None = None, by: Any = None, **fields: Any) -> Case:
    """Create a case with the SLA targets of its priority and the customer's tier.

    ``tier`` defaults to the customer's tier in the current snapshot, so core customers get
    their shorter targets without anyone choosing them. Returns and exchanges must name an
    order of the same customer.
    """
    case = Case(**fields)
    if case.assigned_to is not None:
        check_assignee(case, case.assigned_to, "assigned_to")
    if case.escalated_to is not None:
        check_assignee(case, case.escalated_to, "escalated_to")
    if case.case_type in ORDER_CASE_TYPES:
        if case.order_id is None:
            text = gettext("a %(type)s case must name the order it concerns")
            raise CaseError("order: " + text % {"type": case.get_case_type_display()})
        if case.order.customer_id != case.customer_id:
            raise CaseError("order: " + gettext("the order belongs to another customer"))
    if tier is None:
        tier = customer_tier(case.customer_id)
    policy = sla_policy_for(case.priority, tier)
    if policy is not None:
        case.sla_first_response_hours = policy.first_response_hours
        case.sla_resolution_hours = policy.resolution_hours
    case.full_clean()
    case.save()
    _event(case, CaseEventKind.OPENED, "", case.status, case.opened_at, by)
    return case


def _event(
    case: Case,
    kind: str,
    before: str,
    after: str,
    at: dt.datetime,
    by: Any,
    note: str = "",
    *,
    code: str = "",
    params: dict[str, Any] | None = None,
) -> CaseEvent:
    """Append one history row; system notes go in as ``code`` + ``params`` (service.events)."""
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        from_status=before,
        to_status=after,
        at=at,
        by=by,
        note=note,
        note_code=code,
        note_params=params or {},
    )


def _locked(case: Case, version: int | None = None) -> Case:
    """The case re-read under a row lock, refused when no longer at the page's ``version``."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    require_version(locked, version)
    return locked


def transition_case(
    case: Case,
    to: str,
    *,
    by: Any = None,
    at: dt.datetime | None = None,
    note: str = "",
    version: int | None = None,
) -> Case:
    """Move a case along the workflow, recording when targets were met.

    ``version`` is the one the page showed: a case changed since is left alone
    (:class:`StaleVersionError`, DUR-1); the same holds for assigning, escalating and a
    care record added on the case page.

    Leaving ``new`` is the first response; ``resolved`` stamps the resolution time (a
    reopened case loses it, so the resolution clock measures the final fix); ``closed``
    stamps the closing time. Moves outside :data:`CASE_TRANSITIONS` are refused.
    """
    at = at or timezone.now()
    with transaction.atomic():
        case = _locked(case, version)
        before = case.status
        if to not in CASE_TRANSITIONS.get(before, frozenset()):
            allowed = gettext(", ").join(
                str(CaseStatus(s).label) for s in sorted(CASE_TRANSITIONS.get(before, ()))
            )
            text = gettext("a %(before)s case cannot move to %(to)s (allowed: %(allowed)s)") % {
                "before": CaseStatus(before).label,
                "to": CaseStatus(to).label if to in CaseStatus.values else repr(str(to)),
                "allowed": allowed or gettext("none"),
            }
            raise CaseError(f"status: {text}")
        if at < case.opened_at:
            text = gettext("%(at)s is before the case was opened (%(opened)s)")
            raise CaseError("at: " + text % {"at": at, "opened": case.opened_at})
        if before == CaseStatus.NEW and case.first_response_at is None:
            case.first_response_at = at
        if to == CaseStatus.RESOLVED:
            case.resolved_at = at
        elif before == CaseStatus.RESOLVED and to == CaseStatus.IN_PROGRESS:
            case.resolved_at = None
        if to == CaseStatus.CLOSED:
            case.closed_at = at
        case.status = to
        case.save()
        _event(case, CaseEventKind.STATUS, before, to, at, by, note)
    return case


def record_first_response(case: Case, at: dt.datetime | None = None, by: Any = None) -> Case:
    """Record the first response (only the first one counts) and move a new case on."""
    with transaction.atomic():
        case = _locked(case)
        if case.first_response_at is not None:
            return case
        if case.status == CaseStatus.NEW:
            return transition_case(case, CaseStatus.IN_PROGRESS, by=by, at=at)
        case.first_response_at = at or timezone.now()
        case.save()
    return case


def resolve_case(case: Case, at: dt.datetime | None = None, by: Any = None) -> Case:
    """Mark a case resolved at ``at`` (default now)."""
    return transition_case(case, CaseStatus.RESOLVED, by=by, at=at)


def escalate_case(
    case: Case,
    to: Any,
    at: dt.datetime | None = None,
    note: str = "",
    *,
    breach: dict[str, str] | None = None,
    version: int | None = None,
) -> Case:
    """Escalate a case to a colleague (e.g. the key-account manager), keeping the time.

    ``note`` is a person's text; ``breach`` (from :func:`service.events.breach_params`)
    marks an escalation the SLA job made, worded for each reader.
    """
    if to is None:
        raise CaseError("escalated_to: " + gettext("choose the person the case is escalated to"))
    check_assignee(case, to, "escalated_to")
    at = at or timezone.now()
    with transaction.atomic():
        case = _locked(case, version)
        case.escalated = True
        case.escalated_at = at
        case.escalated_to = to
        case.save()
        code = CaseNoteCode.SLA_BREACHED if breach else ""
        _event(
            case,
            CaseEventKind.ESCALATED,
            case.status,
            case.status,
            at,
            None,
            note,
            code=code,
            params=breach,
        )
    return case


def assign_case(case: Case, to: Any, *, by: Any = None, version: int | None = None) -> Case:
    """Give the case to an active colleague who may see it."""
    if to is None:
        raise CaseError("assigned_to: " + gettext("choose an active user to assign the case to"))
    check_assignee(case, to, "assigned_to")
    with transaction.atomic():
        case = _locked(case, version)
        case.assigned_to = to
        case.save()
        _event(
            case,
            CaseEventKind.ASSIGNED,
            case.status,
            case.status,
            timezone.now(),
            by,
            code=CaseNoteCode.ASSIGNED,
            params={"person": to.get_full_name() or to.username},
        )
    return case


def link_article(case: Case, article: Any, *, by: Any, version: int | None = None) -> Case:
    """Link a published knowledge article to the case (the page and API answer with it)."""
    if (
        article is None
        or not Article.objects.readable_by(by).published().filter(pk=article.pk).exists()
    ):
        raise CaseError("article: " + gettext("choose a published knowledge article"))
    with transaction.atomic():
        case = _locked(case, version)
        case.articles.add(article)
    return case


def unlink_article(case: Case, article: Any, *, version: int | None = None) -> Case:
    """Remove an article from the case (the article itself stays in the knowledge base)."""
    with transaction.atomic():
        case = _locked(case, version)
        if article is None or not case.articles.filter(pk=article.pk).exists():
            raise CaseError("article: " + gettext("this article is not linked to the case"))
        case.articles.remove(article)
    return case


def check_assignee(case: Case, to: Any, field: str) -> None:
    """Refuse a person who is not active staff able to see the case (``field`` is named).

    The assignee sees the case by the cases rule of service agents (``via_case``); a person
    it is escalated to must see the customer already. Never a portal login (issue 14).
    """
    users = get_user_model().objects
    if not users.may_be_assigned(to, case.customer_id, via_case=field == "assigned_to"):
        raise CaseError(f"{field}: " + gettext("choose an active colleague who may see this case"))


def escalation_target(case: Case) -> Any:
    """Who a breach goes to: the account owner's manager, else the assignee's, else the owner
    - the first of them who may see the case (a manager field pointing at a portal login or
    an outsider is skipped)."""
    owner = case.customer.owner
    users = get_user_model().objects
    candidates = [p.manager for p in (owner, case.assigned_to) if p is not None and p.manager_id]
    for person in [*candidates, owner]:
        if person is not None and users.may_be_assigned(person, case.customer_id):
            return person
    return None


def escalate_sla_breaches(now: dt.datetime | None = None) -> list[Case]:
    """Escalate every open case past an SLA time that is not escalated yet (periodic job).

    Returns the escalated cases (with ``escalated_to`` set) so the caller can raise tasks.
    A case whose customer has no owner and nobody assigned has nobody to escalate to and is
    left for the next run (and logged).
    """
    now = now or timezone.now()
    due = (
        Case.objects.open()
        .filter(escalated=False)
        .sla_breached(now)
        .select_related("customer__owner__manager", "assigned_to__manager")
    )
    escalated = []
    for case in due:
        target = escalation_target(case)
        if target is None:
            logger.warning("case %s breached its SLA but has nobody to escalate to", case.number)
            continue
        breach = breach_params(case, now)
        escalated.append(escalate_case(case, target, at=now, breach=breach))
    return escalated


@transaction.atomic
def add_care_record(
    *,
    customer: Any,
    user: Any,
    case: Case | None = None,
    case_version: int | None = None,
    **fields: Any,
) -> CareRecord:
    """A care touch (visit, greeting, gift, follow-up) on a customer, optionally for a case.

    ``case_version`` is the version of the case its page showed (see :func:`_locked`).
    """
    if case is not None and case.customer_id != customer.pk:
        raise CaseError("case: " + gettext("the case belongs to another customer"))
    if case is not None:
        _locked(case, case_version)
    record = CareRecord(customer=customer, user=user, case=case, **fields)
    record.full_clean()
    record.save()
    return record


@dataclass
class SurveyRun:
    """What one survey-sending pass did."""

    sent: list[SurveyInvitation] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)


def _email_consent(contact_ids: set[int]) -> set[int]:
    """Contacts whose e-mail consent in force is granted (PRIV-2: no consent, no mail)."""
    reachable = Contact.objects.filter(id__in=contact_ids).reachable_by(ConsentChannel.EMAIL)
    return set(reachable.values_list("id", flat=True))


def send_due_surveys(
    now: dt.datetime | None = None, *, link: Any = None, window_days: int = SURVEY_WINDOW_DAYS
) -> SurveyRun:
    """E-mail a satisfaction survey for every case resolved recently and not surveyed yet.

    The survey goes to the case's contact when they have an e-mail address and e-mail
    consent; other cases are counted in ``skipped`` by reason. ``link(token)`` builds the
    answer URL (default: the relative path, for a mail client behind the same host).
    """
    now = now or timezone.now()
    since = now - dt.timedelta(days=window_days)
    cases = list(
        Case.objects.filter(
            status__in=(CaseStatus.RESOLVED, CaseStatus.CLOSED),
            resolved_at__gte=since,
            resolved_at__lte=now,
            survey_invitation__isnull=True,
        ).select_related("contact", "customer")
    )
    consenting = _email_consent({c.contact_id for c in cases if c.contact_id})
    result = SurveyRun()
    for case in cases:
        reason = _survey_blocker(case, consenting)
        if reason:
            result.skipped[reason] = result.skipped.get(reason, 0) + 1
            continue
        result.sent.append(_send_survey(case, now, link))
    return result


def _survey_blocker(case: Case, consenting: set[int]) -> str:
    if case.contact_id is None:
        return "no contact on the case"
    if not case.contact.email:
        return "contact has no e-mail"
    if case.contact_id not in consenting:
        return "no e-mail consent"
    return ""


def _send_survey(case: Case, now: dt.datetime, link: Any) -> SurveyInvitation:
    from django.urls import reverse

    token = secrets.token_urlsafe(32)
    # Without a link builder the address is PUBLIC_BASE_URL (if the deployment sets it) + path.
    base = str(getattr(settings, "PUBLIC_BASE_URL", "")).rstrip("/")
    url = link(token) if link else base + reverse("service:survey", args=[token])
    with transaction.atomic():
        invitation = SurveyInvitation.objects.create(
            case=case,
            customer=case.customer,
            contact=case.contact,
            email=case.contact.email,
            token=digest(token),  # the link's token itself is only in the e-mail
            sent_at=now,
        )
        invitation.link_token = token  # for the caller; never stored
        _event(case, CaseEventKind.SURVEY_SENT, case.status, case.status, now, None)
    # Written in the contact's language, not that of the worker or page that sends it.
    with translation.override(language_of(case.contact)):
        subject = gettext("How did we do? Case %(number)s") % {"number": case.number}
        body = gettext(
            "Dear %(name)s,\n\nyour case %(number)s (%(subject)s) was resolved. Please tell us "
            "how satisfied you are, on a scale of 1 to 5:\n\n%(link)s\n\nThank you."
        ) % {"name": case.contact.name, "number": case.number, "subject": case.subject, "link": url}
    send_mail(
        subject=subject,
        message=body,
        from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
        recipient_list=[invitation.email],
        fail_silently=False,
    )
    return invitation


def answer_survey(invitation: SurveyInvitation, *, score: Any, comment: str = "") -> SurveyResponse:
    """Record the answer to a survey link (once): a CSAT response about the case."""
    try:
        value = int(score)
    except (TypeError, ValueError):
        raise CaseError("score: " + gettext("choose a score from 1 to 5")) from None
    if not 1 <= value <= 5:
        text = gettext("%(value)s is not between 1 and 5")
        raise CaseError("score: " + text % {"value": value})
    with transaction.atomic():
        invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.response_id is not None:
            text = gettext("this survey has already been answered, thank you")
            raise CaseError("survey: " + text)
        response = SurveyResponse.objects.create(
            customer_id=invitation.customer_id,
            contact_id=invitation.contact_id,
            case_id=invitation.case_id,
            kind=SurveyKind.CSAT,
            score=value,
            comment=comment.strip()[:2000],
        )
        invitation.response = response
        invitation.save(update_fields=["response", "updated_at"])
        case = invitation.case
        _event(
            case,
            CaseEventKind.SURVEY_ANSWERED,
            case.status,
            case.status,
            response.answered_at,
            None,
        )
    return response
