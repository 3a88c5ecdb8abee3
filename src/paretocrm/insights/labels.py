"""Translatable labels for the codes the value engine writes into snapshots.

The engine (``paretocrm.analytics``) stores stable codes (criterion names, churn reason codes,
profitability classes); pages show these labels instead, in the reader's language.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CRITERION_LABELS: dict[str, Promise] = {
    "contract_volume": _("contract volume"),
    "revenue": _("revenue"),
    "profit_contribution": _("profit contribution"),
    "credit": _("credit"),
    "lifecycle_stage": _("lifecycle stage"),
    "purchase_volume": _("purchase volume"),
    "purchase_frequency": _("purchase frequency"),
    "industry_influence": _("industry influence"),
    "cooperation_intent": _("cooperation intent"),
    "price_sensitivity": _("price sensitivity (inverse)"),
    "maintenance_cost": _("maintenance cost (inverse)"),
    "growth_potential": _("growth potential"),
}

CHURN_REASON_LABELS: dict[str, Promise] = {
    "P_ALIVE_LOW": _("low probability of still buying"),
    "P_ALIVE_DROP": _("probability of still buying dropped"),
    "PURCHASE_DROP": _("purchase rate dropped"),
    "REVENUE_DROP": _("revenue dropped"),
    "OVERDUE": _("overdue receivables"),
    "COMPLAINTS": _("recent complaints"),
    "LAPSED": _("no order for several of its usual gaps between orders"),
}

PROFITABILITY_LABELS: dict[str, Promise] = {
    "profitable": _("profitable"),
    "could_become_profitable": _("could become profitable (cross-sell / up-sell)"),
    "never_profitable": _("never profitable"),
}

HHI_LEVEL_LABELS: dict[str, Promise] = {
    "unconcentrated": _("unconcentrated"),
    "moderately concentrated": _("moderately concentrated"),
    "highly concentrated": _("highly concentrated"),
}


# Progress steps of a scoring run (the engine's step names and the web app's own), stored on
# ScoreRun.step as they are reported and named here when a page shows them.
STEP_LABELS: dict[str, Promise] = {
    "waiting for the worker": pgettext_lazy("scoring step", "waiting for the worker"),
    "reading the database": pgettext_lazy("scoring step", "reading the database"),
    "reading transactions": pgettext_lazy("scoring step", "reading transactions"),
    "summarising customers": pgettext_lazy("scoring step", "summarising customers"),
    "fitting purchase and spend models": pgettext_lazy(
        "scoring step", "fitting purchase and spend models"
    ),
    "predicting P(alive) and CLV": pgettext_lazy("scoring step", "predicting P(alive) and CLV"),
    "customer value, ABC and Pareto": pgettext_lazy(
        "scoring step", "customer value, ABC and Pareto"
    ),
    "RFM and lifecycle": pgettext_lazy("scoring step", "RFM and lifecycle"),
    "rating and tiers": pgettext_lazy("scoring step", "rating and tiers"),
    "concentration and churn": pgettext_lazy("scoring step", "concentration and churn"),
    "segmentation and forecast": pgettext_lazy("scoring step", "segmentation and forecast"),
    "back-test": pgettext_lazy("scoring step", "back-test"),
    "planning the peak season": pgettext_lazy("scoring step", "planning the peak season"),
    "saving the snapshot": pgettext_lazy("scoring step", "saving the snapshot"),
    "done": pgettext_lazy("scoring step", "done"),
}


def label(mapping: dict[str, Promise], code: str) -> str:
    """The translated label of ``code``, or the code itself when it is new to the web app."""
    return str(mapping.get(code, code))


def churn_reasons(codes: list[str]) -> list[str]:
    """Readable churn reasons for a score's reason codes."""
    return [label(CHURN_REASON_LABELS, code) for code in codes]


def tier_label(code: str) -> str:
    """The translated name of a tier code."""
    from paretocrm.insights.choices import Tier

    return str(Tier(code).label) if code in Tier.values else code


#: RFM segment names (``paretocrm.analytics.rfm.SEGMENTS``, stored as the engine names them);
#: with a message context, since "New" or "Lost" mean other things elsewhere.
RFM_SEGMENT_LABELS: dict[str, Promise] = {
    "Champions": pgettext_lazy("RFM segment", "Champions"),
    "Loyal": pgettext_lazy("RFM segment", "Loyal"),
    "Potential loyalist": pgettext_lazy("RFM segment", "Potential loyalist"),
    "New": pgettext_lazy("RFM segment", "New"),
    "Promising": pgettext_lazy("RFM segment", "Promising"),
    "Need attention": pgettext_lazy("RFM segment", "Need attention"),
    "About to sleep": pgettext_lazy("RFM segment", "About to sleep"),
    "At risk": pgettext_lazy("RFM segment", "At risk"),
    "Cannot lose them": pgettext_lazy("RFM segment", "Cannot lose them"),
    "Hibernating": pgettext_lazy("RFM segment", "Hibernating"),
    "Lost": pgettext_lazy("RFM segment", "Lost"),
}


def rfm_segment_label(name: str) -> str:
    """The translated name of an RFM segment (unknown names as stored)."""
    return label(RFM_SEGMENT_LABELS, name)


#: The words the engine names behaviour segments with (analytics.segmentation).
BEHAVIOUR_WORDS: dict[str, Promise] = {
    "High value": _("High value"),
    "Mid value": _("Mid value"),
    "Low value": _("Low value"),
    "active": pgettext_lazy("behaviour segment", "active"),
    "steady": pgettext_lazy("behaviour segment", "steady"),
    "lapsing": pgettext_lazy("behaviour segment", "lapsing"),
    "frequent": pgettext_lazy("behaviour segment", "frequent"),
    "occasional": pgettext_lazy("behaviour segment", "occasional"),
}


def behaviour_segment_label(name: str) -> str:
    """A behaviour segment ("Low value, lapsing #2") in the reader's words; a name made of
    other words is shown as stored."""
    base, hash_, number = name.partition(" #")
    parts = base.split(", ")
    if not all(part in BEHAVIOUR_WORDS for part in parts):
        return name
    text = str(pgettext_lazy("list separator", ", ")).join(str(BEHAVIOUR_WORDS[p]) for p in parts)
    return f"{text}{hash_}{number}"


def stage_label(code: str) -> str:
    """The translated name of a lifecycle stage code."""
    from paretocrm.insights.choices import LifecycleStage

    return str(LifecycleStage(code).label) if code in LifecycleStage.values else code
