"""Secrets are never logged (issue 14 finding 5, QUALITY.md AUD-4, AUTHN-2).

The invitation link opens a portal account: the default mail backend of development and the
demo must not print it, and no log line (a 404 on a used link, the server's request line)
may carry it.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from paretocrm import settings as project_settings
from paretocrm.core.tokens import RedactSecretsFilter
from paretocrm.customers.tests.factories import make_contact, make_customer, make_user
from paretocrm.portal import services
from paretocrm.users.choices import Role

pytestmark = pytest.mark.django_db


def test_aud4_the_default_mail_backend_and_the_logs_never_show_an_invitation_link(
    settings: Any, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cache.clear()
    # The test runner swaps in the in-memory backend; use the one the project sets up.
    settings.EMAIL_BACKEND = project_settings.EMAIL_BACKEND
    links: list[str] = []
    real_invite = services.invite_contact

    def invite(*args: Any, **kwargs: Any) -> tuple[Any, str]:
        invitation, link = real_invite(*args, **kwargs)
        links.append(link)
        return invitation, link

    monkeypatch.setattr(services, "invite_contact", invite)
    # The configured log handler (settings.LOGGING) writes to this test's captured stderr.
    (handler,) = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    ]
    assert isinstance(handler, logging.StreamHandler)
    monkeypatch.setattr(handler, "stream", sys.stderr)
    kam = make_user(Role.KEY_ACCOUNT_MANAGER)
    contact = make_contact(make_customer(owner=kam), name="Li Wei", email="li.wei@example.com")
    staff = Client()
    staff.force_login(kam)
    response = staff.post(reverse("portal_access:list"), {"contact": contact.pk})
    assert response.status_code == 302
    (link,) = links
    token = link.rstrip("/").rsplit("/", 1)[1]
    # A used or unknown link is a 404 that Django logs with its path; the server logs the
    # request line of every request.
    password = "Harbour-Lantern-5521"
    assert Client().post(link, {"password1": password, "password2": password}).status_code == 302
    assert Client().get(link).status_code == 404
    logging.getLogger("django.server").warning('"GET %s HTTP/1.1" 404 10', link)
    out, err = capfd.readouterr()
    assert "li.wei@example.com" in out  # the mail was printed ...
    assert "/portal/invitation/" in out  # ... with its link ...
    assert token not in out + err  # ... but never the secret
    assert "Not Found" in err  # the 404 was logged, without the token


def test_aud4_a_real_mail_still_carries_the_link(settings: Any) -> None:
    """Only what is printed or logged is redacted, never the message that is sent."""
    cache.clear()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    kam = make_user(Role.KEY_ACCOUNT_MANAGER)
    contact = make_contact(make_customer(owner=kam), email="li.wei@example.com")
    _invitation, link = services.invite_contact(contact, by=kam, base_url="http://testserver/")
    assert link in mail.outbox[-1].body
