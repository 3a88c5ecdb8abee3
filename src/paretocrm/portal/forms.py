"""Forms of the portal pages (validation of what customers type; the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from paretocrm.core.masking import personal_email_for
from paretocrm.customers.models import Contact
from paretocrm.portal.choices import PortalCaseType
from paretocrm.portal.services import CONTACT_FIELDS, CUSTOMER_FIELDS
from paretocrm.sales.models import Order
from paretocrm.service.choices import SurveyKind


class CaseForm(forms.Form):
    """Raise an inquiry, complaint, return or exchange (files come from ``request.FILES``)."""

    case_type = forms.ChoiceField(label=_("What do you need?"), choices=PortalCaseType.choices)
    subject = forms.CharField(label=_("subject"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea(attrs={"rows": 6}))
    order = forms.ModelChoiceField(label=_("order"), queryset=Order.objects.none(), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the customer's own orders can be chosen (AUTHZ-4).
        field = self.fields["order"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Order.objects.visible_to(user).order_by("-ordered_at", "number")
        field.help_text = _("For a return or exchange: the order it concerns.")


class ReplyForm(forms.Form):
    """A message on an open case."""

    body = forms.CharField(label=_("message"), widget=forms.Textarea(attrs={"rows": 4}))


class SurveyForm(forms.Form):
    """One survey answer: CSAT (1-5) about a case or NPS (0-10)."""

    kind = forms.ChoiceField(choices=SurveyKind.choices, widget=forms.HiddenInput)
    case = forms.IntegerField(required=False, widget=forms.HiddenInput)
    score = forms.IntegerField(label=_("score"), min_value=0, max_value=10)
    comment = forms.CharField(
        label=_("comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DetailsForm(forms.Form):
    """The company and contact details a customer may keep up to date themselves."""

    website = forms.CharField(label=_("website"), max_length=200, required=False)
    address = forms.CharField(
        label=_("address"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    title = forms.CharField(label=_("job title"), max_length=100, required=False)
    department = forms.CharField(label=_("department"), max_length=100, required=False)
    phone = forms.CharField(label=_("phone"), max_length=32, required=False)
    mobile = forms.CharField(label=_("mobile"), max_length=32, required=False)
    email = forms.EmailField(label=_("e-mail"), required=False)
    wechat = forms.CharField(label=_("WeChat id"), max_length=64, required=False)
    # The versions the page showed, so a save over a colleague's change is refused (DUR-1).
    customer_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    contact_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def customer_changes(self) -> dict[str, Any]:
        """The cleaned customer fields."""
        return {name: self.cleaned_data[name] for name in CUSTOMER_FIELDS}

    def contact_changes(self) -> dict[str, Any]:
        """The cleaned contact fields."""
        return {name: self.cleaned_data[name] for name in CONTACT_FIELDS}


class SetPasswordForm(forms.Form):
    """Choose the portal password (the project's validators run in the service)."""

    password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Repeat the password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password1") != data.get("password2"):
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class InviteForm(forms.Form):
    """Staff: invite one of the contacts in their scope."""

    contact = forms.ModelChoiceField(label=_("contact"), queryset=Contact.objects.none())

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contact"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            Contact.objects.visible_to(user)
            .filter(is_active=True)
            .exclude(email="")
            .select_related("customer")
            .order_by("customer__name", "name")
        )
        # The picker shows the address masked to roles that see contacts masked (PRIV-5).
        field.label_from_instance = lambda c: (
            f"{c.customer.name} · {c.name} <{personal_email_for(user, c.email)}>"
        )
