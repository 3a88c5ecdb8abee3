"""The sentence that explains a task, worded in the reader's language at display time.

Raised tasks store a :class:`~paretocrm.work.choices.ReasonCode` and its parameters (names,
numbers, ISO dates); :func:`render` turns them into a sentence with the active language's
gettext catalogue, the translated tier and stage labels and the locale's number and date
formats. Every page, the API, the digest mail and exports call :func:`render`, so a task
reads in 简体中文, 繁體中文 or English for whoever looks at it. Tasks without a code (manual
tasks, rows stored before the codes existed) show their stored ``reason`` text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from django.utils import formats
from django.utils.translation import gettext, ngettext

from paretocrm.insights.choices import LifecycleStage, Tier
from paretocrm.insights.explanations import render_lifecycle
from paretocrm.insights.health import render_health_reasons
from paretocrm.service.events import render_breach
from paretocrm.work.choices import ReasonCode

Params = Mapping[str, Any]


def render(task: Any) -> str:
    """The task's reason in the active language (its stored text when it has no code)."""
    return render_reason(task.reason_code, task.reason_params, task.reason)


def render_reason(code: str, params: Params | None, fallback: str = "") -> str:
    """The sentence for ``code`` with ``params``; ``fallback`` for no (or an unknown) code.

    A row whose parameters do not fit its code (hand-edited, or written by an older
    release) falls back to its text rather than breaking the page that lists it.
    """
    writer = _WRITERS.get(code)
    if writer is None:
        return fallback
    try:
        return writer(params or {})
    except (KeyError, TypeError, ValueError):
        return fallback or str(ReasonCode(code).label)


# --- formats of the active locale -------------------------------------------------------------


def _date(iso: str) -> str:
    return formats.date_format(dt.date.fromisoformat(iso), "SHORT_DATE_FORMAT")


def _percent(share: float) -> str:
    return f"{formats.number_format(float(share) * 100, 0)}%"


def _money(amount: str, currency: str) -> str:
    return f"{formats.number_format(Decimal(amount), 2, force_grouping=True)} {currency}"


def _tier(code: str) -> str:
    return str(Tier(code).label) if code in Tier.values else code


def _stage(code: str) -> str:
    if not code:
        return "—"
    return str(LifecycleStage(code).label) if code in LifecycleStage.values else code


# --- one writer per code ----------------------------------------------------------------------


def _p_alive_drop(p: Params) -> str:
    return gettext(
        "%(tier)s: P(alive) fell from %(before)s to %(after)s (runs of %(previous_as_of)s "
        "and %(as_of)s); call the customer."
    ) % {
        "tier": _tier(p["tier"]),
        "before": _percent(p["before"]),
        "after": _percent(p["after"]),
        "previous_as_of": _date(p["previous_as_of"]),
        "as_of": _date(p["as_of"]),
    }


def _decline(p: Params) -> str:
    if p.get("before"):
        text = gettext("%(tier)s moved from %(before)s to the decline stage.") % {
            "tier": _tier(p["tier"]),
            "before": _stage(p["before"]),
        }
    else:  # first scored in decline: there is no earlier stage to name
        text = gettext("%(tier)s entered the decline stage.") % {"tier": _tier(p["tier"])}
    # The score's lifecycle explanation (as data; tasks raised before it existed, as text),
    # a sentence of its own after the first one.
    why = render_lifecycle(p.get("lifecycle"), p.get("why", ""), p.get("why_zh", ""))
    return f"{text} {why[:1].upper()}{why[1:]}".strip()


def _tier_downgrade(p: Params) -> str:
    return gettext("Tier downgraded from %(before)s to %(after)s.") % {
        "before": _tier(p["before"]),
        "after": _tier(p["after"]),
    }


def _overdue_receivable(p: Params) -> str:
    count = int(p["count"])
    return ngettext(
        "%(count)s invoice overdue, %(amount)s outstanding; oldest due %(oldest)s (%(days)s days).",
        "%(count)s invoices overdue, %(amount)s outstanding; oldest due %(oldest)s "
        "(%(days)s days).",
        count,
    ) % {
        "count": formats.number_format(count, 0),
        "amount": _money(p["total"], p["currency"]),
        "oldest": _date(p["oldest"]),
        "days": formats.number_format(int(p["days"]), 0, force_grouping=True),
    } + _invoices(p.get("invoices", []), count)


def _invoices(numbers: list[str], count: int) -> str:
    """ " Invoices: A, B, C." ("and N more" past the listed ones); "" for older tasks."""
    if not numbers:
        return ""
    listed = _join(numbers)
    if count > len(numbers):
        listed = gettext("%(numbers)s and %(more)s more") % {
            "numbers": listed,
            "more": formats.number_format(count - len(numbers), 0),
        }
    return " " + gettext("Invoices: %(numbers)s.") % {"numbers": listed}


def _complaint_past_sla(p: Params) -> str:
    numbers = list(p["cases"])
    return ngettext(
        "Open complaint past SLA: %(cases)s.",
        "Open complaints past SLA: %(cases)s.",
        len(numbers),
    ) % {"cases": _join(numbers)}


def _contract_renewal(p: Params) -> str:
    return gettext("Contract %(contract)s ends on %(end_date)s: agree the renewal.") % {
        "contract": p["contract"],
        "end_date": _date(p["end_date"]),
    }


def _dependency(p: Params) -> str:
    return gettext(
        "Revenue depends on this customer above the concentration threshold: review the "
        "account plan and the risk."
    )


def _potential_ready(p: Params) -> str:
    return gettext(
        "Potential customer with potential value %(value)s/100: ready to be developed."
    ) % {"value": formats.number_format(float(p["value"]), 0)}


def _plan_action_overdue(p: Params) -> str:
    actions = list(p["actions"])
    listed = [
        gettext("%(action)s (due %(due)s, %(owner)s)")
        % {
            "action": a["description"],
            "due": _date(a["due"]),
            "owner": a.get("owner") or gettext("no owner"),
        }
        for a in actions
    ]
    return ngettext(
        "Account plan “%(plan)s”: %(count)s action overdue: %(actions)s.",
        "Account plan “%(plan)s”: %(count)s actions overdue: %(actions)s.",
        len(actions),
    ) % {"plan": p["plan"], "count": len(actions), "actions": _join(listed, gettext("; "))}


def _case_escalated(p: Params) -> str:
    return " ".join(
        gettext("Case %(number)s (%(subject)s) escalated to you (%(breach)s).")
        % {
            "number": case["number"],
            "subject": case["subject"],
            "breach": render_breach(case.get("breach") or {}),
        }
        for case in p["cases"]
    )


def _portal_complaint(p: Params) -> str:
    text = gettext("Complaint %(number)s from %(contact)s: %(subject)s") % {
        "number": p["number"],
        "contact": p.get("contact") or "-",
        "subject": p["subject"],
    }
    if p.get("earlier"):  # repeated complaints of the customer while the task was open
        text += " " + gettext("Earlier complaints: %(numbers)s.") % {"numbers": _join(p["earlier"])}
    return text


def _health_low(p: Params) -> str:
    figures = {
        key: formats.number_format(round(float(p[key])), 0)
        for key in ("health", "before", "threshold")
        if p.get(key) is not None
    }
    if "before" in figures:
        lead = (
            gettext(
                "Account health fell to %(health)s (was %(before)s; alert below %(threshold)s)."
            )
            % figures
        )
    else:
        lead = gettext("Account health %(health)s, below %(threshold)s.") % figures
    reasons = render_health_reasons(p.get("reasons") or [])
    if not reasons:
        return lead
    return lead + " " + gettext("Why: %(reasons)s.") % {"reasons": _join(reasons, gettext("; "))}


def _join(items: list[str], separator: str = "") -> str:
    """Items joined with the locale's list separator (、 in Chinese, ", " in English)."""
    return (separator or gettext(", ")).join(str(item) for item in items)


_WRITERS: dict[str, Callable[[Params], str]] = {
    ReasonCode.P_ALIVE_DROP: _p_alive_drop,
    ReasonCode.DECLINE: _decline,
    ReasonCode.TIER_DOWNGRADE: _tier_downgrade,
    ReasonCode.OVERDUE_RECEIVABLE: _overdue_receivable,
    ReasonCode.COMPLAINT_PAST_SLA: _complaint_past_sla,
    ReasonCode.CONTRACT_RENEWAL: _contract_renewal,
    ReasonCode.DEPENDENCY: _dependency,
    ReasonCode.POTENTIAL_READY: _potential_ready,
    ReasonCode.PLAN_ACTION_OVERDUE: _plan_action_overdue,
    ReasonCode.CASE_ESCALATED: _case_escalated,
    ReasonCode.PORTAL_COMPLAINT: _portal_complaint,
    ReasonCode.HEALTH_LOW: _health_low,
}
