"""Forms of the marketing pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from paretocrm.insights.labels import RFM_SEGMENT_LABELS, behaviour_segment_label
from paretocrm.marketing.models import Campaign, ConceptSurvey
from paretocrm.marketing.services import CAMPAIGN_FIELDS, CampaignError, check_dates

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def segment_choices() -> list[tuple[str, Any]]:
    """The segments the analysis knows: the RFM segments and the current behaviour segments."""
    from paretocrm.insights.models import CustomerScore

    behaviour = (
        CustomerScore.objects.current()
        .exclude(segment="")
        .values_list("segment", flat=True)
        .distinct()
        .order_by("segment")
    )
    rfm = [(name, label) for name, label in RFM_SEGMENT_LABELS.items()]
    choices: list[tuple[str, Any]] = [("", _("every segment"))]
    choices.append((_("RFM segment"), rfm))
    named = [
        (name, behaviour_segment_label(name))
        for name in behaviour
        if name not in RFM_SEGMENT_LABELS
    ]
    if named:
        choices.append((_("behaviour segment"), named))
    return choices


class CampaignForm(forms.ModelForm):
    """Create or edit a campaign: audience (tier and/or segment), channel, budget, dates.

    ``version`` travels hidden so a save over someone else's change is refused (DUR-1).
    The rules themselves are the model's (checked again by ``marketing.services``); the
    form only puts each error on the field it is about.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
    target_segment = forms.ChoiceField(label=_("target segment"), required=False)

    class Meta:
        model = Campaign
        fields = CAMPAIGN_FIELDS
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "start_date": DATE,
            "end_date": DATE,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = segment_choices()
        stored = self.instance.target_segment if self.instance.pk else ""
        known = {value for _group, options in choices[1:] for value, _label in options}
        if stored and stored not in known:  # a segment set through the API: keep it choosable
            choices.append((stored, self.instance.target_segment_label))
        self.fields["target_segment"].choices = choices
        tiers = list(self.fields["target_tier"].choices)[1:]
        self.fields["target_tier"].choices = [("", _("every tier")), *tiers]
        for name in ("budget", "cost"):  # on the field, before the model's table-wide check
            self.fields[name].validators.append(MinValueValidator(Decimal(0)))
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean(self) -> dict[str, Any]:
        """Dates in order, reported on the end date (the model's own message)."""
        data = super().clean()
        try:
            check_dates(data.get("start_date"), data.get("end_date"))
        except CampaignError as error:
            self.add_error("end_date", str(error).partition(": ")[2])
        return data


class ConceptSurveyForm(forms.ModelForm):
    """A new product-concept survey (tied, optionally, to a campaign not archived)."""

    class Meta:
        model = ConceptSurvey
        fields = ("title", "concept", "question", "launch_date", "campaign")
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "concept": forms.Textarea(attrs={"rows": 3}),
            "launch_date": DATE,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.current()
