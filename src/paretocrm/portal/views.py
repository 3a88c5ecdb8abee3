"""Pages of the customer portal: what a signed-in contact sees of their own customer.

Every row comes from ``Model.objects.visible_to(request.user)`` (the portal scope is one
customer), so another customer's id answers 404 on every page and download. The views
only parse and render; the services decide and write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from paretocrm.knowledge.models import Article
from paretocrm.knowledge.services import search_articles
from paretocrm.portal import services
from paretocrm.portal.forms import CaseForm, DetailsForm, ReplyForm, SetPasswordForm, SurveyForm
from paretocrm.portal.models import CaseAttachment
from paretocrm.portal.validators import ALLOWED_TYPES, max_bytes
from paretocrm.sales.choices import InvoiceStatus, OrderStatus
from paretocrm.sales.models import Invoice, Order, Payment
from paretocrm.service.models import Case

OPEN_ORDER_STATUSES = (OrderStatus.CONFIRMED, OrderStatus.SHIPPED)
#: The delivery steps an order passes through, shown as a progress bar.
DELIVERY_STEPS = (
    OrderStatus.CONFIRMED,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
)


class PortalMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Portal pages: anonymous users sign in; staff get 403 (they have their own pages)."""

    request: HttpRequest

    def test_func(self) -> bool:
        return services.has_portal_access(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)  # type: ignore[misc]
        context["customer"] = services.portal_customer(self.request.user)
        return context


class ScopedPortalList(PortalMixin, ListView):
    """A list of one customer-owned model through ``visible_to``."""

    paginate_by = 25

    def get_queryset(self) -> QuerySet[Any]:
        return self.model._default_manager.visible_to(self.request.user)


def invoices_with_balance(user: Any) -> QuerySet[Invoice]:
    """The customer's issued invoices with paid and outstanding amounts as of today."""
    return (
        Invoice.objects.visible_to(user)
        .exclude(status__in=[InvoiceStatus.DRAFT, InvoiceStatus.CANCELLED])
        .with_receivable(timezone.localdate())
        .order_by("-issued_on", "-id")
    )


class OverviewView(PortalMixin, TemplateView):
    """Open orders, invoices due and overdue, open cases, surveys waiting."""

    template_name = "portal/overview.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        due = invoices_with_balance(user).filter(outstanding__gt=0)
        context.update(
            open_orders=Order.objects.visible_to(user)
            .filter(status__in=OPEN_ORDER_STATUSES)
            .with_totals()
            .order_by("-ordered_at")[:10],
            invoices_due=due.order_by("due_on", "id")[:10],
            overdue_count=due.filter(due_on__lt=today).count(),
            open_cases=Case.objects.visible_to(user).open().order_by("-opened_at")[:10],
            surveys=len(services.surveys_due(user)),
            today=today,
        )
        return context


class OrderListView(ScopedPortalList):
    """The customer's orders with totals and delivery status."""

    model = Order
    template_name = "portal/order_list.html"

    def get_queryset(self) -> QuerySet[Any]:
        orders = super().get_queryset().exclude(status=OrderStatus.DRAFT).with_totals()
        return orders.order_by("-ordered_at", "number")


class OrderDetailView(PortalMixin, DetailView):
    """One order with its lines."""

    template_name = "portal/order_detail.html"
    context_object_name = "order"

    def get_queryset(self) -> QuerySet[Any]:
        return Order.objects.visible_to(self.request.user).exclude(status=OrderStatus.DRAFT)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["lines"] = self.object.lines.with_totals().select_related("product")
        context["steps"] = [(s, OrderStatus(s).label) for s in DELIVERY_STEPS]
        reached = self.object.status
        context["done_steps"] = (
            DELIVERY_STEPS[: DELIVERY_STEPS.index(reached) + 1] if reached in DELIVERY_STEPS else ()
        )
        context["invoices"] = invoices_with_balance(self.request.user).filter(order=self.object)
        return context


class InvoiceListView(ScopedPortalList):
    """Invoices with what is paid and still owed."""

    model = Invoice
    template_name = "portal/invoice_list.html"

    def get_queryset(self) -> QuerySet[Any]:
        return invoices_with_balance(self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        return context


class InvoiceDetailView(PortalMixin, DetailView):
    """One invoice and its payments; the page prints as a clean document (save as PDF)."""

    template_name = "portal/invoice_detail.html"
    context_object_name = "invoice"

    def get_queryset(self) -> QuerySet[Any]:
        return invoices_with_balance(self.request.user).select_related("order")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["payments"] = (
            Payment.objects.visible_to(self.request.user)
            .filter(invoice=self.object)
            .order_by("received_on", "id")
        )
        context["company_name"] = services.company_name()
        return context


class CaseListView(ScopedPortalList):
    """The customer's cases, open first."""

    model = Case
    template_name = "portal/case_list.html"

    def get_queryset(self) -> QuerySet[Any]:
        return super().get_queryset().order_by("resolved_at", "-opened_at")


class CaseCreateView(PortalMixin, TemplateView):
    """Raise an inquiry, complaint, return or exchange, with attachments."""

    template_name = "portal/case_form.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", CaseForm(user=self.request.user))
        context["accept"] = ",".join(sorted(ALLOWED_TYPES))
        context["max_bytes"] = max_bytes()
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = CaseForm(request.POST, user=request.user)
        if form.is_valid():
            order = form.cleaned_data["order"]
            new = services.NewCase(
                case_type=form.cleaned_data["case_type"],
                subject=form.cleaned_data["subject"],
                description=form.cleaned_data["description"],
                order_id=order.pk if order else None,
            )
            try:
                case = services.raise_case(request.user, new, request.FILES.getlist("files"))
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Thank you. Your case %(n)s is open.") % {"n": case.number}
                )
                return redirect("portal:case", pk=case.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CaseDetailView(PortalMixin, DetailView):
    """A case: status, SLA due times, the conversation and files; reply while open."""

    template_name = "portal/case_detail.html"
    context_object_name = "case"

    def get_queryset(self) -> QuerySet[Any]:
        return Case.objects.visible_to(self.request.user).select_related("order")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.setdefault("form", ReplyForm())
        context["replies"] = self.object.replies.select_related("contact").prefetch_related(
            "attachments"
        )
        context["case_files"] = self.object.attachments.filter(reply__isnull=True)
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.object = self.get_object()
        form = ReplyForm(request.POST)
        if form.is_valid():
            try:
                services.reply_to_case(
                    request.user, pk, form.cleaned_data["body"], request.FILES.getlist("files")
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Your message was added to the case."))
                return redirect("portal:case", pk=pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AttachmentDownloadView(LoginRequiredMixin, View):
    """Download an attachment the user may see (portal user or staff): 404 otherwise."""

    def get(self, request: HttpRequest, pk: int) -> FileResponse:
        attachment = get_object_or_404(CaseAttachment.objects.visible_to(request.user), pk=pk)
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as missing:
            raise Http404("The file is no longer stored.") from missing
        return FileResponse(
            handle,
            as_attachment=True,
            filename=attachment.original_name,
            content_type=attachment.content_type,
        )


class PortalAttachmentView(PortalMixin, AttachmentDownloadView):
    """The portal's route to the same download."""


class SurveyView(PortalMixin, TemplateView):
    """Surveys waiting for an answer; one form per survey."""

    template_name = "portal/surveys.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["surveys"] = services.surveys_due(self.request.user)
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = SurveyForm(request.POST)
        if form.is_valid():
            try:
                services.answer_survey(
                    request.user,
                    kind=form.cleaned_data["kind"],
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                    case_id=form.cleaned_data["case"],
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                messages.success(request, _("Thank you for your answer."))
                return redirect("portal:surveys")
        else:
            messages.error(request, _("Score: choose a number on the scale."))
        return self.render_to_response(self.get_context_data(), status=400)


class KnowledgeView(PortalMixin, ListView):
    """Public, published articles; ``?q=`` uses the knowledge app's Chinese-aware search."""

    template_name = "portal/knowledge.html"
    paginate_by = 20

    def get_queryset(self) -> QuerySet[Any]:
        term = self.request.GET.get("q", "").strip()
        readable = Article.objects.readable_by(self.request.user)
        if term:
            return search_articles(term, public_only=True).filter(pk__in=readable.values("pk"))
        return readable.order_by("title", "id")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["q"] = self.request.GET.get("q", "")
        return context


class ArticleView(PortalMixin, DetailView):
    """One public article (a staff-only article answers 404)."""

    template_name = "portal/article.html"
    context_object_name = "article"

    def get_queryset(self) -> QuerySet[Any]:
        return Article.objects.readable_by(self.request.user)


class DetailsView(PortalMixin, TemplateView):
    """Company and contact details the customer keeps up to date (history: channel portal)."""

    template_name = "portal/details.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        contact = services.portal_contact(self.request.user)
        initial = {name: getattr(context["customer"], name) for name in services.CUSTOMER_FIELDS}
        initial |= {name: getattr(contact, name) for name in services.CONTACT_FIELDS}
        initial |= {
            "customer_version": context["customer"].version,
            "contact_version": contact.version,
        }
        context.setdefault("form", DetailsForm(initial=initial))
        context["contact"] = contact
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        form = DetailsForm(request.POST)
        if form.is_valid():
            try:
                changed = services.update_details(
                    request.user,
                    customer_changes=form.customer_changes(),
                    contact_changes=form.contact_changes(),
                    versions=(
                        form.cleaned_data["customer_version"],
                        form.cleaned_data["contact_version"],
                    ),
                )
            except services.DetailsConflict as conflict:
                # A fresh form with the current details; the message asks to redo the changes.
                messages.error(request, str(conflict))
                return redirect("portal:details")
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if changed:
                    messages.success(request, _("Your details were saved. Thank you."))
                else:
                    messages.info(request, _("Nothing was changed."))
                return redirect("portal:details")
        return self.render_to_response(self.get_context_data(form=form), status=400)


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """Open to anonymous visitors: the one-time link, then the chosen password signs in."""
    invitation = services.usable_invitation(token)
    if invitation is None:
        return render(request, "portal/invitation_invalid.html", status=404)
    form = SetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.accept_invitation(token, form.cleaned_data["password1"])
        except ValidationError as error:
            form.add_error("password1", error)
        else:
            # login() gives the session a new id (AUTHN-4), like the staff sign-in.
            login(request, user, backend="paretocrm.users.backends.ThrottledModelBackend")
            return redirect("portal:overview")
    context = {"form": form, "invitation": invitation}
    return render(request, "portal/invitation.html", context, status=400 if form.errors else 200)
