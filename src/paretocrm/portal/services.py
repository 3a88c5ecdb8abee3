"""Services of the portal: invitations, portal accounts, cases, replies, surveys, details.

Every function that acts for a portal user reads through ``visible_to(user)`` (the scope
the customers app gives portal users: their one customer), owns its transaction, and
attributes history rows to the ``portal`` channel.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from paretocrm.audit.context import audit_context
from paretocrm.core.exceptions import DomainError, StaleVersionError
from paretocrm.core.languages import language_of
from paretocrm.core.policy import is_portal_user
from paretocrm.core.tokens import digest
from paretocrm.customers.choices import ChangeChannel
from paretocrm.customers.models import Contact, Customer
from paretocrm.insights.models import CustomerScore
from paretocrm.portal.choices import PortalCaseType, ReplyChannel
from paretocrm.portal.models import CaseAttachment, CaseReply, PortalAccount, PortalInvitation
from paretocrm.portal.validators import CheckedFile, check_uploads
from paretocrm.service.choices import CasePriority, CaseStatus, CaseType, SurveyKind
from paretocrm.service.models import Case, SurveyResponse
from paretocrm.service.services import open_case
from paretocrm.users.choices import Role
from paretocrm.users.models import User
from paretocrm.work.choices import ReasonCode
from paretocrm.work.services import create_manual_task


class PortalError(DomainError, ValidationError):
    """A portal action refused, with a message for the person who tried it.

    A :class:`DomainError` like every service refusal, and still a Django
    ``ValidationError``: the portal's pages catch its refusals together with the password
    and upload validators' errors from the same call (``except ValidationError``) and put
    them on the form or read ``messages``.
    """

    def __init__(self, message: object = "", *, field: str | None = None, code: str | None = None):
        ValidationError.__init__(self, message, code=code)
        DomainError.__init__(self, message, field=field, code=code)


def invitation_lifetime() -> dt.timedelta:
    """How long an invitation link works (``PORTAL_INVITATION_HOURS``, default 72)."""
    return dt.timedelta(hours=int(getattr(settings, "PORTAL_INVITATION_HOURS", 72)))


def has_portal_access(user: Any) -> bool:
    """A portal user whose account is active (so linked to exactly one customer)."""
    return is_portal_user(user) and PortalAccount.objects.filter(user=user, is_active=True).exists()


# --- invitations and accounts -------------------------------------------------------------


@transaction.atomic
def invite_contact(contact: Contact, *, by: Any, base_url: str) -> tuple[PortalInvitation, str]:
    """Create a one-time invitation and e-mail its link; returns it and the link.

    Inviting a contact who already has an account works as a password reset: accepting
    sets a new password on the same account.
    """
    if not contact.email:
        raise PortalError(_("Contact “%(name)s” has no e-mail address.") % {"name": contact.name})
    if not contact.is_active:
        raise PortalError(_("Contact “%(name)s” is not active.") % {"name": contact.name})
    token = secrets.token_urlsafe(32)
    invitation = PortalInvitation.objects.create(
        contact=contact,
        email=contact.email.strip().lower(),
        token_hash=digest(token),
        expires_at=timezone.now() + invitation_lifetime(),
        invited_by=by,
    )
    link = f"{base_url.rstrip('/')}/portal/invitation/{token}/"
    hours = int(invitation_lifetime().total_seconds() // 3600)
    # The mail is for the contact: their language, not the inviting colleague's page language.
    with translation.override(language_of(contact)):
        subject = _("Your access to the %(company)s customer portal") % {"company": company_name()}
        body = _(
            "Hello %(name)s,\n\nyou are invited to the customer portal of %(customer)s. "
            "Open this link to choose your password (it works once, for %(hours)d hours):\n\n"
            "%(link)s\n\nYour user name will be %(username)s."
        ) % {
            "name": contact.name,
            "customer": contact.customer.name,
            "hours": hours,
            "link": link,
            "username": invitation.email,
        }
    send_mail(subject, body, None, [invitation.email])
    return invitation, link


def company_name() -> str:
    """The name the portal shows for the company running it."""
    return str(getattr(settings, "PORTAL_COMPANY_NAME", "Pareto CRM"))


def usable_invitation(token: str) -> PortalInvitation | None:
    """The unused, unexpired invitation with this token, or ``None``."""
    return (
        PortalInvitation.objects.usable()
        .select_related("contact")
        .filter(token_hash=digest(token))
        .first()
    )


@transaction.atomic
def accept_invitation(token: str, password: str) -> User:
    """Use an invitation once: create (or re-key) the contact's portal login.

    The password goes through the project's validators (AUTHN-1) with the user's own
    details, so it may not resemble the name or e-mail.
    """
    invitation = (
        PortalInvitation.objects.select_for_update()
        .select_related("contact__customer")
        .filter(token_hash=digest(token))
        .first()
    )
    if invitation is None or not invitation.is_usable:
        raise PortalError(_("This invitation link is invalid, used or expired. Ask for a new one."))
    contact = invitation.contact
    account = PortalAccount.objects.filter(contact=contact).select_related("user").first()
    user = account.user if account else _new_portal_user(invitation)
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.is_active = True
    user.save()
    if account is None:
        PortalAccount.objects.create(user=user, contact=contact, invited_by=invitation.invited_by)
    elif not account.is_active:
        account.is_active = True
        account.save(update_fields=["is_active", "updated_at"])
    invitation.used_at = timezone.now()
    invitation.save(update_fields=["used_at", "updated_at"])
    return user


def _new_portal_user(invitation: PortalInvitation) -> User:
    username = invitation.email
    if User.objects.filter(username__iexact=username).exists():
        raise PortalError(
            _("A login named %(username)s exists already; ask us to invite another address.")
            % {"username": username}
        )
    return User(
        username=username,
        email=invitation.email,
        first_name=invitation.contact.name[:150],
        role=Role.PORTAL_CUSTOMER,
    )


@transaction.atomic
def deactivate_portal_account(account: PortalAccount, *, by: Any) -> None:
    """Close a portal login at once (sessions and tokens end, as for staff)."""
    from paretocrm.users.services import deactivate_user

    account.is_active = False
    account.save(update_fields=["is_active", "updated_at"])
    deactivate_user(account.user, by)


def portal_customer(user: Any) -> Customer:
    """The portal user's customer, read through the same scope as every other page."""
    customer = Customer.objects.visible_to(user).first()
    if customer is None:
        raise PortalError(_("This portal login is not linked to a customer."))
    return customer


def portal_contact(user: Any) -> Contact:
    """The contact the portal user speaks for."""
    return Contact.objects.visible_to(user).get(portal_account__user=user)


# --- cases, replies and attachments ---------------------------------------------------------


def current_tier(customer: Customer) -> str:
    """The customer's tier in the current score snapshot ("" before the first run)."""
    score = CustomerScore.objects.current().filter(customer=customer).values("tier").first()
    return str(score["tier"]) if score else ""


def new_case_number() -> str:
    """A case number for portal and e-mail cases: WEB-YYYYMMDD-XXXXXX."""
    return f"WEB-{timezone.now():%Y%m%d}-{secrets.token_hex(3).upper()}"


@dataclass(frozen=True)
class NewCase:
    """What a customer fills in to raise a case."""

    case_type: str
    subject: str
    description: str
    order_id: int | None = None


def raise_case(
    user: Any, request: NewCase, uploads: Sequence[Any] = (), *, channel: str = ReplyChannel.PORTAL
) -> Case:
    """Open a case for the user's customer with the SLA of its tier; complaints raise a task.

    Files are checked before anything is written; the order must be the customer's own.
    """
    if request.case_type not in PortalCaseType.values:
        raise PortalError(_("Choose what you need: inquiry, complaint, return or exchange."))
    checked = check_uploads(list(uploads))
    customer = portal_customer(user)
    contact = portal_contact(user)
    order = None
    if request.order_id is not None:
        from paretocrm.sales.models import Order

        order = Order.objects.visible_to(user).filter(pk=request.order_id).first()
        if order is None:
            raise PortalError(_("Order: choose one of your own orders."))
    with transaction.atomic(), audit_context(ChangeChannel.PORTAL, actor=user):
        case = file_case(
            customer=customer,
            contact=contact,
            case_type=request.case_type,
            subject=request.subject,
            description=request.description,
            order=order,
        )
        _store_files(case, None, checked, user)
    return case


def file_case(
    *,
    customer: Customer,
    contact: Contact | None,
    case_type: str,
    subject: str,
    description: str,
    order: Any = None,
) -> Case:
    """Open a customer-raised case (portal or e-mail); a complaint becomes the owner's task.

    The case is assigned to the account owner; complaints get high priority and a task due
    today, so the key-account manager hears of them the same day.
    """
    priority = CasePriority.HIGH if case_type == CaseType.COMPLAINT else CasePriority.NORMAL
    case = open_case(
        tier=current_tier(customer),
        number=new_case_number(),
        customer=customer,
        contact=contact,
        case_type=case_type,
        priority=priority,
        subject=subject[:200],
        description=description,
        order=order,
        # The account owner answers for the customer until service reassigns the case; an
        # owner who has left is no assignee (open_case refuses them), so nobody is yet.
        assigned_to=customer.owner if customer.owner and customer.owner.is_active else None,
    )
    if case_type == CaseType.COMPLAINT and customer.owner_id is not None:
        create_manual_task(
            customer=customer,
            owner=customer.owner,
            # Worded for the manager who reads it, not in the portal user's language.
            reason_code=ReasonCode.PORTAL_COMPLAINT,
            reason_params={
                "number": case.number,
                "contact": str(contact or ""),
                "subject": case.subject,
            },
            due_on=timezone.localdate(),
        )
    return case


def reply_to_case(user: Any, case_id: int, body: str, uploads: Sequence[Any] = ()) -> CaseReply:
    """Add the portal user's message (and files) to one of their customer's cases.

    A case waiting for the customer moves back to "in progress"; a closed case takes no
    more replies (the customer raises a new one).
    """
    if not body.strip():
        raise PortalError(_("Message: write something."))
    checked = check_uploads(list(uploads))
    case = Case.objects.visible_to(user).filter(pk=case_id).first()
    if case is None:
        raise PortalError(_("Case not found."))
    if case.status == CaseStatus.CLOSED:
        raise PortalError(_("This case is closed; please raise a new one."))
    with transaction.atomic(), audit_context(ChangeChannel.PORTAL, actor=user):
        reply = add_reply(case, body, contact=portal_contact(user), author=user)
        _store_files(case, reply, checked, user)
    return reply


def add_reply(
    case: Case,
    body: str,
    *,
    contact: Contact | None,
    author: Any = None,
    channel: str = ReplyChannel.PORTAL,
) -> CaseReply:
    """Append a customer message to a case and wake the case up if it waited for them."""
    reply = CaseReply.objects.create(
        case=case, author=author, contact=contact, channel=channel, body=body
    )
    if case.status in (CaseStatus.WAITING, CaseStatus.RESOLVED):
        case.status = CaseStatus.IN_PROGRESS
        case.save(update_fields=["status", "version", "updated_at"])
    return reply


def _store_files(case: Case, reply: CaseReply | None, files: list[CheckedFile], user: Any) -> None:
    for checked in files:
        CaseAttachment.objects.create(
            case=case,
            reply=reply,
            file=checked.upload,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=user,
        )


# --- surveys --------------------------------------------------------------------------------

#: How often a contact is asked the NPS question.
NPS_INTERVAL = dt.timedelta(days=180)


@dataclass(frozen=True)
class DueSurvey:
    """A survey the customer has not answered: CSAT on a finished case, or the periodic NPS."""

    kind: str
    case: Case | None = None


def surveys_due(user: Any) -> list[DueSurvey]:
    """CSAT for each resolved or closed case without an answer, and NPS every 180 days."""
    finished = (
        Case.objects.visible_to(user)
        .filter(status__in=[CaseStatus.RESOLVED, CaseStatus.CLOSED])
        .exclude(survey_responses__kind=SurveyKind.CSAT)
        .order_by("-opened_at")[:20]
    )
    due = [DueSurvey(SurveyKind.CSAT, case) for case in finished]
    recent_nps = (
        SurveyResponse.objects.visible_to(user)
        .filter(
            kind=SurveyKind.NPS,
            contact=portal_contact(user),
            answered_at__gte=timezone.now() - NPS_INTERVAL,
        )
        .exists()
    )
    if not recent_nps:
        due.insert(0, DueSurvey(SurveyKind.NPS))
    return due


@transaction.atomic
def answer_survey(
    user: Any, *, kind: str, score: int, comment: str = "", case_id: int | None = None
) -> SurveyResponse:
    """Record the portal user's answer (the scale is checked by the model's constraint too)."""
    due = surveys_due(user)
    match = [s for s in due if s.kind == kind and (s.case.pk if s.case else None) == case_id]
    if not match:
        raise PortalError(_("This survey is not open for you (already answered?)."))
    low, high = (1, 5) if kind == SurveyKind.CSAT else (0, 10)
    if not low <= score <= high:
        raise PortalError(
            _("Score: choose a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return SurveyResponse.objects.create(
        customer=portal_customer(user),
        contact=portal_contact(user),
        case=match[0].case,
        kind=kind,
        score=score,
        comment=comment,
    )


# --- company and contact details ------------------------------------------------------------

#: What a customer may change about themselves; everything else is the company's to keep.
CUSTOMER_FIELDS = ("website", "address")
CONTACT_FIELDS = ("title", "department", "phone", "mobile", "email", "wechat")


class DetailsConflict(StaleVersionError):
    """The details changed since the form was shown (message fit for the customer)."""


@transaction.atomic
def update_details(
    user: Any,
    *,
    customer_changes: dict[str, Any],
    contact_changes: dict[str, Any],
    versions: tuple[int, int],
) -> list[str]:
    """Save the allowed fields that changed; the field history records channel "portal".

    ``versions`` are the customer's and the contact's versions the form showed: when a record
    to be written has changed since, nothing is saved and :class:`DetailsConflict` says so
    (DUR-1: a colleague's edit is not overwritten with the page's older values)."""
    changed: list[str] = []
    with audit_context(ChangeChannel.PORTAL, actor=user):
        for record, allowed, changes, version in (
            (portal_customer(user), CUSTOMER_FIELDS, customer_changes, versions[0]),
            (portal_contact(user), CONTACT_FIELDS, contact_changes, versions[1]),
        ):
            fields = [
                name
                for name, value in changes.items()
                if name in allowed and getattr(record, name) != value
            ]
            if not fields:
                continue  # a no-op save writes no history (AUD-1)
            locked = type(record).objects.select_for_update().get(pk=record.pk)
            if locked.version != version:
                raise DetailsConflict(
                    _(
                        "These details were changed by someone else after you opened the page. "
                        "Nothing was saved: the form now shows the current details; please "
                        "make your changes again."
                    )
                )
            for name in fields:
                setattr(locked, name, changes[name])
            locked.full_clean()
            locked.save()
            changed += fields
    return changed


def dismiss_inbound(message: Any) -> None:
    """Take an e-mail out of the triage queue without filing it (spam, misdirected)."""
    from paretocrm.portal.choices import InboundStatus

    message.status = InboundStatus.DISMISSED
    message.save(update_fields=["status", "updated_at"])
