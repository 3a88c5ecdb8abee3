"""Pages of the service app: the case list (SLA filter), the case page and its actions.

Views only authenticate, scope (``Case.objects.visible_to``), validate and call one
service of ``service.services``. The survey answer page is the one page a customer opens
without signing in: its random token is the key, and it shows nothing but the question.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from paretocrm.core.exceptions import StaleVersionError
from paretocrm.core.policy import Function, has_function
from paretocrm.core.tokens import digest
from paretocrm.core.views import (
    ScopedListView,
    posted_user,
    posted_version,
    show_domain_error,
    show_stale_version,
)
from paretocrm.customers.models import Customer
from paretocrm.knowledge.models import Article
from paretocrm.knowledge.services import search_articles, suggest_articles
from paretocrm.sales.models import Order
from paretocrm.service import services, sla
from paretocrm.service.choices import CASE_TRANSITIONS, CareKind, CaseStatus, SlaState
from paretocrm.service.forms import NewCaseForm
from paretocrm.service.models import Case, SurveyInvitation


class CaseListView(ScopedListView):
    """Service cases the user may see, newest first, filtered by status and SLA state."""

    model = Case
    template_name = "service/case_list.html"
    search_fields = ("number", "subject", "customer__name", "customer__code")
    select_related = ("customer", "assigned_to")
    page_title = gettext_lazy("Service cases")

    def get_queryset(self) -> QuerySet[Case]:
        queryset = super().get_queryset()
        status = self.request.GET.get("status", "")
        if status in CaseStatus.values:
            queryset = queryset.filter(status=status)
        state = self.request.GET.get("sla", "")
        if state in SlaState.values:
            queryset = queryset.with_sla_state(state, timezone.now())
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            statuses=CaseStatus.choices,
            sla_states=SlaState.choices,
            status=self.request.GET.get("status", ""),
            sla=self.request.GET.get("sla", ""),
        )
        return context


def _case_for(request: HttpRequest, pk: int) -> Case:
    queryset = Case.objects.visible_to(request.user).select_related(
        "customer", "contact", "order", "assigned_to", "escalated_to"
    )
    return get_object_or_404(queryset, pk=pk)


def _require_edit(request: HttpRequest) -> None:
    if not has_function(request.user, Function.EDIT_SERVICE):
        raise PermissionDenied(_("Your role may not change service cases."))


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One case: SLA clocks, the workflow actions, care records, survey and history."""
    case = _case_for(request, pk)
    users = get_user_model().objects
    now = timezone.now()
    invitation = SurveyInvitation.objects.filter(case=case).select_related("response").first()
    context = {
        "case": case,
        "clocks": sla.clocks(case, now),
        "next_statuses": [
            (value, label)
            for value, label in CaseStatus.choices
            if value in CASE_TRANSITIONS[case.status]
        ],
        "events": case.events.select_related("by").order_by("at", "id"),
        "care_records": case.care_records.select_related("user").order_by("-occurred_at"),
        "care_kinds": CareKind.choices,
        "invitation": invitation,
        # Who may take the case (any service agent) / see it when escalated: active staff.
        "colleagues": users.assignees_for([case.customer_id], via_case=True)[case.customer_id],
        "escalation_targets": users.assignees_for([case.customer_id])[case.customer_id],
        "may_edit": has_function(request.user, Function.EDIT_SERVICE),
        "may_manage_sla": has_function(request.user, Function.SETTINGS),
        **_knowledge_for(request, case),
    }
    return render(request, "service/case_detail.html", context)


def _knowledge_for(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Articles linked to the case, suggested by its text, and found by ``?kq=``."""
    linked = list(case.articles.readable_by(request.user).select_related("category"))
    linked_ids = {article.pk for article in linked}
    text = f"{case.subject}\n{case.description}"
    suggested = [a for a in suggest_articles(text) if a.pk not in linked_ids]
    term = request.GET.get("kq", "").strip()
    found = []
    if term:
        readable = Article.objects.readable_by(request.user).published()
        found = list(
            readable.filter(pk__in=search_articles(term).values("pk")).exclude(pk__in=linked_ids)[
                :10
            ]
        )
    return {
        "linked_articles": linked,
        "suggested_articles": suggested,
        "found_articles": found,
        "kq": term,
    }


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Move the case on, assign it, escalate it or add a care record (POST from the page)."""
    _require_edit(request)
    case = _case_for(request, pk)
    version = posted_version(request)
    if version is None:
        return redirect("service:case", pk=case.pk)
    note = request.POST.get("note", "")
    try:
        if action == "status":
            to = request.POST.get("to", "")
            services.transition_case(case, to, by=request.user, note=note, version=version)
        elif action == "escalate":
            target = posted_user(request, "to")
            services.escalate_case(case, target, note=note, version=version)
        elif action == "assign":
            target = posted_user(request, "to")
            services.assign_case(case, target, by=request.user, version=version)
        elif action == "link_article":
            article = Article.objects.filter(pk=_posted_id(request, "article")).first()
            services.link_article(case, article, by=request.user, version=version)
        elif action == "unlink_article":
            article = Article.objects.filter(pk=_posted_id(request, "article")).first()
            services.unlink_article(case, article, version=version)
        elif action == "care":
            services.add_care_record(
                customer=case.customer,
                user=request.user,
                case=case,
                case_version=version,
                kind=request.POST.get("kind", ""),
                notes=request.POST.get("notes", ""),
                cost=request.POST.get("cost") or None,
            )
        else:
            text = _("unknown action %(action)s") % {"action": repr(action)}
            raise services.CaseError(f"action: {text}")
    except services.CaseError as error:
        show_domain_error(request, error)
    except ValidationError as error:
        messages.error(request, "; ".join(_flatten(error)))
    except StaleVersionError:
        show_stale_version(request, Case._meta.verbose_name)
    else:
        messages.success(request, _("The case was updated."))
    return redirect("service:case", pk=case.pk)


@login_required
def new_case(request: HttpRequest) -> HttpResponse:
    """Open a case (SLA from priority and the customer's tier); returns name their order."""
    _require_edit(request)
    initial = {"customer_code": request.GET.get("customer", "")}
    form = NewCaseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        customer = (
            Customer.objects.visible_to(request.user).filter(code=data["customer_code"]).first()
        )
        order = None
        if customer is not None and data["order_number"]:
            order = Order.objects.filter(customer=customer, number=data["order_number"]).first()
        try:
            if customer is None:
                text = _("no customer %(code)s") % {"code": repr(data["customer_code"])}
                raise services.CaseError(f"customer_code: {text}")
            if data["order_number"] and order is None:
                text = _("%(customer)s has no order %(number)s") % {
                    "customer": customer.name,
                    "number": repr(data["order_number"]),
                }
                raise services.CaseError(f"order_number: {text}")
            case = services.open_case(
                by=request.user,
                number=f"CS{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}",
                customer=customer,
                case_type=data["case_type"],
                priority=data["priority"],
                subject=data["subject"],
                description=data["description"],
                order=order,
                assigned_to=request.user,
            )
        except services.CaseError as error:
            form.add_error(None, str(error))
        except ValidationError as error:
            form.add_error(None, "; ".join(_flatten(error)))
        else:
            messages.success(request, _("The case was opened."))
            return redirect("service:case", pk=case.pk)
    return render(request, "service/case_new.html", {"form": form})


def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The satisfaction question behind the e-mailed link (no sign-in: the token is the key)."""
    invitation = get_object_or_404(
        SurveyInvitation.objects.select_related("case", "customer"), token=digest(token)
    )
    error = ""
    if request.method == "POST" and invitation.response_id is None:
        try:
            services.answer_survey(
                invitation, score=request.POST.get("score"), comment=request.POST.get("comment", "")
            )
        except services.CaseError as exc:
            error = str(exc)
        else:
            invitation.refresh_from_db()
    context = {"invitation": invitation, "error": error, "scores": range(1, 6)}
    return render(request, "service/survey_answer.html", context)


def _posted_id(request: HttpRequest, name: str) -> int | None:
    value = request.POST.get(name, "").strip()
    return int(value) if value.isdigit() else None


def _flatten(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items()]
    return list(error.messages)
