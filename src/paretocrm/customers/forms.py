"""Forms of the customer pages."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from paretocrm.core.masking import mask_free_text, may_see_personal_data
from paretocrm.customers.choices import AccountTeamRole
from paretocrm.customers.models import Customer, Interaction


class CustomerForm(forms.ModelForm):
    """Edit a customer's master data.

    Protected fields (owner, team, credit limit, status, version) are not editable here
    (QUALITY.md AUTHZ-8): the owner changes through the transfer service. ``version`` travels
    as a hidden field so a save can detect that someone else changed the record meanwhile.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = Customer
        fields = (
            "name",
            "industry",
            "region",
            "country",
            "scale",
            "scope",
            "cooperation_level",
            "credit_rating",
            "channel",
            "industry_influence",
            "cooperation_intent",
            "price_sensitivity",
            "currency",
            "website",
            "address",
            "notes",
        )
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "address": forms.Textarea(attrs={"rows": 2}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version
        self._protect_personal_notes(user)
        for name in ("industry_influence", "cooperation_intent", "price_sensitivity"):
            self.fields[name].widget.attrs.update(min=1, max=5)
            self.fields[name].help_text = _("1 (low) to 5 (high)")

    def _protect_personal_notes(self, user: Any) -> None:
        """Notes holding phone, e-mail or ID numbers: masked and read-only without unmasking.

        A role that sees contacts masked sees them masked here too (PRIV-5); editing the
        masked text would overwrite the stored numbers with stars, so the field is locked
        and :meth:`clean_notes` keeps the stored text.
        """
        stored = self.instance.notes if self.instance.pk else ""
        self.notes_locked = bool(
            user is not None
            and not may_see_personal_data(user)
            and mask_free_text(stored) != stored
        )
        if self.notes_locked:
            field = self.fields["notes"]
            field.disabled = True
            field.help_text = _(
                "The notes hold personal data, shown masked for your role; "
                "a colleague who may see it can edit them."
            )
            self.initial["notes"] = mask_free_text(stored)

    def clean_notes(self) -> str:
        """The stored notes when they are locked, else what was typed."""
        if self.notes_locked:
            return str(self.instance.notes)
        return str(self.cleaned_data.get("notes") or "")

    def clean_country(self) -> str:
        """Country codes are stored upper-case (ISO 3166-1 alpha-2)."""
        return (self.cleaned_data.get("country") or "").upper()

    def clean_currency(self) -> str:
        """Currency codes are stored upper-case (ISO 4217)."""
        return (self.cleaned_data.get("currency") or "").upper()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name in ("industry_influence", "cooperation_intent", "price_sensitivity"):
            value = cleaned.get(name)
            if value is not None and not 1 <= value <= 5:
                self.add_error(name, _("Enter a number from 1 to 5."))
        return cleaned


class InteractionForm(forms.ModelForm):
    """Log a call, visit, e-mail, meeting or message on the customer 360 page."""

    class Meta:
        model = Interaction
        fields = ("kind", "occurred_at", "subject", "notes")
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "occurred_at": forms.DateTimeInput(attrs={"type": "datetime-local"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }


class AccountTeamMemberForm(forms.Form):
    """Add a colleague to a customer's account team (or change their role in it).

    The choices are the assignee rule's (``User.objects.assignable_for``): active staff who
    may see the customer; ``customers.services.add_account_team_member`` checks it again.
    """

    user = forms.ModelChoiceField(label=_("team member"), queryset=None)  # type: ignore[arg-type]
    role = forms.ChoiceField(label=_("role in the account"), choices=AccountTeamRole.choices)

    def __init__(self, *args: Any, customer: Customer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = get_user_model().objects.assignable_for(customer.pk)
        self.fields["user"].queryset = people.order_by("last_name", "first_name", "username")
        self.fields["user"].label_from_instance = lambda u: u.get_full_name() or u.username
