"""Querysets of the portal app: every row inherits the scope of its customer."""

from __future__ import annotations

from typing import Self

from django.utils import timezone

from paretocrm.customers.querysets import CustomerScopedQuerySet


class PortalAccountQuerySet(CustomerScopedQuerySet):
    """Portal accounts (scope of the contact's customer)."""

    customer_path = "contact__customer"


class PortalInvitationQuerySet(CustomerScopedQuerySet):
    """Invitations (scope of the contact's customer)."""

    customer_path = "contact__customer"

    def usable(self) -> Self:
        """Invitations not used yet and not expired."""
        return self.filter(used_at__isnull=True, expires_at__gt=timezone.now())


class CaseReplyQuerySet(CustomerScopedQuerySet):
    """Replies on cases (scope of the case's customer)."""

    customer_path = "case__customer"


class CaseAttachmentQuerySet(CustomerScopedQuerySet):
    """Case attachments (scope of the case's customer)."""

    customer_path = "case__customer"


class InboundMessageQuerySet(CustomerScopedQuerySet):
    """Inbound e-mail; rows without a customer (triage) are seen by full-scope users only."""
