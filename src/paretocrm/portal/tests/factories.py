"""Test helpers of the portal: a portal user for a customer, and sample files."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from paretocrm.customers.models import Contact, Customer
from paretocrm.customers.tests.factories import make_contact
from paretocrm.portal.models import PortalAccount
from paretocrm.users.choices import Role
from paretocrm.users.models import User

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def make_portal_user(customer: Customer, contact: Contact | None = None, **fields: Any) -> User:
    """A portal login for a (new) contact of ``customer``."""
    contact = contact or make_contact(customer, email=f"buyer{customer.pk}@example.com")
    fields.setdefault("username", contact.email or f"portal{contact.pk}")
    user = User.objects.create(role=Role.PORTAL_CUSTOMER, **fields)
    PortalAccount.objects.create(user=user, contact=contact)
    return user


def client_for(user: User, language: str = "en") -> Client:
    """A signed-in test client."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def pdf_file(name: str = "photo-of-damage.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    """A small, genuine-looking PDF upload."""
    return SimpleUploadedFile(name, data, content_type="application/pdf")
