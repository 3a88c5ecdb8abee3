"""The lifecycle and tier explanations of a score, worded in the reader's language at display time.

The analysis stores each customer's explanation as data (``CustomerScore.lifecycle_facts``:
the rule code and the rounded figures its sentence quotes, written by
:func:`paretocrm.analytics.lifecycle.explanation_facts`); :func:`render_lifecycle` words it
with the active language's gettext catalogue and number formats, so the customer 360 page
and the decline tasks read in 简体中文, 繁體中文 or English for whoever looks. Rows scored
before the facts existed show their stored text (English, or the Simplified Chinese text to
any Chinese reader).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from paretocrm.analytics.tiers import TierRules, tier_explanation_facts

Facts = Mapping[str, Any]


def render_lifecycle(facts: Facts | None, text_en: str = "", text_zh: str = "") -> str:
    """The explanation in the active language; the stored texts when there are no facts.

    Facts that do not fit their rule (hand-edited, or written by another release) fall back
    to the stored text too, rather than breaking the page that shows them.
    """
    writer = _WRITERS.get(str((facts or {}).get("rule", "")))
    if facts and writer is not None:
        try:
            return _with_p_alive(facts, writer(facts))
        except (KeyError, TypeError, ValueError):
            pass
    if (get_language() or "").startswith("zh") and text_zh:
        return text_zh
    return text_en


def _with_p_alive(facts: Facts, lead: str) -> str:
    p_alive = gettext("P(alive) %(p_alive)s") % {"p_alive": _probability(facts["p_alive"])}
    if facts["rule"] == "p_alive_low":  # the lead already quotes P(alive)
        return lead
    return gettext("%(lead)s, %(p_alive)s") % {"lead": lead, "p_alive": p_alive}


def _probability(value: Any) -> str:
    return formats.number_format(float(value), 2)


def _months(facts: Facts, key: str = "tenure_months") -> int:
    return int(facts[key])


def _window(facts: Facts) -> str:
    if "window_months" in facts:
        months = int(facts["window_months"])
        return ngettext("%(count)s month", "%(count)s months", months) % {"count": months}
    weeks = int(facts["window_weeks"])
    return ngettext("%(count)s week", "%(count)s weeks", weeks) % {"count": weeks}


# Each measure and direction is its own message: Chinese word order differs by direction.
_TREND_MESSAGES = {
    "purchase_trend": (
        gettext_noop("purchase rate fell %(percent)s vs previous %(window)s"),
        gettext_noop("purchase rate rose %(percent)s vs previous %(window)s"),
        gettext_noop("purchase rate unchanged vs previous %(window)s"),
    ),
    "value_trend": (
        gettext_noop("value fell %(percent)s vs previous %(window)s"),
        gettext_noop("value rose %(percent)s vs previous %(window)s"),
        gettext_noop("value unchanged vs previous %(window)s"),
    ),
}


def _trend(facts: Facts, key: str) -> str:
    fell, rose, unchanged = _TREND_MESSAGES[key]
    percent = int(facts[key])
    message = fell if percent < 0 else rose if percent > 0 else unchanged
    return gettext(message) % {
        "percent": f"{abs(percent)}%",  # at most 1000 (the analysis clips it)
        "window": _window(facts),
    }


def _p_alive_low(facts: Facts) -> str:
    lead = gettext("P(alive) %(p_alive)s is below %(threshold)s") % {
        "p_alive": _probability(facts["p_alive"]),
        "threshold": _probability(facts["p_alive_threshold"]),
    }
    if "purchase_trend" not in facts:
        return lead
    return gettext("%(lead)s; %(trend)s") % {"lead": lead, "trend": _trend(facts, "purchase_trend")}


def _dormant(facts: Facts) -> str:
    months = _months(facts, "gap_months")
    return ngettext(
        "no purchase for %(months)s month", "no purchase for %(months)s months", months
    ) % {"months": months}


def _lapsed(facts: Facts) -> str:
    cycle = formats.number_format(float(facts["cycle_months"]), 1)
    if facts["cycle_basis"] == "own":
        rhythm = gettext("usually orders every %(cycle)s months") % {"cycle": cycle}
    else:
        rhythm = gettext("the book's customers usually order every %(cycle)s months") % {
            "cycle": cycle
        }
    return gettext("%(lead)s; %(trend)s") % {"lead": _dormant(facts), "trend": rhythm}


def _purchase_drop(facts: Facts) -> str:
    return _trend(facts, "purchase_trend")


def _value_drop(facts: Facts) -> str:
    return _trend(facts, "value_trend")


def _new(facts: Facts) -> str:
    months = _months(facts)
    return ngettext(
        "first purchase %(months)s month ago", "first purchase %(months)s months ago", months
    ) % {"months": months}


def _single_purchase(facts: Facts) -> str:
    months = _months(facts)
    return ngettext(
        "only one purchase day, first %(months)s month ago",
        "only one purchase day, first %(months)s months ago",
        months,
    ) % {"months": months}


def _growing(facts: Facts) -> str:
    return _trend(facts, "purchase_trend" if "purchase_trend" in facts else "value_trend")


def _young(facts: Facts) -> str:
    months = _months(facts)
    return ngettext(
        "customer for %(months)s month (under %(limit)s)",
        "customer for %(months)s months (under %(limit)s)",
        months,
    ) % {"months": months, "limit": int(facts["young_months"])}


def _few_purchases(facts: Facts) -> str:
    days = int(facts["purchase_days"])
    return ngettext(
        "only %(days)s purchase day in %(months)s months",
        "only %(days)s purchase days in %(months)s months",
        days,
    ) % {"days": days, "months": _months(facts)}


def _steady(facts: Facts) -> str:
    months = _months(facts)
    lead = ngettext("customer for %(months)s month", "customer for %(months)s months", months) % {
        "months": months
    }
    if "purchase_trend" not in facts:
        return lead
    return gettext("%(lead)s, %(trend)s") % {"lead": lead, "trend": _trend(facts, "purchase_trend")}


_WRITERS: dict[str, Callable[[Facts], str]] = {
    "p_alive_low": _p_alive_low,
    "dormant": _dormant,
    "lapsed": _lapsed,
    "purchase_drop": _purchase_drop,
    "value_drop": _value_drop,
    "new": _new,
    "single_purchase": _single_purchase,
    "growing": _growing,
    "young": _young,
    "few_purchases": _few_purchases,
    "steady": _steady,
}


def render_tier(
    tier: str, current: float, potential: float, rules: Mapping[str, Any] | None
) -> str:
    """Why a customer is in ``tier``, worded in the active language.

    The clauses (which axis put the customer there, which one kept a key customer out of
    core) come from :func:`paretocrm.analytics.tiers.tier_explanation_facts` with the cut-offs
    the run scored with (``ScoreRun.overview["tier_rules"]``; the defaults for runs stored
    before the cut-offs were recorded).
    """
    known = {f.name for f in dataclasses.fields(TierRules)}
    settings = TierRules(**{k: float(v) for k, v in (rules or {}).items() if k in known})
    facts = tier_explanation_facts(tier, current, potential, settings)
    parts = [_tier_clause(clause) for clause in facts["clauses"]]
    if tier == "core":
        return gettext("%(current)s and %(potential)s: core customers are high on both") % {
            "current": parts[0],
            "potential": parts[1],
        }
    text = parts[0]
    for part in parts[1:]:
        text = gettext("%(first)s; %(second)s") % {"first": text, "second": part}
    return text


def _tier_clause(clause: Mapping[str, Any]) -> str:
    axis = gettext("current value") if clause["axis"] == "current" else gettext("potential value")
    figures = {
        "axis": axis,
        "value": formats.number_format(clause["value"], 0),
        "cut": formats.number_format(clause["cut"], 0),
    }
    if clause["op"] == ">=":
        text = gettext("%(axis)s %(value)s ≥ %(cut)s") % figures
    else:
        text = gettext("%(axis)s %(value)s < %(cut)s") % figures
    if clause.get("keeps_out_of") == "core":
        text = gettext("%(clause)s, which keeps it out of core") % {"clause": text}
    return text
