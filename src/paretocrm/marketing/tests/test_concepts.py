"""Product-concept surveys: sent to consenting key accounts, answered once, results by hand."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from paretocrm.core.tokens import digest
from paretocrm.customers.services import record_consent
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.insights.tests.snapshots import make_run, make_score
from paretocrm.marketing import concepts
from paretocrm.marketing.models import ConceptSurvey, ConceptSurveyInvitation
from paretocrm.marketing.services import CampaignError

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts():
    run = make_run()
    made = {}
    for name, tier, consent in (
        ("Core A", "core", True),
        ("Key B", "key", True),
        ("Key silent", "key", False),
        ("Ordinary C", "ordinary", True),
    ):
        customer = make_customer(name=name)
        make_score(run, customer, tier=tier)
        contact = make_contact(customer, email=f"buyer@{customer.code}.example", influence=4)
        record_consent(contact, "email", granted=consent, source="form")
        made[name] = customer
    return made


def survey() -> ConceptSurvey:
    return ConceptSurvey.objects.create(
        title="Frozen durian", concept="Flash-frozen durian for export.", question="Would it sell?"
    )


def test_concept_goes_to_consenting_key_accounts_once(accounts):
    frozen = survey()
    result = concepts.send_concept_survey(frozen)
    assert (result.sent, result.already_asked, result.without_consent) == (2, 0, ["Key silent"])
    asked = set(frozen.invitations.values_list("customer__name", flat=True))
    assert asked == {"Core A", "Key B"}  # the ordinary customer is not a key account
    assert len(mail.outbox) == 2 and "Frozen durian" in mail.outbox[0].subject
    again = concepts.send_concept_survey(frozen)
    assert (again.sent, again.already_asked) == (0, 2)


def test_answers_are_collected_once_and_summarised_by_hand(accounts):
    frozen = survey()
    concepts.send_concept_survey(frozen)
    a, b = frozen.invitations.order_by("customer__name")
    concepts.answer_concept(a, interest="5", would_buy="yes", comment="Ship samples")
    concepts.answer_concept(b, interest=2, would_buy="no")
    with pytest.raises(CampaignError, match="already been answered"):
        concepts.answer_concept(a, interest=1, would_buy="no")
    with pytest.raises(CampaignError, match=r"^interest"):
        concepts.answer_concept(b, interest=7, would_buy="no")
    results = concepts.concept_results(frozen, ConceptSurveyInvitation.objects.all())
    # mean interest (5 + 2) / 2 = 3.5; one of two would buy
    assert (results["invited"], results["answered"]) == (2, 2)
    assert results["interest"] == pytest.approx(3.5)
    assert results["would_buy_share"] == pytest.approx(0.5)


def test_answer_page_without_login_and_marketing_pages(client, accounts):
    frozen = survey()
    concepts.send_concept_survey(frozen)
    invitation = frozen.invitations.order_by("customer__name").first()
    # The link is only in the e-mail; the database holds its digest (AUTHN-2).
    link = next(m.body for m in mail.outbox if m.to == [invitation.email])
    prefix = reverse("marketing:concept_answer", args=["x"])[: -len("x/")]
    path = re.search(re.escape(prefix) + r"[^/\s]+/", link).group(0)
    assert invitation.token == digest(path.rstrip("/").rsplit("/", 1)[1])
    url = path
    assert "Would it sell?" in client.get(url).content.decode()
    page = client.post(url, {"interest": "4", "would_buy": "yes"}).content.decode()
    assert "Thank you" in page
    invitation.refresh_from_db()
    assert (invitation.interest, invitation.would_buy) == (4, True)
    client.force_login(make_user(role="marketing"))
    created = client.post(
        reverse("marketing:concepts"),
        {"title": "Dried mango", "concept": "Sugar-free", "question": "Interested?"},
    )
    mango = ConceptSurvey.objects.get(title="Dried mango")
    assert created["Location"] == reverse("marketing:concept", args=[mango.pk])
    client.post(reverse("marketing:concept", args=[mango.pk]), {"version": mango.version})
    assert mango.invitations.count() == 2
    client.force_login(make_user(role="administrator"))
    detail = client.get(reverse("marketing:concept", args=[frozen.pk])).content.decode()
    assert "Core A" in detail and "4.0" in detail
    client.force_login(make_user(role="sales_rep"))
    assert client.post(reverse("marketing:concept", args=[frozen.pk])).status_code == 403


def test_the_concept_mail_is_in_the_recipients_language_not_the_senders(accounts, settings):
    import datetime as dt

    from django.utils import translation

    settings.LANGUAGE_CODE = "zh-hant"  # contacts have no language of their own: the default
    frozen = survey()
    frozen.launch_date = dt.date(2026, 6, 1)
    frozen.save()

    with translation.override("en"):  # the marketer's page is in English
        concepts.send_concept_survey(frozen)

    message = mail.outbox[0]
    assert message.subject == "誠邀您評價新產品：Frozen durian"
    assert "在推出Frozen durian（計畫於 2026年6月1日 上市）之前" in message.body
    assert "Flash-frozen durian for export." in message.body  # the survey's own text as written


def _marketer_on_the_survey_page(client) -> tuple[ConceptSurvey, str]:
    frozen = survey()
    client.force_login(make_user(role="marketing"))
    return frozen, reverse("marketing:concept", args=[frozen.pk])


def test_dur1_send_button_carries_the_version_it_was_shown(accounts, client):
    frozen, url = _marketer_on_the_survey_page(client)
    assert f'name="version" value="{frozen.version}"' in client.get(url).content.decode()


def test_dur1_send_from_an_outdated_page_sends_nothing(accounts, client):
    frozen, url = _marketer_on_the_survey_page(client)
    shown = frozen.version
    frozen.question = "Would you stock it?"  # a colleague rewords the survey meanwhile
    frozen.save()

    answer = client.post(url, {"version": shown}, follow=True)

    assert "Someone else changed this survey" in answer.content.decode()
    assert not frozen.invitations.exists() and not mail.outbox


def test_dur1_send_without_a_version_is_refused(accounts, client):
    frozen, url = _marketer_on_the_survey_page(client)
    answer = client.post(url, follow=True)
    assert "version: the page did not say" in answer.content.decode()
    assert not frozen.invitations.exists() and not mail.outbox


def test_dur1_send_at_the_current_version_sends(accounts, client):
    frozen, url = _marketer_on_the_survey_page(client)
    client.post(url, {"version": frozen.version})
    assert frozen.invitations.count() == 2 and len(mail.outbox) == 2
