"""Customer pages: the list (filters, sorting, search, export) and the customer 360 view.

Every queryset starts from ``Customer.objects.visible_to(request.user)``; a customer outside
the user's scope is a 404, exactly like one that does not exist.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, FilteredRelation, Q, QuerySet
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    JsonResponse,
    QueryDict,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View
from django.views.generic import DetailView, ListView, UpdateView

from paretocrm.audit.choices import ChangeChannel, SecurityEventKind
from paretocrm.audit.context import audit_context
from paretocrm.audit.services import record_event
from paretocrm.core.exceptions import StaleVersionError
from paretocrm.core.paging import CountFromPaginator
from paretocrm.core.views import posted_version, show_stale_version
from paretocrm.customers import privacy, profile
from paretocrm.customers.filtersets import CustomerFilterSet
from paretocrm.customers.forms import AccountTeamMemberForm, CustomerForm, InteractionForm
from paretocrm.customers.models import AccountTeamMember, Contact, Customer, SavedView
from paretocrm.customers.services import (
    AccountTeamError,
    add_account_team_member,
    log_interaction,
    remove_account_team_member,
    save_view,
)
from paretocrm.imports.exports import csv_lines, export_rows, write_xlsx
from paretocrm.insights.models import ScoreRun
from paretocrm.insights.querysets import readable_scores
from paretocrm.users.permissions import Function, has_function, require_function

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Sort keys the list accepts (anything else falls back to the name).
SORTS = {
    "name": ("name", "code"),
    "-name": ("-name", "-code"),
    "code": ("code",),
    "-code": ("-code",),
    "rating": ("score_rating", "name"),
    "-rating": ("-score_rating", "name"),
    "revenue": ("score_revenue", "name"),
    "-revenue": ("-score_revenue", "name"),
    "p_alive": ("score_p_alive", "name"),
    "-p_alive": ("-score_p_alive", "name"),
    "health": ("score_health", "name"),
    "-health": ("-score_health", "name"),
}


def may_export(user: Any) -> bool:
    """True when the user's role may export lists (the role x function table decides).

    For showing export buttons only; the export itself checks with :func:`require_export`.
    """
    return has_function(user, Function.EXPORT)


def require_export(request: HttpRequest, kind: str) -> None:
    """The one permission check of every list export (EXP-2), made before anything is read.

    The export function of the role table; a refusal is a logged denied access naming the
    export (AUD-3) and answers 403, whether or not the record asked for exists.
    """
    require_function(request.user, Function.EXPORT, what=kind)


def record_export(request: HttpRequest, kind: str, file_format: str, target: Any = None) -> None:
    """Every export is a security event (QUALITY.md EXP-2, AUD-3): who, what, which filter."""
    record_event(
        SecurityEventKind.EXPORT,
        actor=request.user,
        target=target,
        detail={"kind": kind, "format": file_format, "filter": request.GET.urlencode()[:500]},
    )


def with_current_score(queryset: QuerySet[Customer]) -> QuerySet[Customer]:
    """Annotate each customer with its current tier, rating, revenue, P(alive), health and
    stage."""
    # One LEFT JOIN on the (run, customer) unique key instead of a correlated subquery per
    # field: PostgreSQL ran six subqueries for every row up to OFFSET + page (B7).
    run = ScoreRun.objects.current()
    current = FilteredRelation(
        "scores", condition=Q(scores__run_id=run.pk if run else None) & readable_scores()
    )
    fields = ("tier", "rating", "revenue", "p_alive", "health", "lifecycle_stage", "churn_risk")
    return queryset.annotate(current_score=current).annotate(
        **{f"score_{name}": F(f"current_score__{name}") for name in fields}
    )


def filtered_customers(request: HttpRequest) -> tuple[CustomerFilterSet, QuerySet[Customer]]:
    """The filter set bound to the request and the scoped, filtered customers."""
    scoped = Customer.objects.visible_to(request.user).not_merged()
    filterset = CustomerFilterSet(request.GET or None, queryset=scoped)
    owners = Customer.objects.owners_visible_to(request.user).order_by("username")
    filterset.form.fields["owner"].queryset = owners
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else scoped
    return filterset, queryset


class CustomerListView(LoginRequiredMixin, ListView):
    """Customers the user may see: filters, sorting, search, pagination, htmx refresh."""

    template_name = "customers/customer_list.html"
    paginate_by = PAGE_SIZE

    def get_template_names(self) -> list[str]:
        if getattr(self.request, "htmx", False) and not self.request.htmx.boosted:
            return ["customers/_customer_results.html"]
        return [self.template_name]

    def get_queryset(self) -> QuerySet[Customer]:
        self.filterset, self.filtered = filtered_customers(self.request)
        sort = self.request.GET.get("sort", "name")
        self.sort = sort if sort in SORTS else "name"
        return with_current_score(self.filtered).select_related("owner").order_by(*SORTS[self.sort])

    def get_paginator(self, queryset: QuerySet[Customer], per_page: int, **kwargs: Any) -> Any:
        """Count the filtered customers without the score join the page rows need."""
        return CountFromPaginator(queryset, per_page, count_from=self.filtered, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            filterset=self.filterset,
            sort=self.sort,
            may_export=may_export(self.request.user),
            saved_views=list(
                SavedView.objects.available_to(self.request.user).select_related("user")
            ),
            view_query=view_query(self.request.GET),
        )
        return context


def view_query(params: Any) -> str:
    """The list parameters worth saving in a view (filters and sort; never the page)."""
    keep = set(CustomerFilterSet.base_filters) | {"sort"}
    kept = params.copy()
    for key in list(kept):
        if key not in keep or not any(kept.getlist(key)):
            del kept[key]
    return str(kept.urlencode())


class SaveViewView(LoginRequiredMixin, View):
    """Save the list's current filters and sort under a name (POST from the list page)."""

    def post(self, request: HttpRequest) -> HttpResponse:
        # htmx includes the filter form's current fields (hx-include); without JavaScript
        # the hidden ``query`` holds the parameters the page was rendered with.
        posted = view_query(request.POST)
        query = QueryDict(posted if posted else request.POST.get("query", ""))
        try:
            view = save_view(
                request.user,
                request.POST.get("name", ""),
                view_query(query),
                shared=request.POST.get("shared") == "on",
            )
        except ValueError:
            messages.error(request, _("Give the view a name."))
            return redirect(f"{reverse('customers:list')}?{view_query(query)}")
        messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
        target = f"{reverse('customers:list')}?{view.query}"
        if getattr(request, "htmx", False):
            return HttpResponse(status=204, headers={"HX-Redirect": target})
        return redirect(target)


class DeleteViewView(LoginRequiredMixin, View):
    """Delete one of the user's own saved views (shared views of others are not theirs)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        view = get_object_or_404(SavedView, pk=pk, user=request.user)
        view.delete()
        messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
        return redirect("customers:list")


class CustomerExportView(LoginRequiredMixin, View):
    """The filtered customer list as CSV (streamed) or XLSX, formula-safe (EXP-1)."""

    def get(self, request: HttpRequest, file_format: str) -> HttpResponse:
        require_export(request, "customers")
        if file_format not in ("csv", "xlsx"):
            return HttpResponse(_("Unknown export format; use csv or xlsx."), status=400)
        _filterset, queryset = filtered_customers(request)
        queryset = queryset.select_related("parent", "owner").order_by("code")
        record_export(request, "customers", file_format)
        headers, rows = export_rows("customers", queryset, user=request.user, labelled=True)
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        # "customers" alone reads 客户数 (a count column) in the main catalogue.
        filename = f"{pgettext('export file name', 'customers')}-{stamp}.{file_format}"
        if file_format == "csv":
            response = StreamingHttpResponse(
                csv_lines(headers, rows), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = content_disposition_header(True, filename)
            return response
        return xlsx_response(headers, rows, filename)


def xlsx_response(headers: list[str], rows: Any, filename: str) -> FileResponse:
    """Write rows to a temporary XLSX file and send it (the file goes when it is closed)."""
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
    write_xlsx(Path(handle.name), headers, rows)
    handle.seek(0)
    return FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type=XLSX,
    )


class CustomerDetailView(LoginRequiredMixin, DetailView):
    """The customer 360 view: profile, contacts, timeline, value panel and account plan."""

    template_name = "customers/customer_detail.html"
    context_object_name = "customer"

    def get_queryset(self) -> QuerySet[Customer]:
        return Customer.objects.visible_to(self.request.user).select_related(
            "owner", "team", "parent"
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(profile.customer_360(self.object, self.request.user))
        context["may_edit"] = has_function(self.request.user, Function.EDIT_ACCOUNTS)
        context.setdefault("interaction_form", InteractionForm(initial={"kind": "call"}))
        if context["may_edit"]:
            context.setdefault("team_form", AccountTeamMemberForm(customer=self.object))
        context.update(contact_permissions(self.request.user))
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Log an interaction (roles that may change customers only; 404 outside scope)."""
        self.object = self.get_object()
        if not has_function(request.user, Function.EDIT_ACCOUNTS):
            raise PermissionDenied(_("Your role may not change customers."))
        form = InteractionForm(request.POST)
        if form.is_valid():
            log_interaction(self.object, user=request.user, **form.cleaned_data)
            messages.success(request, _("The interaction was logged."))
            return redirect(f"{reverse('customers:detail', args=[pk])}#timeline")
        context = self.get_context_data(object=self.object, interaction_form=form)
        return self.render_to_response(context, status=400)


class AccountTeamAddView(CustomerDetailView):
    """Add a colleague to the account team, or change their role in it (POST only)."""

    http_method_names = ("post",)  # type: ignore[assignment]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Through ``services.add_account_team_member``; a refused person is a form error."""
        self.object = self.get_object()
        if not has_function(request.user, Function.EDIT_ACCOUNTS):
            raise PermissionDenied(_("Your role may not change customers."))
        form = AccountTeamMemberForm(request.POST, customer=self.object)
        if form.is_valid():
            data = form.cleaned_data
            try:
                add_account_team_member(self.object, data["user"], data["role"])
            except AccountTeamError as error:
                field, _sep, text = str(error).partition(": ")
                form.add_error(field if field in form.fields else None, text)
            else:
                messages.success(request, _("The account team was updated."))
                return redirect(f"{reverse('customers:detail', args=[pk])}#account-team")
        context = self.get_context_data(object=self.object, team_form=form)
        return self.render_to_response(context, status=400)


class AccountTeamRemoveView(LoginRequiredMixin, View):
    """Take a colleague out of the account team (POST only; 404 outside the user's scope)."""

    http_method_names = ("post",)  # type: ignore[assignment]

    def post(self, request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
        customer = get_object_or_404(Customer.objects.visible_to(request.user), pk=pk)
        if not has_function(request.user, Function.EDIT_ACCOUNTS):
            raise PermissionDenied(_("Your role may not change customers."))
        member = get_object_or_404(AccountTeamMember, customer=customer, pk=member_pk)
        remove_account_team_member(member)
        messages.success(request, _("The account team was updated."))
        return redirect(f"{reverse('customers:detail', args=[pk])}#account-team")


class CustomerEditView(LoginRequiredMixin, UpdateView):
    """Edit a customer; a save based on an outdated version shows a conflict instead."""

    template_name = "customers/customer_form.html"
    form_class = CustomerForm
    context_object_name = "customer"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not has_function(request.user, Function.EDIT_ACCOUNTS):
            raise PermissionDenied(_("Your role may not change customers."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Customer]:
        return Customer.objects.visible_to(self.request.user)

    def get_form_kwargs(self) -> dict[str, Any]:
        """The user decides whether personal data in the notes is shown (PRIV-5)."""
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form: CustomerForm) -> HttpResponse:
        with transaction.atomic():
            stored = Customer.objects.select_for_update().get(pk=self.object.pk)
            if stored.version != form.cleaned_data["version"]:
                show_stale_version(self.request, Customer._meta.verbose_name, form=form)
                return self.render_to_response(self.get_context_data(form=form, conflict=True))
            form.instance.version = stored.version
            form.save()
        messages.success(self.request, _("The customer was saved."))
        return redirect("customers:detail", pk=self.object.pk)


def _contact_in_scope(request: HttpRequest, pk: int) -> Contact:
    """The contact ``pk`` if the user may see its customer, else 404 (no leak)."""
    contact = Contact.objects.visible_to(request.user).filter(pk=pk).first()
    if contact is None:
        raise Http404(_("No such contact."))
    return contact


def contact_permissions(user: Any) -> dict[str, bool]:
    """Which personal-data actions the 360 page offers ``user`` (the role table decides)."""
    return {
        "may_unmask": has_function(user, Function.VIEW_UNMASKED),
        "may_export_person": has_function(user, Function.EXPORT_ALL),
        "may_erase": has_function(user, Function.ERASE),
    }


class ContactUnmaskView(LoginRequiredMixin, View):
    """Show one contact's full phone and e-mail: an explicit, logged action (PRIV-5).

    The one unmask action of the web pages: the 360 page swaps in the contact's row,
    ``show=phone`` answers only the phone cell (for lists such as the call lists).
    """

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = _contact_in_scope(request, pk)
        contact.visible = privacy.unmask_contact(contact, request.user)
        if request.POST.get("show") == "phone":
            # Pages listing many people (call lists) swap in just the phone cell.
            return render(request, "customers/_contact_phone.html", {"c": contact})
        context = {"c": contact, "unmasked": True, **contact_permissions(request.user)}
        return render(request, "customers/_contact_row.html", context)


class ContactPersonalDataView(LoginRequiredMixin, View):
    """Everything held on one person as JSON or XLSX (PRIV-3); an audited export."""

    def get(self, request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
        privacy.require_personal_data_export(request.user)
        contact = _contact_in_scope(request, pk)
        if file_format not in ("json", "xlsx"):
            return HttpResponse(_("Unknown export format; use json or xlsx."), status=400)
        record_event(
            SecurityEventKind.EXPORT,
            actor=request.user,
            target=contact,
            detail={"kind": "personal_data", "format": file_format},
        )
        data = privacy.personal_data(contact)
        filename = f"{_('personal data')}-{contact.pk}.{file_format}"
        if file_format == "json":
            response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
            response["Content-Disposition"] = content_disposition_header(True, filename)
            return response
        handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - closed by the response
        privacy.write_personal_data_xlsx(data, Path(handle.name))
        handle.seek(0)
        return FileResponse(handle, as_attachment=True, filename=filename, content_type=XLSX)


class ContactEraseView(LoginRequiredMixin, View):
    """Erase one person by anonymisation (PRIV-4), then back to the customer."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contact = _contact_in_scope(request, pk)
        version = posted_version(request)
        if version is None:
            return redirect("customers:detail", pk=contact.customer_id)
        try:
            with audit_context(ChangeChannel.WEB, request.user):
                privacy.erase_contact(
                    contact,
                    by=request.user,
                    version=version,
                    confirm_name=request.POST.get("confirm_name", ""),
                )
        except privacy.ErasureNotConfirmed as refused:
            messages.error(request, str(refused))
        except StaleVersionError:
            messages.error(
                request,
                _(
                    "Someone else changed this contact after you opened the page, so nothing "
                    "was erased. Check the contact below and erase again if still needed."
                ),
            )
        else:
            messages.success(request, _("The contact's personal data was erased."))
        return redirect("customers:detail", pk=contact.customer_id)
