"""Staff pages of the portal (/portal-access/): who has access, invitations, customer
messages and files, and the triage queue of inbound e-mail from unknown senders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from paretocrm.core.masking import personal_email_for
from paretocrm.core.policy import is_staff_member
from paretocrm.portal import services
from paretocrm.portal.choices import InboundStatus
from paretocrm.portal.forms import InviteForm
from paretocrm.portal.models import CaseReply, InboundMessage, PortalAccount, PortalInvitation
from paretocrm.portal.views import AttachmentDownloadView
from paretocrm.users.permissions import Function, has_function


def may_invite(user: Any) -> bool:
    """True when the role policy lets ``user`` give customers portal access (or close it)."""
    return has_function(user, Function.INVITE_PORTAL)


def require_invite(user: Any) -> None:
    """The standard 403 (``PermissionDenied``) for a role without the invitation function."""
    if not may_invite(user):
        raise PermissionDenied(_("Your role may not give customers portal access."))


class StaffMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Staff only (the boundary middleware already keeps portal users out)."""

    request: HttpRequest

    def test_func(self) -> bool:
        return is_staff_member(self.request.user)


class PortalAccessView(StaffMixin, TemplateView):
    """Portal accounts and invitations of the customers in the user's scope; invite."""

    template_name = "portal/staff/access.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.setdefault("form", InviteForm(user=user))
        context.update(
            may_invite=may_invite(user),
            accounts=PortalAccount.objects.visible_to(user).select_related(
                "user", "contact__customer"
            )[:200],
            invitations=PortalInvitation.objects.visible_to(user).select_related(
                "contact__customer"
            )[:50],
            replies=CaseReply.objects.visible_to(user)
            .select_related("case__customer", "contact")
            .prefetch_related("attachments")
            .order_by("-created_at", "-id")[:30],
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        require_invite(request.user)
        form = InviteForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                invitation, _link = services.invite_contact(
                    form.cleaned_data["contact"],
                    by=request.user,
                    base_url=request.build_absolute_uri("/"),
                )
            except ValidationError as error:
                form.add_error("contact", error)
            else:
                email = personal_email_for(request.user, invitation.email)  # PRIV-5
                messages.success(request, _("Invitation sent to %(email)s.") % {"email": email})
                return redirect("portal_access:list")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DeactivateView(StaffMixin, View):
    """Close one portal login in scope (POST)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        require_invite(request.user)
        account = get_object_or_404(PortalAccount.objects.visible_to(request.user), pk=pk)
        services.deactivate_portal_account(account, by=request.user)
        messages.success(
            request, _("Portal access closed for %(name)s.") % {"name": account.contact}
        )
        return redirect("portal_access:list")


class StaffAttachmentView(StaffMixin, AttachmentDownloadView):
    """Staff route to a customer's file (same scope rule: 404 outside it)."""


class TriageView(StaffMixin, TemplateView):
    """Inbound e-mail from unknown senders (full-scope users see the unmatched ones)."""

    template_name = "portal/staff/triage.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["inbound"] = (
            InboundMessage.objects.visible_to(self.request.user)
            .filter(status=InboundStatus.TRIAGE)
            .select_related("customer")[:200]
        )
        context["may_dismiss"] = has_function(self.request.user, Function.EDIT_SERVICE)
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        # Dismissing a customer's e-mail is service work (AUTHZ-6): read-only roles may not.
        if not has_function(request.user, Function.EDIT_SERVICE):
            raise PermissionDenied(_("Your role may not dismiss inbound e-mail."))
        message = get_object_or_404(
            InboundMessage.objects.visible_to(request.user).filter(status=InboundStatus.TRIAGE),
            pk=request.POST.get("pk") or 0,
        )
        services.dismiss_inbound(message)
        messages.success(request, _("E-mail dismissed."))
        return redirect("portal_access:triage")
