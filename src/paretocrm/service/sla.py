"""The SLA clocks of one case as the case page shows them (first response, resolution)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from paretocrm.service.models import Case
from paretocrm.service.querysets import AT_RISK_SHARE


@dataclass(frozen=True)
class SlaClock:
    """One target: when it is due, when it was met, and how it stands at ``now``."""

    name: str
    hours: int
    due: dt.datetime
    done_at: dt.datetime | None
    state: str  # met / late / running / at_risk / breached
    margin: dt.timedelta  # time left (running) or past the due time (late, breached)

    @property
    def margin_text(self) -> str:
        """The margin as "2 h 05 min" (days shown when longer than a day)."""
        minutes = int(abs(self.margin).total_seconds() // 60)
        days, rest = divmod(minutes, 24 * 60)
        hours, mins = divmod(rest, 60)
        if days:
            return gettext("%(d)d d %(h)d h %(m)02d min") % {"d": days, "h": hours, "m": mins}
        return gettext("%(h)d h %(m)02d min") % {"h": hours, "m": mins}


def clocks(case: Case, now: dt.datetime) -> list[SlaClock]:
    """The case's SLA clocks at ``now`` (none when the case has no SLA targets)."""
    result = []
    targets = (
        (_("first response"), case.sla_first_response_hours, case.first_response_at),
        (_("resolution"), case.sla_resolution_hours, case.resolved_at),
    )
    for name, hours, done_at in targets:
        if hours is None:
            continue
        due = case.opened_at + dt.timedelta(hours=hours)
        result.append(
            SlaClock(
                str(name),
                hours,
                due,
                done_at,
                _state(due, done_at, hours, now),
                _margin(due, done_at, now),
            )
        )
    return result


def _state(due: dt.datetime, done_at: dt.datetime | None, hours: int, now: dt.datetime) -> str:
    if done_at is not None:
        return "met" if done_at <= due else "late"
    if now > due:
        return "breached"
    if due - now < dt.timedelta(hours=hours) * AT_RISK_SHARE:
        return "at_risk"
    return "running"


def _margin(due: dt.datetime, done_at: dt.datetime | None, now: dt.datetime) -> dt.timedelta:
    return (done_at or now) - due if (done_at or now) > due else due - (done_at or now)
