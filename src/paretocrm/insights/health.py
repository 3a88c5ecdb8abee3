"""Account health (客户健康度) for the pages: signal labels, reasons in the reader's language,
and the bands the dashboard counts.

The score and its reasons are computed by the scoring run (``paretocrm.analytics.health``)
and stored on ``CustomerScore``; the reasons are facts (signal key, raw value, points lost),
worded here with the active language's catalogue at display time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.utils import formats
from django.utils.translation import gettext, gettext_lazy, ngettext

#: Health signals (the engine's keys) with their labels, in the engine's order.
SIGNAL_LABELS: Mapping[str, Any] = {
    "p_alive": gettext_lazy("P(alive)"),
    "rhythm": gettext_lazy("order rhythm"),
    "value_trend": gettext_lazy("value trend"),
    "receivables": gettext_lazy("overdue receivables"),
    "complaints": gettext_lazy("open complaints"),
    "sla_breaches": gettext_lazy("SLA breaches"),
    "satisfaction": gettext_lazy("satisfaction"),
    "contact_coverage": gettext_lazy("contact coverage"),
}

#: Dashboard bands: (key, lowest health, label); a score falls in the first band it reaches.
BANDS: tuple[tuple[str, float, Any], ...] = (
    ("healthy", 70.0, gettext_lazy("healthy (70-100)")),
    ("watch", 40.0, gettext_lazy("watch (40-70)")),
    ("at_risk", 0.0, gettext_lazy("at risk (below 40)")),
)


def band_of(health: float) -> str:
    """The band key of a health score."""
    for key, lowest, _label in BANDS:
        if health >= lowest:
            return key
    return BANDS[-1][0]


def band_counts(healths: Iterable[float | None]) -> list[tuple[str, Any, int]]:
    """(key, label, customers) per band, best first; scores without health are left out."""
    counts = dict.fromkeys((key for key, _lowest, _label in BANDS), 0)
    for health in healths:
        if health is not None:
            counts[band_of(health)] += 1
    return [(key, label, counts[key]) for key, _lowest, label in BANDS]


def _percent(value: float) -> str:
    return formats.number_format(round(100 * value), 0) + "%"


def _count(value: float) -> int:
    return round(value)


def _p_alive(value: float) -> str:
    return gettext("only a %(p)s chance the customer is still buying") % {"p": _percent(value)}


def _rhythm(value: float) -> str:
    return gettext("no order for %(cycles)s of its usual gaps between orders") % {
        "cycles": formats.number_format(value, 1)
    }


def _value_trend(value: float) -> str:
    return gettext("revenue down %(drop)s on the window before") % {"drop": _percent(-value)}


def _receivables(value: float) -> str:
    if value == float("inf"):  # stored as None: overdue money and no revenue to compare
        return gettext("overdue receivables with no recent revenue")
    return gettext("overdue receivables at %(share)s of the last year's revenue") % {
        "share": _percent(value)
    }


def _complaints(value: float) -> str:
    n = _count(value)
    return ngettext("%(n)s open complaint", "%(n)s open complaints", n) % {"n": n}


def _sla_breaches(value: float) -> str:
    n = _count(value)
    return ngettext("%(n)s open case past its SLA", "%(n)s open cases past their SLA", n) % {"n": n}


def _satisfaction(value: float) -> str:
    return gettext("satisfaction at %(score)s of the best answer") % {"score": _percent(value)}


def _contact_coverage(value: float) -> str:
    n = _count(value)
    if n == 0:
        return gettext("no active contact")
    if n == 1:
        return gettext("single-threaded: one contact only")
    return ngettext("only %(n)s contact", "only %(n)s contacts", n) % {"n": n}


_WRITERS: Mapping[str, Callable[[float], str]] = {
    "p_alive": _p_alive,
    "rhythm": _rhythm,
    "value_trend": _value_trend,
    "receivables": _receivables,
    "complaints": _complaints,
    "sla_breaches": _sla_breaches,
    "satisfaction": _satisfaction,
    "contact_coverage": _contact_coverage,
}


def render_health_reasons(facts: Iterable[Mapping[str, Any]] | None) -> list[str]:
    """Each reason as a sentence in the active language with the points it costs; facts
    that do not fit (hand-edited, another release's signal) are skipped, not an error."""
    sentences: list[str] = []
    for fact in facts or []:
        writer = _WRITERS.get(str(fact.get("signal", "")))
        if writer is None:
            continue
        try:
            value = fact["value"]
            sentence = writer(float("inf") if value is None else float(value))
            points = formats.number_format(round(float(fact["points"])), 0)
        except (KeyError, TypeError, ValueError):
            continue
        sentences.append(
            gettext("%(reason)s (−%(points)s points)")
            % {
                "reason": sentence,
                "points": points,
            }
        )
    return sentences
