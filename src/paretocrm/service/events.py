"""Notes of case events the system writes, worded in the reader's language at display time.

A person's own note (on a status change or an escalation) is stored as typed. Notes the
system writes (an assignment, an SLA breach) store a
:class:`~paretocrm.service.choices.CaseNoteCode` with parameters; :func:`render_note` words
them with the active language's catalogue and date formats, for the case page and for the
escalation task that quotes the breach.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext

from paretocrm.service.choices import CaseNoteCode


def render_note(event: Any) -> str:
    """The event's note in the active language (the stored note when it has no code)."""
    params = event.note_params or {}
    try:
        if event.note_code == CaseNoteCode.ASSIGNED:
            return gettext("assigned to %(person)s") % {"person": params["person"]}
        if event.note_code == CaseNoteCode.SLA_BREACHED:
            return render_breach(params)
    except (KeyError, TypeError, ValueError):
        pass  # parameters that do not fit the code: show the stored text
    return str(event.note)


def breach_params(case: Any, now: dt.datetime) -> dict[str, str]:
    """The parameters of an SLA-breach note: the due times that have passed (ISO)."""
    params = {}
    if case.first_response_breached(now):
        params["first_response_due"] = case.first_response_due.isoformat()
    if case.resolution_breached(now):
        params["resolution_due"] = case.resolution_due.isoformat()
    return params


def render_breach(params: Mapping[str, str]) -> str:
    """ "SLA breached: first response due …; resolution due …" in the active language."""
    parts = []
    if params.get("first_response_due"):
        parts.append(
            gettext("first response due %(time)s") % {"time": _time(params["first_response_due"])}
        )
    if params.get("resolution_due"):
        parts.append(gettext("resolution due %(time)s") % {"time": _time(params["resolution_due"])})
    return gettext("SLA breached: %(details)s") % {"details": gettext("; ").join(parts)}


def _time(iso: str) -> str:
    moment = timezone.localtime(dt.datetime.fromisoformat(iso))
    return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
