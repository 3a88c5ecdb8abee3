"""Row and column problems of an import report, worded in the reader's language.

A check records an :class:`~paretocrm.imports.validation.Issue` with a code from
:data:`MESSAGES` and its named parameters (the quoted value, a limit, the first row of a
duplicate); the report stored on the batch keeps code and parameters next to the English
text. :func:`render_issue` words a stored issue with the active language's catalogue, so a
dry-run report reads in the language of whoever opens it. Issues without a code (file-level
errors, the rules of one import kind) keep their English text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext, gettext_noop

#: Message code -> English source text with named placeholders (the gettext msgid).
MESSAGES: dict[str, str] = {
    "required": gettext_noop("is required"),
    "too_long": gettext_noop("is longer than %(max)s characters"),
    "not_number": gettext_noop("is not a number: %(value)s"),
    "too_many_digits": gettext_noop(
        "has more than %(places)s decimal places or %(digits)s digits: %(value)s"
    ),
    "below_min": gettext_noop("must be at least %(min)s, got %(value)s"),
    "not_above_min": gettext_noop("must be greater than %(min)s, got %(value)s"),
    "above_max": gettext_noop("must be at most %(max)s, got %(value)s"),
    "not_whole_number": gettext_noop("is not a whole number: %(value)s"),
    "not_date": gettext_noop("is not a valid date (use YYYY-MM-DD): %(value)s"),
    "not_choice": gettext_noop("is not one of %(allowed)s: %(value)s"),
    "duplicate": gettext_noop("duplicate %(what)s %(value)s (first at row %(first)s)"),
    "unknown_reference": gettext_noop(
        "unknown %(what)s %(value)s (not in the file nor in the database)"
    ),
    # The file as a whole (row 0 of the report).
    "unsupported_type": gettext_noop(
        "%(file)s: unsupported file type %(suffix)s; use .csv or .xlsx."
    ),
    "too_large": gettext_noop(
        "%(file)s: file is %(size)s bytes, more than the limit of %(limit)s."
    ),
    "file_empty": gettext_noop("%(file)s: file is empty."),
    "not_csv": gettext_noop("%(file)s: this is %(what)s, not a CSV text file."),
    "too_many_rows": gettext_noop("%(file)s: %(rows)s rows, more than the limit of %(limit)s."),
    "nul_bytes": gettext_noop("%(file)s: contains NUL bytes; this is not a CSV text file."),
    "bad_utf8_bytes": gettext_noop(
        "%(file)s: row %(row)s: invalid %(codec)s bytes %(data)s at column offset %(offset)s "
        "(try --encoding gb18030)."
    ),
    "bad_bytes": gettext_noop(
        "%(file)s: row %(row)s: invalid %(codec)s bytes %(data)s at column offset %(offset)s."
    ),
    "no_header": gettext_noop("%(file)s: row 1: no header row (the first row is empty)."),
    "blank_header": gettext_noop("%(file)s: row 1: column %(position)s has no header."),
    "header_twice": gettext_noop("%(file)s: row 1: column header %(header)s appears twice."),
    "sheet_empty": gettext_noop("%(file)s: the sheet is empty."),
    "wrong_field_count": gettext_noop("expected %(expected)s fields, found %(found)s"),
    # Headers (row 1).
    "unknown_column": gettext_noop("unknown column, ignored"),
    "second_column": gettext_noop("a second column for %(name)s"),
    "missing_column": gettext_noop("required column is missing (header %(accepted)s)"),
    # Rules of the import kinds.
    "not_iso_code": gettext_noop("%(value)s is not an ISO %(standard)s code"),
    "own_parent": gettext_noop("is the customer itself"),
    "not_email": gettext_noop("%(value)s is not an e-mail address"),
    "masked_value": gettext_noop(
        "%(value)s is a masked value from an export: give the full value, or keep the "
        "contact id of the exported row so the stored value stays"
    ),
    "contact_key": gettext_noop("give an external id or an e-mail so the contact can be matched"),
    "before_issue_date": gettext_noop("is before the issue date"),
    "below_paid": gettext_noop("%(value)s is below the %(paid)s already paid on this invoice"),
    "line_total": gettext_noop(
        "quantity x unit price (%(total)s) is above the largest accepted amount %(max)s"
    ),
    "other_customers_invoice": gettext_noop("belongs to another customer"),
    "other_customers_order": gettext_noop("belongs to another customer"),
    "price_or_amount": gettext_noop("give a unit price or a line amount"),
    "differs_in_order": gettext_noop(
        "differs from the first line of the same order (row %(first)s)"
    ),
    "payment_differs": gettext_noop(
        "payment %(value)s is already recorded with other %(fields)s; payments are never "
        "edited - record a reversal"
    ),
    "skipped_with_group": gettext_noop(
        "skipped with its %(what)s %(value)s: row %(first)s of it is invalid"
    ),
    # Permissions.
    "role_may_not_import": gettext_noop("your role may not import %(kind)s; nothing was written."),
    "administrators_only": gettext_noop("only administrators set this"),
    "customer_out_of_scope": gettext_noop("this customer is not in your scope"),
    # A key of the kind matching a record outside the scope (``what``: contact id, ...).
    "record_out_of_scope": gettext_noop("this %(what)s is not in your scope"),
    "owner_not_allowed": gettext_noop("you may not assign customers to this user"),
    # The background job (imports.background).
    "job_stopped": gettext_noop(
        "the import stopped because the process running it ended (stopped, killed or out of "
        "memory); nothing was written. Start it again."
    ),
}

#: Names passed as ``what`` (keys of the kinds, kinds of files); translated when worded.
KEY_NAMES = (
    gettext_noop("a zip/xlsx file"),
    gettext_noop("an old Excel (.xls) or other OLE file"),
    gettext_noop("a PDF file"),
    gettext_noop("a gzip file"),
    gettext_noop("a PNG image"),
    gettext_noop("customer code"),
    gettext_noop("parent customer code"),
    gettext_noop("user name"),
    gettext_noop("contact id"),
    gettext_noop("customer + e-mail"),
    gettext_noop("SKU"),
    gettext_noop("product SKU"),
    gettext_noop("order number"),
    gettext_noop("order line"),
    gettext_noop("invoice number"),
    gettext_noop("payment number"),
)


def english(code: str, params: Mapping[str, Any]) -> str:
    """The English text of a coded message (stored for the CLI, logs and old readers)."""
    return MESSAGES[code] % params


def render_issue(issue: Mapping[str, Any]) -> str:
    """A stored issue (``as_dict`` form) in the active language; its text when uncoded."""
    template = MESSAGES.get(issue.get("code") or "")
    params = dict(issue.get("params") or {})
    if template is None:
        return str(issue.get("message", ""))
    if "what" in params:
        params["what"] = gettext(params["what"])
    if params.get("allowed_labels"):
        params["allowed"] = ", ".join(gettext(label) for label in params["allowed_labels"])
    try:
        return gettext(template) % params
    except (KeyError, TypeError, ValueError):
        return str(issue.get("message", ""))  # parameters from an older release
