"""Invitation and sign-in flow: one-time link, expiry, password rules, throttling, sessions."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from paretocrm.core.tokens import digest
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.portal import services
from paretocrm.portal.models import PortalAccount, PortalInvitation
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db
PASSWORD = "Harbour-Lantern-5521"


@pytest.fixture
def invited() -> dict:
    cache.clear()
    kam = make_user(Role.KEY_ACCOUNT_MANAGER)
    customer = make_customer(owner=kam, name="华东果业集团")
    contact = make_contact(customer, name="Li Wei", email="Li.Wei@Example.com")
    invitation, link = services.invite_contact(contact, by=kam, base_url="http://testserver/")
    return {"kam": kam, "contact": contact, "invitation": invitation, "link": link}


def _token(link: str) -> str:
    return re.search(r"/portal/invitation/([^/]+)/", link).group(1)


def test_the_invitation_e_mail_carries_a_one_time_link_and_only_its_hash_is_stored(invited):
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["li.wei@example.com"]
    assert invited["link"] in message.body
    token = _token(invited["link"])
    assert len(token) >= 40
    stored = PortalInvitation.objects.get()
    assert token not in stored.token_hash and stored.token_hash == digest(token)


def test_accepting_sets_the_password_signs_in_and_the_link_dies(invited):
    client = Client()
    page = client.get(invited["link"])
    assert page.status_code == 200
    assert "li.wei@example.com" in page.content.decode()
    before = client.cookies.get("sessionid")
    response = client.post(invited["link"], {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    assert client.cookies["sessionid"].value != getattr(before, "value", None)
    account = PortalAccount.objects.select_related("user").get(contact=invited["contact"])
    assert account.user.role == Role.PORTAL_CUSTOMER
    assert account.user.check_password(PASSWORD)
    assert client.get("/portal/").status_code == 200
    # Single use: the same link is dead, for anyone.
    assert Client().get(invited["link"]).status_code == 404
    again = Client().post(invited["link"], {"password1": PASSWORD, "password2": PASSWORD})
    assert again.status_code == 404


def test_weak_or_mismatched_passwords_are_refused_with_the_reason(invited):
    client = Client()
    short = client.post(invited["link"], {"password1": "abc", "password2": "abc"})
    assert short.status_code == 400
    assert "too short" in short.content.decode()
    like_name = client.post(
        invited["link"], {"password1": "li.wei@example.com1", "password2": "li.wei@example.com1"}
    )
    assert "too similar" in like_name.content.decode()
    mismatch = client.post(invited["link"], {"password1": PASSWORD, "password2": PASSWORD + "x"})
    assert "not the same" in mismatch.content.decode()
    assert not PortalAccount.objects.exists()
    assert PortalInvitation.objects.get().used_at is None


def test_an_expired_invitation_does_not_work(invited):
    PortalInvitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = Client().post(invited["link"], {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 404
    assert "expired" in response.content.decode()
    assert not PortalAccount.objects.exists()


def test_a_new_invitation_resets_the_password_of_the_same_account(invited):
    Client().post(invited["link"], {"password1": PASSWORD, "password2": PASSWORD})
    _inv, link = services.invite_contact(
        invited["contact"], by=invited["kam"], base_url="http://x/"
    )
    Client().post(link, {"password1": PASSWORD + "9", "password2": PASSWORD + "9"})
    account = PortalAccount.objects.get()
    assert account.user.check_password(PASSWORD + "9")


def test_portal_sign_in_uses_the_staff_login_and_its_throttling(invited, settings):
    settings.LOGIN_MAX_FAILURES = 3
    Client().post(invited["link"], {"password1": PASSWORD, "password2": PASSWORD})
    client = Client()
    good = client.post("/login/", {"username": "li.wei@example.com", "password": PASSWORD})
    assert good.status_code == 302
    assert client.get(good["Location"], follow=True).redirect_chain[-1][0] == "/portal/"
    for _ in range(3):
        Client().post("/login/", {"username": "li.wei@example.com", "password": "wrong-pass-1"})
    locked = Client().post("/login/", {"username": "li.wei@example.com", "password": PASSWORD})
    assert locked.status_code == 200  # the same answer as a wrong password: locked


def test_a_contact_without_e_mail_cannot_be_invited():
    contact = make_contact(make_customer(), email="")
    with pytest.raises(services.PortalError, match="no e-mail"):
        services.invite_contact(contact, by=None, base_url="http://x/")


def test_staff_invite_from_the_access_page_only_contacts_in_their_scope(invited):
    other = make_contact(make_customer(owner=make_user()), email="x@example.com")
    client = Client()
    client.force_login(invited["kam"])
    refused = client.post(reverse("portal_access:list"), {"contact": other.pk})
    assert refused.status_code == 400
    ok = client.post(reverse("portal_access:list"), {"contact": invited["contact"].pk})
    assert ok.status_code == 302
    assert PortalInvitation.objects.filter(contact=invited["contact"]).count() == 2
    assert not PortalInvitation.objects.filter(contact=other).exists()


def test_closing_access_ends_the_session_at_once(invited):
    Client().post(invited["link"], {"password1": PASSWORD, "password2": PASSWORD})
    portal_client = Client()
    portal_client.post("/login/", {"username": "li.wei@example.com", "password": PASSWORD})
    assert portal_client.get("/portal/").status_code == 200
    staff = Client()
    staff.force_login(invited["kam"])
    account = PortalAccount.objects.get()
    assert staff.post(reverse("portal_access:deactivate", args=[account.pk])).status_code == 302
    assert portal_client.get("/portal/").status_code == 302  # back to sign-in


def test_priv4_erasing_a_contact_closes_the_portal_login_and_blanks_the_invitations(invited):
    """Erasure (customers.privacy) reaches the portal: no login and no copied e-mail remain."""
    from paretocrm.customers import privacy

    client = Client()
    client.post(invited["link"], {"password1": PASSWORD, "password2": PASSWORD})
    assert client.get("/portal/").status_code == 200
    account = PortalAccount.objects.select_related("user").get(contact=invited["contact"])

    privacy.erase_contact(invited["contact"], by=make_user(Role.ADMINISTRATOR))

    account.refresh_from_db()
    account.user.refresh_from_db()
    assert account.is_active is False and account.user.is_active is False
    assert "example.com" not in account.user.email + account.user.username
    assert "li wei" not in (account.user.first_name + account.user.last_name).lower()
    assert list(PortalInvitation.objects.values_list("email", flat=True)) == [""]
    assert client.get("/portal/").status_code != 200  # the open session ended at once


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("zh-hans", "您的Pareto CRM客户门户账号"),
        ("en", "Your access to the Pareto CRM customer portal"),
    ],
)
def test_the_invitation_is_in_the_recipients_language_not_the_inviting_colleagues(
    settings, language, subject
):
    from django.utils import translation

    settings.LANGUAGE_CODE = language  # contacts have no language of their own: the default
    contact = make_contact(
        make_customer(name="华东果业集团"), name="Li Wei", email="lw@example.com"
    )
    other = "zh-hant" if language == "zh-hans" else "zh-hans"

    with translation.override(other):
        services.invite_contact(contact, by=None, base_url="http://testserver/")

    assert mail.outbox[-1].subject == subject
