"""Forms of the insights pages: criteria weights and the AHP pairwise comparison form."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import combinations
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from paretocrm.insights.health import SIGNAL_LABELS
from paretocrm.insights.labels import CRITERION_LABELS, label

MIN_AHP_CRITERIA = 3
#: Saaty's 1-9 scale as choices: "3" = left moderately more important, "1/3" = right.
SCALE_CHOICES: list[tuple[str, Any]] = [
    ("1/9", _("right: extremely more important (1/9)")),
    ("1/7", _("right: very strongly more important (1/7)")),
    ("1/5", _("right: strongly more important (1/5)")),
    ("1/3", _("right: moderately more important (1/3)")),
    ("1", _("equally important (1)")),
    ("3", _("left: moderately more important (3)")),
    ("5", _("left: strongly more important (5)")),
    ("7", _("left: very strongly more important (7)")),
    ("9", _("left: extremely more important (9)")),
]


def _value(text: str) -> float:
    if "/" in text:
        numerator, denominator = text.split("/")
        return float(numerator) / float(denominator)
    return float(text)


class AHPForm(forms.Form):
    """One select per pair of the chosen criteria, on Saaty's scale."""

    def __init__(self, *args: Any, criteria: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.pairs = list(combinations(criteria, 2))
        for left, right in self.pairs:
            self.fields[f"{left}__{right}"] = forms.ChoiceField(
                choices=SCALE_CHOICES,
                initial="1",
                label=f"{label(CRITERION_LABELS, left)} ↔ {label(CRITERION_LABELS, right)}",
            )

    def pair_fields(self) -> list[tuple[str, str, forms.BoundField]]:
        """(left label, right label, field) per pair, for the template."""
        return [
            (label(CRITERION_LABELS, a), label(CRITERION_LABELS, b), self[f"{a}__{b}"])
            for a, b in self.pairs
        ]

    def judgements(self) -> dict[tuple[str, str], float]:
        """The cleaned judgements as ``{(left, right): value}``."""
        return {(a, b): _value(self.cleaned_data[f"{a}__{b}"]) for a, b in self.pairs}


class WeightsForm(forms.Form):
    """One number per rating criterion (any non-negative scale; only ratios matter), or per
    account health signal when given those ``labels``."""

    note = forms.CharField(label=_("note"), max_length=200, required=False)
    none_weighted = _("At least one criterion needs a weight above 0.")

    def __init__(
        self,
        *args: Any,
        initial_weights: dict[str, float],
        labels: Mapping[str, Any] = CRITERION_LABELS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.codes = list(labels)
        for code in self.codes:
            self.fields[f"w_{code}"] = forms.DecimalField(
                label=label(labels, code),
                min_value=0,
                max_value=1000,
                max_digits=7,
                decimal_places=2,
                initial=round(initial_weights.get(code, 0.0), 2),
            )

    def weight_fields(self) -> list[forms.BoundField]:
        """The weight inputs in criterion order, for the template."""
        return [self[f"w_{code}"] for code in self.codes]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not any(cleaned.get(f"w_{c}") for c in self.codes):
            raise forms.ValidationError(self.none_weighted)
        return cleaned

    def weights(self) -> dict[str, float]:
        """The cleaned weights as ``{criterion: weight}``."""
        return {code: float(self.cleaned_data[f"w_{code}"]) for code in self.codes}


class HealthWeightsForm(WeightsForm):
    """One number per account health signal (prefix ``health``, beside the rating form)."""

    prefix = "health"
    none_weighted = _("At least one signal needs a weight above 0.")

    def __init__(self, *args: Any, initial_weights: dict[str, float], **kwargs: Any) -> None:
        super().__init__(*args, initial_weights=initial_weights, labels=SIGNAL_LABELS, **kwargs)
