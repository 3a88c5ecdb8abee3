"""SLA policy pages (list, create, edit, archive) for roles with the settings function.

The pages call the same services as every other path (``service.services.save_sla_policy``
and ``archive_sla_policy``); the Django admin stays for back-office repair only.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from paretocrm.core.policy import Function, has_function
from paretocrm.service import services
from paretocrm.service.forms import SlaPolicyForm
from paretocrm.service.models import SlaPolicy


def _require_settings(request: HttpRequest) -> None:
    if not has_function(request.user, Function.SETTINGS):
        raise PermissionDenied(_("Your role may not change SLA policies."))


@login_required
@require_GET
def policy_list(request: HttpRequest) -> HttpResponse:
    """Active policies by priority and tier, then the archived ones."""
    _require_settings(request)
    policies = SlaPolicy.objects.order_by("-active", "priority", "tier", "pk")
    return render(request, "service/sla_policy_list.html", {"policies": policies})


@login_required
def policy_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create (no ``pk``) or edit a policy; open cases keep the targets they were opened with."""
    _require_settings(request)
    policy = get_object_or_404(SlaPolicy, pk=pk, active=True) if pk else None
    initial = {name: getattr(policy, name) for name in services.SLA_POLICY_FIELDS} if policy else {}
    form = SlaPolicyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_sla_policy(policy, **form.cleaned_data)
        except ValidationError as error:
            _attach(form, error)
        else:
            messages.success(request, _("The SLA policy was saved."))
            return redirect("service:sla_policies")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "policy": policy}
    return render(request, "service/sla_policy_form.html", context, status=status)


@login_required
@require_POST
def policy_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Archive a policy: new cases of its priority and tier fall back to the default."""
    _require_settings(request)
    policy = get_object_or_404(SlaPolicy, pk=pk, active=True)
    services.archive_sla_policy(policy)
    messages.success(request, _("The SLA policy was archived."))
    return redirect("service:sla_policies")


def _attach(form: SlaPolicyForm, error: ValidationError) -> None:
    """Put the model's errors on the form field they name (constraint errors on the form)."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
