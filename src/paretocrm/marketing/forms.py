"""Forms of the marketing pages."""

from __future__ import annotations

from typing import ClassVar

from django import forms

from paretocrm.marketing.models import ConceptSurvey


class ConceptSurveyForm(forms.ModelForm):
    """A new product-concept survey."""

    class Meta:
        model = ConceptSurvey
        fields = ("title", "concept", "question", "launch_date", "campaign")
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "concept": forms.Textarea(attrs={"rows": 3}),
            "launch_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
