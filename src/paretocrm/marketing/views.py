"""Pages of the marketing app: the campaign list and the campaign page (audience, ROI).

Views only authenticate, validate and call one service of ``marketing.services``. Members
are shown within the user's customer scope; the campaign's totals are company-wide figures
only for roles with full scope or the marketing role (campaigns are company-wide records).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from paretocrm.core.exceptions import StaleVersionError
from paretocrm.core.querysets import has_full_scope
from paretocrm.core.tokens import digest
from paretocrm.core.views import ScopedListView, posted_version, show_stale_version
from paretocrm.customers.choices import ConsentChannel
from paretocrm.customers.views import record_export, require_export, xlsx_response
from paretocrm.imports.exports import csv_lines
from paretocrm.insights.labels import rfm_segment_label
from paretocrm.marketing import concepts, services
from paretocrm.marketing.choices import ResponseType
from paretocrm.marketing.exports import AudienceExportError, audience_rows, may_run_campaigns
from paretocrm.marketing.forms import CampaignForm, ConceptSurveyForm
from paretocrm.marketing.models import (
    Campaign,
    CampaignMember,
    ConceptSurvey,
    ConceptSurveyInvitation,
    segment_label,
)
from paretocrm.users.permissions import Function, has_function


class CampaignListView(ScopedListView):
    """Campaigns (company-wide records), newest first; ``?archived=1`` lists the archive."""

    model = Campaign
    template_name = "marketing/campaign_list.html"
    search_fields = ("name", "target_segment")
    select_related = ("owner",)
    page_title = gettext_lazy("Campaigns")

    def showing_archive(self) -> bool:
        return self.request.GET.get("archived") == "1"

    def base_queryset(self) -> QuerySet[Campaign]:
        campaigns = Campaign.objects.all()
        return campaigns.archived() if self.showing_archive() else campaigns.current()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["archived"] = self.showing_archive()
        context["may_run"] = may_run_campaigns(self.request.user)
        return context


def _require_campaigns(request: HttpRequest) -> None:
    if not may_run_campaigns(request.user):
        raise PermissionDenied(_("Only marketing staff may change campaigns."))


@login_required
def campaign_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no ``pk``) or edit a campaign with ``services.create_campaign`` /
    ``update_campaign``, the services the API calls; archived campaigns do not change."""
    _require_campaigns(request)
    campaign = get_object_or_404(Campaign.objects.current(), pk=pk) if pk else None
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.CAMPAIGN_FIELDS}
        try:
            if campaign is None:
                campaign = services.create_campaign(owner=request.user, **fields)
            else:
                version = form.cleaned_data.get("version") or 0
                campaign = services.update_campaign(campaign, version=version, **fields)
        except StaleVersionError:
            show_stale_version(request, Campaign._meta.verbose_name, form=form)
        except (services.CampaignError, ValidationError) as error:
            attach_error(form, error)
        else:
            messages.success(request, _("The campaign was saved."))
            return redirect("marketing:campaign", pk=campaign.pk)
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "campaign": campaign}
    return render(request, "marketing/campaign_form.html", context, status=status)


@login_required
def campaign_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask first (GET), then archive (POST): members and results stay, the list drops it."""
    _require_campaigns(request)
    campaign = get_object_or_404(Campaign.objects.current(), pk=pk)
    if request.method != "POST":
        return render(request, "marketing/campaign_archive.html", {"campaign": campaign})
    version = posted_version(request)
    if version is None:
        return redirect("marketing:campaign_archive", pk=campaign.pk)
    try:
        services.archive_campaign(campaign, version=version)
    except StaleVersionError:
        show_stale_version(request, Campaign._meta.verbose_name)
        return redirect("marketing:campaign", pk=campaign.pk)
    messages.success(request, _("The campaign was archived."))
    return redirect("marketing:campaigns")


def attach_error(form: CampaignForm, error: services.CampaignError | ValidationError) -> None:
    """A service error on the field it names ("field: message", or a model error dict)."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return
    field, separator, text = str(error).partition(": ")
    form.add_error(field if separator and field in form.fields else None, text or str(error))


@login_required
@require_GET
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One campaign: ROI, ROI per segment, and the members the user may see."""
    campaign = get_object_or_404(Campaign, pk=pk)
    members = (
        CampaignMember.objects.visible_to(request.user)
        .filter(campaign=campaign)
        .select_related("customer", "contact")
        .order_by("customer__name", "id")
    )
    context: dict[str, Any] = {
        "campaign": campaign,
        "members": members[:500],
        "member_count": members.count(),
        "may_run": may_run_campaigns(request.user),
        "may_export": has_function(request.user, Function.EXPORT),
        "channels": ConsentChannel.choices,
        "may_edit": may_run_campaigns(request.user) and not campaign.is_archived,
        "responses": ResponseType.choices,
        "window_days": services.ATTRIBUTION_WINDOW_DAYS,
    }
    # ROI sums every member's orders: a company-wide figure for full-scope users (AUTHZ-3).
    if has_full_scope(request.user):
        by = "rfm_segment" if request.GET.get("by") == "rfm_segment" else "tier"
        segments = services.roi_by_segment(campaign, by=by)
        context.update(
            roi=services.campaign_roi(campaign),
            segments=[(_segment_label(s.segment, by), s) for s in segments],
            by=by,
        )
    return render(request, "marketing/campaign_detail.html", context)


@login_required
@require_GET
def audience_export(request: HttpRequest, pk: int, file_format: str) -> HttpResponse:
    """The campaign's send list for one channel as CSV or XLSX (see marketing.exports).

    Its own audited permission (the export function; a refusal is logged), the user's
    scope, consent in force on the channel, and the channel's address only.
    """
    require_export(request, "campaign_audience")
    campaign = get_object_or_404(Campaign, pk=pk)
    if file_format not in ("csv", "xlsx"):
        return HttpResponse(_("Unknown export format; use csv or xlsx."), status=400)
    channel = request.GET.get("channel", ConsentChannel.EMAIL)
    try:
        headers, rows = audience_rows(campaign, request.user, channel)
    except AudienceExportError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    record_export(request, "campaign_audience", file_format, target=campaign)
    filename = f"{campaign.name}-{channel}.{file_format}"
    if file_format == "xlsx":
        return xlsx_response(headers, rows, filename)
    response = StreamingHttpResponse(csv_lines(headers, rows), content_type="text/csv")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _segment_label(segment: str, by: str) -> str:
    """A tier code or an RFM segment shown by its translated name."""
    return segment_label(segment) if by == "tier" else rfm_segment_label(segment)


@login_required
@require_POST
def campaign_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Build the audience, attribute orders or record a member's response."""
    if not may_run_campaigns(request.user):
        raise PermissionDenied(_("Only marketing staff may change campaigns."))
    campaign = get_object_or_404(Campaign, pk=pk)
    # a response is recorded on a member, which has no version of its own
    version = posted_version(request) if action in ("audience", "attribute") else None
    if action in ("audience", "attribute") and version is None:
        return redirect("marketing:campaign", pk=campaign.pk)
    try:
        if action == "audience":
            channel = request.POST.get("channel") or campaign.channel
            result = services.build_audience(campaign, channel=channel, version=version)
            messages.success(
                request,
                _(
                    "%(added)d members added, %(already)d already members, %(missing)d left out "
                    "for lack of consent."
                )
                % {
                    "added": result.added,
                    "already": result.already_members,
                    "missing": len(result.without_consent),
                },
            )
        elif action == "attribute":
            window = int(request.POST.get("window_days") or services.ATTRIBUTION_WINDOW_DAYS)
            count = services.attribute_orders(campaign, window_days=window, version=version)
            messages.success(request, _("%(n)d orders attributed.") % {"n": count})
        elif action == "response":
            member = get_object_or_404(
                CampaignMember.objects.visible_to(request.user).filter(campaign=campaign),
                pk=request.POST.get("member") or 0,
            )
            services.record_response(member, request.POST.get("response_type", ""))
            messages.success(request, _("The response was recorded."))
        else:
            text = _("unknown action %(action)s") % {"action": repr(action)}
            raise services.CampaignError(f"action: {text}")
    except ValueError as error:  # CampaignError, or a window that is not a number
        messages.error(request, str(error))
    except StaleVersionError:
        show_stale_version(request, Campaign._meta.verbose_name)
    return redirect("marketing:campaign", pk=campaign.pk)


@login_required
def concept_list(request: HttpRequest) -> HttpResponse:
    """Product-concept surveys; marketing staff create one here (POST)."""
    if request.method == "POST":
        if not may_run_campaigns(request.user):
            raise PermissionDenied(_("Only marketing staff may change campaigns."))
        form = ConceptSurveyForm(request.POST)
        if form.is_valid():
            survey = form.save(commit=False)
            survey.created_by = request.user
            survey.save()
            return redirect("marketing:concept", pk=survey.pk)
    else:
        form = ConceptSurveyForm()
    surveys = ConceptSurvey.objects.all()
    context = {"surveys": surveys, "form": form, "may_run": may_run_campaigns(request.user)}
    return render(request, "marketing/concept_list.html", context)


@login_required
def concept_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One concept survey: results and answers in the user's scope; POST sends it."""
    survey = get_object_or_404(ConceptSurvey, pk=pk)
    if request.method == "POST":
        if not may_run_campaigns(request.user):
            raise PermissionDenied(_("Only marketing staff may change campaigns."))
        version = posted_version(request)
        if version is None:
            return redirect("marketing:concept", pk=survey.pk)
        try:
            result = concepts.send_concept_survey(
                survey,
                link=lambda token: request.build_absolute_uri(
                    reverse("marketing:concept_answer", args=[token])
                ),
                version=version,
            )
        except StaleVersionError:
            text = _(
                "Someone else changed this survey after you opened the page, so nothing was "
                "sent. Check the survey below and send again if still needed."
            )
            messages.error(request, text)
            return redirect("marketing:concept", pk=survey.pk)
        messages.success(
            request,
            _(
                "%(sent)d key accounts asked, %(already)d asked before, %(missing)d without "
                "e-mail consent."
            )
            % {
                "sent": result.sent,
                "already": result.already_asked,
                "missing": len(result.without_consent),
            },
        )
        return redirect("marketing:concept", pk=survey.pk)
    invitations = ConceptSurveyInvitation.objects.visible_to(request.user)
    context = {
        "survey": survey,
        "results": concepts.concept_results(survey, invitations),
        "answers": invitations.filter(survey=survey).select_related("customer", "contact"),
        "may_run": may_run_campaigns(request.user),
        "may_export": has_function(request.user, Function.EXPORT),
    }
    return render(request, "marketing/concept_detail.html", context)


def concept_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The concept question behind the e-mailed link (no sign-in: the token is the key)."""
    invitation = get_object_or_404(
        ConceptSurveyInvitation.objects.select_related("survey"), token=digest(token)
    )
    error = ""
    if request.method == "POST" and invitation.answered_at is None:
        try:
            invitation = concepts.answer_concept(
                invitation,
                interest=request.POST.get("interest"),
                would_buy=request.POST.get("would_buy"),
                comment=request.POST.get("comment", ""),
            )
        except services.CampaignError as exc:
            error = str(exc)
    context = {"invitation": invitation, "error": error, "scores": range(1, 6)}
    return render(request, "marketing/concept_answer.html", context)
