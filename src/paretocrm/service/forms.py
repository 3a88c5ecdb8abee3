"""Forms of the service pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from paretocrm.core.choices import CustomerTier
from paretocrm.service.choices import CasePriority, CaseType


class NewCaseForm(forms.Form):
    """Open a case for a customer (by code); returns and exchanges name the order."""

    customer_code = forms.CharField(label=_("customer code"), max_length=64)
    case_type = forms.ChoiceField(label=_("type"), choices=CaseType.choices)
    priority = forms.ChoiceField(
        label=_("priority"), choices=CasePriority.choices, initial=CasePriority.NORMAL
    )
    subject = forms.CharField(label=_("subject"), max_length=200)
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    order_number = forms.CharField(
        label=_("order number"),
        max_length=64,
        required=False,
        help_text=_("Required for returns and exchanges."),
    )


class SlaPolicyForm(forms.Form):
    """Response and resolution targets for a priority and (optionally) a customer tier."""

    priority = forms.ChoiceField(label=_("priority"), choices=CasePriority.choices)
    tier = forms.ChoiceField(
        label=_("customer tier"),
        choices=[("", _("every tier without its own policy")), *CustomerTier.choices],
        required=False,
    )
    first_response_hours = forms.IntegerField(
        label=_("first response within (hours)"), min_value=1, max_value=24 * 90
    )
    resolution_hours = forms.IntegerField(
        label=_("resolution within (hours)"), min_value=1, max_value=24 * 365
    )
