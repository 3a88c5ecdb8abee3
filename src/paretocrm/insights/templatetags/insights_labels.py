"""Template tags naming snapshot codes (tier, stage, RFM segment, run step) for the reader."""

from django import template
from django.utils.formats import number_format

from paretocrm.insights import labels

register = template.Library()


@register.simple_tag
def tier_label(code: str) -> str:
    """The translated tier name."""
    return labels.tier_label(code)


@register.simple_tag
def stage_label(code: str) -> str:
    """The translated lifecycle stage name."""
    return labels.stage_label(code)


@register.simple_tag
def rfm_segment_label(name: str) -> str:
    """The translated RFM segment name."""
    return labels.rfm_segment_label(name)


@register.simple_tag
def step_label(code: str) -> str:
    """The translated name of a scoring run's progress step."""
    return labels.label(labels.STEP_LABELS, code)


@register.filter
def weight_number(value: float | str | None) -> str:
    """A criterion weight with the precision it needs: weights saved by AHP are shares
    (0.086), typed weights are often whole numbers (8.6): one fixed decimal would show the
    first as 0.1 or 0.0."""
    if value in (None, ""):
        return "—"
    number = float(value)
    digits = 1 if abs(number) >= 1 or number == 0 else 3
    return number_format(round(number, digits), digits)


@register.filter
def health_band(health: float | None) -> str:
    """The dashboard band of an account health score (healthy / watch / at_risk)."""
    from paretocrm.insights.health import band_of

    return "" if health is None else band_of(float(health))
