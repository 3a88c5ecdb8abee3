"""API views of the customers app (scope through ``visible_to``, see core.api.views)."""

from __future__ import annotations

from paretocrm.core.api.views import ScopedModelViewSet
from paretocrm.customers.api.serializers import (
    AccountPlanSerializer,
    ContactSerializer,
    CustomerSerializer,
    InteractionSerializer,
)
from paretocrm.customers.filtersets import CustomerFilterSet
from paretocrm.customers.models import AccountPlan, Contact, Customer, Interaction


class CustomerViewSet(ScopedModelViewSet):
    """Customers the user may see; a new customer is owned by its creator."""

    model = Customer
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    search_fields = ("name", "code")
    ordering_fields = ("name", "code", "created_at", "updated_at", "industry", "region")
    list_prefetch_related = ("tags",)
    stamp_user_fields = ("owner",)

    def perform_create(self, serializer: CustomerSerializer) -> None:
        """Owner and team are the creator's: ownership moves only by transfer."""
        serializer.save(owner=self.request.user, team=getattr(self.request.user, "team", None))


class ContactViewSet(ScopedModelViewSet):
    """Contacts of visible customers (personal fields masked by role)."""

    model = Contact
    serializer_class = ContactSerializer
    filterset_fields = ("customer", "buying_role", "is_active")
    search_fields = ("name", "title", "department")
    ordering_fields = ("name", "influence", "relationship_strength", "created_at")


class InteractionViewSet(ScopedModelViewSet):
    """Interactions with visible customers; the author is the requesting user."""

    model = Interaction
    serializer_class = InteractionSerializer
    filterset_fields = ("customer", "kind", "user")
    search_fields = ("subject", "notes")
    ordering_fields = ("occurred_at", "created_at")
    list_prefetch_related = ("contacts",)
    stamp_user_fields = ("user",)


class AccountPlanViewSet(ScopedModelViewSet):
    """Account plans of visible customers."""

    model = AccountPlan
    serializer_class = AccountPlanSerializer
    filterset_fields = ("customer", "status", "owner")
    search_fields = ("title",)
    ordering_fields = ("period_start", "period_end", "review_date", "title")
    list_prefetch_related = ("goals", "actions")
    stamp_user_fields = ("owner",)
