"""Product-concept surveys: ask the key accounts about a product before its launch.

The survey goes to the core and key customers of the current analysis snapshot, each to
its most influential contact with e-mail consent (no consent, no mail). Each answer comes
back through the e-mailed link: interest on 1-5, would they buy, and a comment.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext

from paretocrm.core.languages import language_of
from paretocrm.core.models import require_version
from paretocrm.core.tokens import digest
from paretocrm.customers.choices import ConsentChannel
from paretocrm.marketing.models import ConceptSurvey, ConceptSurveyInvitation
from paretocrm.marketing.services import CampaignError, consenting_contacts

#: Tiers a concept is put to (大客户: core and key customers).
KEY_ACCOUNT_TIERS = ("core", "key")


@dataclass
class ConceptRun:
    """What sending a concept survey did."""

    sent: int = 0
    already_asked: int = 0
    without_consent: list[str] = field(default_factory=list)


def send_concept_survey(
    survey: ConceptSurvey, *, link: Callable[[str], str] | None = None, version: int | None = None
) -> ConceptRun:
    """Mail the survey to every key account not asked yet (consenting contacts only).

    ``version`` is the one the page showed: a survey whose text changed since is not sent
    (:class:`StaleVersionError`, DUR-1). The check holds a row lock only for itself, not
    while the mails go out one by one.
    """
    from paretocrm.insights.models import CustomerScore  # insights imports no marketing

    with transaction.atomic():
        survey = ConceptSurvey.objects.select_for_update().get(pk=survey.pk)
        require_version(survey, version)

    scores = (
        CustomerScore.objects.current()
        .filter(tier__in=KEY_ACCOUNT_TIERS, customer__status="active")
        .select_related("customer")
    )
    customers = {s.customer_id: s.customer for s in scores}
    contacts = consenting_contacts(set(customers), ConsentChannel.EMAIL)
    asked = set(survey.invitations.values_list("customer_id", flat=True))
    result = ConceptRun()
    for customer_id, customer in sorted(customers.items()):
        contact = contacts.get(customer_id)
        if customer_id in asked:
            result.already_asked += 1
        elif contact is None or not contact.email:
            result.without_consent.append(customer.name)
        else:
            _invite(survey, customer, contact, link)
            result.sent += 1
    return result


def _invite(survey: ConceptSurvey, customer: Any, contact: Any, link: Any) -> None:
    token = secrets.token_urlsafe(32)
    base = str(getattr(settings, "PUBLIC_BASE_URL", "")).rstrip("/")
    url = link(token) if link else base + reverse("marketing:concept_answer", args=[token])
    with transaction.atomic():
        ConceptSurveyInvitation.objects.create(
            survey=survey,
            customer=customer,
            contact=contact,
            email=contact.email,
            token=digest(token),  # the link's token itself is only in the e-mail
        )
    subject, body = _invitation_mail(survey, contact, url)
    send_mail(
        subject=subject,
        message=body,
        from_email=getattr(settings, "DEFAULT_FROM_EMAIL", None),
        recipient_list=[contact.email],
        fail_silently=False,
    )


def _invitation_mail(survey: ConceptSurvey, contact: Any, url: str) -> tuple[str, str]:
    """Subject and body in the contact's language (the survey's own text stays as written)."""
    with translation.override(language_of(contact)):
        subject = gettext("Your opinion on a new product: %(title)s") % {"title": survey.title}
        if survey.launch_date:
            launch = gettext(" (planned launch %(date)s)") % {
                "date": formats.date_format(survey.launch_date, "SHORT_DATE_FORMAT")
            }
        else:
            launch = ""
        body = gettext(
            "Dear %(name)s,\n\nbefore we launch %(title)s%(launch)s we would like your opinion "
            "as one of our key partners.\n\n%(concept)s\n\n%(question)s\n\n"
            "Answer here: %(link)s\n\nThank you."
        ) % {
            "name": contact.name,
            "title": survey.title,
            "launch": launch,
            "concept": survey.concept,
            "question": survey.question,
            "link": url,
        }
    return subject, body


def answer_concept(
    invitation: ConceptSurveyInvitation,
    *,
    interest: Any,
    would_buy: Any,
    comment: str = "",
    at: dt.datetime | None = None,
) -> ConceptSurveyInvitation:
    """Record a key account's answer (once)."""
    try:
        score = int(interest)
    except (TypeError, ValueError):
        raise CampaignError("interest: " + gettext("choose a value from 1 to 5")) from None
    if not 1 <= score <= 5:
        text = gettext("%(value)s is not between 1 and 5")
        raise CampaignError("interest: " + text % {"value": score})
    if would_buy not in ("yes", "no"):
        raise CampaignError("would_buy: " + gettext("answer yes or no"))
    with transaction.atomic():
        invitation = ConceptSurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.answered_at is not None:
            text = gettext("this survey has already been answered, thank you")
            raise CampaignError("survey: " + text)
        invitation.interest = score
        invitation.would_buy = would_buy == "yes"
        invitation.comment = comment.strip()[:2000]
        invitation.answered_at = at or timezone.now()
        invitation.save()
    return invitation


def concept_results(survey: ConceptSurvey, invitations: Any) -> dict[str, Any]:
    """Invited, answered, mean interest and share who would buy, over ``invitations``."""
    figures = invitations.filter(survey=survey).aggregate(
        invited=Count("id"),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        interest=Avg("interest"),
        buyers=Count("id", filter=Q(would_buy=True)),
    )
    answered = figures["answered"]
    figures["would_buy_share"] = figures["buyers"] / answered if answered else None
    return figures
