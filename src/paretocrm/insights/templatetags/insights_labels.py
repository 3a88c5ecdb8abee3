"""Template tags naming snapshot codes (tier, stage, RFM segment, run step) for the reader."""

from django import template

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
