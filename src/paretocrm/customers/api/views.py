"""API views of the customers app (scope through ``visible_to``, see core.api.views)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from paretocrm.audit.choices import ChangeChannel, SecurityEventKind
from paretocrm.audit.context import audit_context
from paretocrm.audit.services import record_event
from paretocrm.core.api.concurrency import PreconditionFailed, etag_for
from paretocrm.core.api.permissions import StaffPermission
from paretocrm.core.api.views import ScopedModelViewSet, refusal, with_etag
from paretocrm.core.exceptions import StaleVersionError
from paretocrm.customers import privacy, services
from paretocrm.customers.api.serializers import (
    AccountPlanSerializer,
    AccountTeamMemberSerializer,
    ContactSerializer,
    CustomerMergeResultSerializer,
    CustomerMergeSerializer,
    CustomerSerializer,
    InteractionSerializer,
    UnmaskedContactSerializer,
)
from paretocrm.customers.filtersets import CustomerFilterSet
from paretocrm.customers.merging import MergeError, merge_customers
from paretocrm.customers.models import (
    AccountPlan,
    AccountTeamMember,
    Contact,
    Customer,
    Interaction,
)
from paretocrm.users.permissions import Function, require_function
from paretocrm.work import plans


class CustomerViewSet(ScopedModelViewSet):
    """Customers the user may see; a new customer is owned by its creator."""

    model = Customer
    serializer_class = CustomerSerializer
    filterset_class = CustomerFilterSet
    search_fields = ("name", "code")
    ordering_fields = ("name", "code", "created_at", "updated_at", "industry", "region")
    list_prefetch_related = ("tags",)
    stamp_user_fields = ("owner",)
    if_match_actions = ("merge",)

    def perform_create(self, serializer: CustomerSerializer) -> None:
        """Owner and team are the creator's: ownership moves only by transfer."""
        serializer.save(owner=self.request.user, team=getattr(self.request.user, "team", None))

    def get_queryset(self) -> Any:
        """A merged customer stays readable by id but leaves the list (``merged_into``)."""
        queryset = super().get_queryset()
        return queryset.not_merged() if self.action == "list" else queryset

    @extend_schema(request=CustomerMergeSerializer, responses=CustomerMergeResultSerializer)
    @action(detail=True, methods=["post"], permission_classes=[StaffPermission])
    def merge(self, request: Request, pk: Any = None) -> Response:
        """Merge the customer ``drop`` into this one (``customers.merging``, as on the page).

        Both must be in scope (404 otherwise) and the caller needs the edit-accounts function
        (403). If-Match names this customer's version (428 without, 412 when it changed);
        ``drop_version`` may name the dropped one's (412 when it changed).
        """
        keep = self.get_object()
        body = CustomerMergeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        drop = get_object_or_404(
            Customer.objects.visible_to(request.user), pk=body.validated_data["drop"]
        )
        require_function(request.user, Function.EDIT_ACCOUNTS, what="merge customers")
        try:
            with transaction.atomic(), audit_context(ChangeChannel.API, request.user):
                self.check_version(keep)
                result = merge_customers(
                    keep,
                    drop,
                    by=request.user,
                    version_keep=None,
                    version_drop=body.validated_data.get("drop_version"),
                )
        except StaleVersionError as stale:
            raise PreconditionFailed() from stale
        except MergeError as refused:
            field, _sep, text = str(refused).partition(": ")
            raise ValidationError({field: [text]}) from refused
        data = {
            "customer": self.get_serializer(result.keep).data,
            "merged": result.drop.pk,
            "moved": result.moved,
            "left": result.left,
        }
        response = Response(data)
        response["ETag"] = etag_for(result.keep.version)
        return response


class ContactViewSet(ScopedModelViewSet):
    """Contacts of visible customers (personal fields masked by role)."""

    model = Contact
    serializer_class = ContactSerializer
    filterset_fields = ("customer", "buying_role", "is_active")
    search_fields = ("name", "title", "department")
    ordering_fields = ("name", "influence", "relationship_strength", "created_at")
    if_match_actions = ("erase",)

    # The personal-data actions refuse portal users first (StaffPermission, as every staff
    # route does), then check their own function (view unmasked, export all, erase) after the
    # scoped lookup: out of scope is 404, in scope without the right 403.
    @extend_schema(request=None, responses=UnmaskedContactSerializer)
    @action(detail=True, methods=["post"], permission_classes=[StaffPermission])
    def unmask(self, request: Request, pk: Any = None) -> Response:
        """The full phone, mobile, e-mail and WeChat id: a logged action (PRIV-5)."""
        contact = self.get_object()
        values = privacy.unmask_contact(contact, request.user)
        return Response(UnmaskedContactSerializer({"id": contact.pk, **values}).data)

    @extend_schema(responses=OpenApiTypes.OBJECT)
    @action(
        detail=True,
        methods=["get"],
        url_path="personal-data",
        url_name="personal-data",
        permission_classes=[StaffPermission],
    )
    def personal_data(self, request: Request, pk: Any = None) -> Response:
        """Everything held on this person, table by table (PRIV-3); an audited export."""
        contact = self.get_object()
        privacy.require_personal_data_export(request.user)
        record_event(
            SecurityEventKind.EXPORT,
            actor=request.user,
            target=contact,
            detail={"kind": "personal_data", "format": "json"},
        )
        return Response(privacy.personal_data(contact))

    @extend_schema(request=None, responses=ContactSerializer)
    @action(detail=True, methods=["post"], permission_classes=[StaffPermission])
    def erase(self, request: Request, pk: Any = None) -> Response:
        """Erase this person by anonymisation (PRIV-4); orders and totals stay.

        A write like any other (DUR-1): the client names the version it read in If-Match
        (428 without, 412 when the person changed since), checked after the erase function
        so that a role without it learns nothing but 403.
        """
        contact = self.get_object()
        privacy.require_erase(request.user)
        with transaction.atomic(), audit_context(ChangeChannel.API, request.user):
            self.check_version(contact)
            privacy.erase_contact(contact, by=request.user)
        return with_etag(Response(self.get_serializer(contact).data), Contact)


class InteractionViewSet(ScopedModelViewSet):
    """Interactions with visible customers; the author is the requesting user."""

    model = Interaction
    serializer_class = InteractionSerializer
    filterset_fields = ("customer", "kind", "user")
    search_fields = ("subject", "notes")
    ordering_fields = ("occurred_at", "created_at")
    list_prefetch_related = ("contacts",)
    stamp_user_fields = ("user",)


class AccountTeamMemberViewSet(ScopedModelViewSet):
    """Account teams of visible customers, changed through ``customers.services`` (the same
    service as the 360 page): only active staff who may see the customer join (assignee
    rule); the customer of a membership never changes, its role does."""

    model = AccountTeamMember
    serializer_class = AccountTeamMemberSerializer
    filterset_fields = ("customer", "user", "role")
    ordering_fields = ("created_at", "role")
    list_select_related = ("customer", "user")

    def perform_create(self, serializer: AccountTeamMemberSerializer) -> None:
        """Add (or re-role) a member with ``services.add_account_team_member``."""
        data = serializer.validated_data
        serializer.instance = self._add(data["customer"], data["user"], data.get("role", ""))

    def perform_update(self, serializer: AccountTeamMemberSerializer) -> None:
        """Only the role changes; another customer or person is a new membership."""
        member, data = serializer.instance, serializer.validated_data
        for name in ("customer", "user"):
            if name in data and data[name] != getattr(member, name):
                raise ValidationError({name: [_("create a new membership instead")]})
        serializer.instance = self._add(member.customer, member.user, data.get("role", member.role))

    def perform_destroy(self, instance: AccountTeamMember) -> None:
        """Take the colleague out of the account team."""
        services.remove_account_team_member(instance)

    @staticmethod
    def _add(customer: Customer, user: Any, role: str) -> AccountTeamMember:
        try:
            return services.add_account_team_member(customer, user, role or "sales")
        except services.AccountTeamError as error:
            raise refusal(error) from error


class AccountPlanViewSet(ScopedModelViewSet):
    """Account plans of visible customers, written through the plan service (``work.plans``).

    The same service as the pages, so the same rules: a plan only for a core or key customer
    of the current analysis, dates in order, and a plan stays with its customer.
    """

    model = AccountPlan
    serializer_class = AccountPlanSerializer
    filterset_fields = ("customer", "status", "owner")
    search_fields = ("title",)
    ordering_fields = ("period_start", "period_end", "review_date", "title")
    list_prefetch_related = ("goals", "actions")
    stamp_user_fields = ("owner",)

    def perform_create(self, serializer: AccountPlanSerializer) -> None:
        """Create with ``plans.create_plan``; the owner is the requesting user."""
        fields = dict(serializer.validated_data)
        customer = fields.pop("customer")
        try:
            serializer.instance = plans.create_plan(
                customer=customer, owner=self.request.user, **fields
            )
        except (plans.PlanError, DjangoValidationError) as error:
            raise refusal(error) from error

    def perform_update(self, serializer: AccountPlanSerializer) -> None:
        """Change with ``plans.update_plan`` under If-Match (the customer cannot change)."""
        fields = dict(serializer.validated_data)
        if fields.get("customer") == serializer.instance.customer:
            del fields["customer"]  # a PUT repeats it: not a change
        with transaction.atomic():
            self.check_version(serializer.instance)
            try:
                serializer.instance = plans.update_plan(
                    serializer.instance, version=serializer.instance.version, **fields
                )
            except (plans.PlanError, DjangoValidationError) as error:
                raise refusal(error) from error
