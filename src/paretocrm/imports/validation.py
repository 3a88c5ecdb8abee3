"""The row report and the vectorised column checks every import kind is built from.

Checks work on whole columns (pandas Series of strings indexed by the spreadsheet row
number), so a million-row file is validated in a few numpy passes, not a Python loop per
cell. Each check records problems in a :class:`Report` as (row, column, message) and
returns the parsed column; rows with an error are excluded by the caller. The checks here
record a message code with named parameters (:mod:`paretocrm.imports.messages`), so the
report can be read in the reader's language; the English text is kept beside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from paretocrm.core import bounds
from paretocrm.imports import messages as texts

ERROR = "error"
WARNING = "warning"
# A report keeps this many issues in full; the rest are counted (a broken 1M-row file
# must not produce a 1M-entry report that nobody reads).
MAX_STORED_ISSUES = 10_000
HEADER_ROW = 1


@dataclass(frozen=True, order=True)
class Issue:
    """One problem: spreadsheet row (1 = header, 0 = the file), column header, message."""

    row: int
    column: str
    message: str
    severity: str = ERROR
    #: Message code and parameters for rendering in the reader's language ("" = text only).
    code: str = field(default="", compare=False)
    params: Mapping[str, Any] = field(default_factory=dict, compare=False)


@dataclass
class Report:
    """Every problem found in one file, and which rows are invalid."""

    source: str
    issues: list[Issue] = field(default_factory=list)
    invalid_rows: set[int] = field(default_factory=set)
    error_count: int = 0
    warning_count: int = 0
    file_error: bool = False

    def add(
        self,
        row: int,
        column: str,
        message: str,
        severity: str = ERROR,
        *,
        code: str = "",
        params: Mapping[str, Any] | None = None,
    ) -> None:
        """Record one problem; an error on a data row makes that row invalid."""
        if severity == ERROR:
            self.error_count += 1
            if row > HEADER_ROW:
                self.invalid_rows.add(row)
            else:
                self.file_error = True
        else:
            self.warning_count += 1
        if len(self.issues) < MAX_STORED_ISSUES:
            self.issues.append(Issue(row, column, message, severity, code, dict(params or {})))

    @property
    def room(self) -> int:
        """How many more issues are kept in full (the rest are only counted)."""
        return MAX_STORED_ISSUES - len(self.issues)

    def add_coded(
        self,
        row: int,
        column: str,
        code: str,
        params: Mapping[str, Any] | None = None,
        severity: str = ERROR,
    ) -> None:
        """Record one problem as a message code (worded per reader; English text kept)."""
        params = dict(params or {})
        self.add(row, column, texts.english(code, params), severity, code=code, params=params)

    def add_rows_coded(
        self, rows: Iterable[int], column: str, code: str, params: Mapping[str, Any] | None = None
    ) -> None:
        """Record the same coded error on each of ``rows``."""
        for row in rows:
            self.add_coded(int(row), column, code, params)

    def add_rows(self, rows: Iterable[int], column: str, messages: Iterable[str]) -> None:
        """Record one error per row (rows and messages aligned)."""
        for row, message in zip(rows, messages, strict=True):
            self.add(int(row), column, message)

    @property
    def has_errors(self) -> bool:
        """True when any error (file level or row level) was found."""
        return self.error_count > 0

    def sorted_issues(self) -> list[Issue]:
        """Issues in file order (row, then column)."""
        return sorted(self.issues)

    def as_dict(self, limit: int = 1_000) -> dict[str, Any]:
        """A JSON-ready summary for the audit trail (at most ``limit`` issues listed)."""
        issues = self.sorted_issues()
        return {
            "source": self.source,
            "errors": self.error_count,
            "warnings": self.warning_count,
            "invalid_rows": len(self.invalid_rows),
            "issues": [_issue_dict(i) for i in issues[:limit]],
            "issues_not_listed": max(self.error_count + self.warning_count - limit, 0),
        }


def _issue_dict(issue: Issue) -> dict[str, Any]:
    """The stored form: English text, and code + parameters when the message has them."""
    stored: dict[str, Any] = {
        "row": issue.row,
        "column": issue.column,
        "message": issue.message,
        "severity": issue.severity,
    }
    if issue.code:
        stored.update(code=issue.code, params=dict(issue.params))
    return stored


def _quote(values: pd.Series) -> pd.Series:
    """Values shortened for a message (a 5 KB cell should not flood the report)."""
    return values.astype(str).str.slice(0, 40).map(repr)


def flag(report: Report, mask: pd.Series, column: str, messages: pd.Series | str) -> None:
    """Record an error on every row where ``mask`` is true (one message or one per row)."""
    if not bool(mask.any()):
        return
    rows = mask.index[mask.to_numpy()]
    if isinstance(messages, str):
        report.add_rows(rows, column, [messages] * len(rows))
    else:
        report.add_rows(rows, column, messages.loc[rows].tolist())


def flag_code(
    report: Report,
    mask: pd.Series,
    column: str,
    code: str,
    params: Mapping[str, Any] | None = None,
    per_row: Mapping[str, pd.Series] | None = None,
) -> None:
    """Record message ``code`` on every row where ``mask`` is true.

    ``params`` are the same for every row; ``per_row`` holds parameters that differ by row
    (the offending value, the first row of a duplicate), indexed like ``mask``. Parameters
    and the English text are built only for the issues the report keeps in full.
    """
    if not bool(mask.any()):
        return
    rows = mask.index[mask.to_numpy()]
    kept = max(min(report.room, len(rows)), 0)
    columns = {name: values.loc[rows[:kept]].tolist() for name, values in (per_row or {}).items()}
    for i, row in enumerate(rows):
        if i >= kept:
            report.add(int(row), column, "")  # counted, not listed
            continue
        row_params = {**(params or {}), **{name: values[i] for name, values in columns.items()}}
        message = texts.english(code, row_params)
        report.add(int(row), column, message, code=code, params=row_params)


def flag_value(
    report: Report,
    mask: pd.Series,
    column: str,
    code: str,
    raw: pd.Series,
    params: Mapping[str, Any] | None = None,
) -> None:
    """Like :func:`flag_code`, quoting the offending value as ``value``."""
    if bool(mask.any()):
        flag_code(report, mask, column, code, params, {"value": _quote(raw[mask])})


def _distinct(raw: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Codes and distinct values: checks run once per distinct text, then map back."""
    codes, uniques = pd.factorize(raw)
    return codes, pd.Series(np.asarray(uniques, dtype=object), dtype=str)


def _back(values: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """Per-distinct results spread back onto the rows."""
    return pd.Series(values.to_numpy()[codes], index=index)


# --- column checks ----------------------------------------------------------------------


def text(
    values: pd.Series,
    column: str,
    report: Report,
    *,
    required: bool = False,
    max_length: int | None = None,
) -> pd.Series:
    """Strip whitespace; check presence and length. Returns the stripped strings."""
    values = values.astype(str).str.strip()
    if required:
        flag_code(report, values == "", column, "required")
    if max_length is not None:
        too_long = values.str.len() > max_length
        flag_code(report, too_long, column, "too_long", {"max": max_length})
    return values


#: Columns holding a quantity (bounded by ``bounds.QUANTITY``); every other decimal column
#: is an amount, price or rate (bounded by ``bounds.AMOUNT``, rates by their own maximum).
QUANTITY_COLUMNS = frozenset({"quantity", "min_quantity"})


def _limit_text(value: float) -> str:
    """A limit for a message: 100 as "100", a trillion as "1,000,000,000,000" (not 1e+12)."""
    return f"{value:g}" if abs(value) < 1e6 else f"{value:,.0f}"


def _bounded(
    column: str, min_value: float | None, max_value: float | None, min_inclusive: bool
) -> tuple[float, float, bool]:
    """The column's range narrowed to the business range of its kind (core.bounds)."""
    limits = bounds.limits()
    kind_limit = limits.max_quantity if column in QUANTITY_COLUMNS else limits.max_amount
    limit = float(kind_limit)
    if min_value is None or min_value < -limit:
        min_value, min_inclusive = -limit, True
    if max_value is None or max_value > limit:
        max_value = limit
    return min_value, max_value, min_inclusive


_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


def decimal(
    values: pd.Series,
    column: str,
    report: Report,
    *,
    required: bool = False,
    decimal_places: int = 2,
    max_digits: int = 18,
    min_value: float | None = None,
    max_value: float | None = None,
    min_inclusive: bool = True,
) -> pd.Series:
    """Parse an exact decimal number; returns canonical text ("" where empty).

    The text is kept (not a float) so that money reaches the database exactly; floats are
    used only to check ranges. Thousands separators ("1,234.50") are accepted; more
    decimal places than the field stores are refused rather than silently rounded. Beyond
    the given range, every value stays within the business range of its kind (core.bounds:
    quantities for :data:`QUANTITY_COLUMNS`, amounts otherwise), as on every other path.
    """
    min_value, max_value, min_inclusive = _bounded(column, min_value, max_value, min_inclusive)
    raw = values.astype(str).str.strip()
    codes, distinct = _distinct(raw)
    cleaned = distinct
    # The regex replacements are slow; most files need neither.
    if bool(cleaned.str.contains(",", regex=False).any()):
        cleaned = cleaned.str.replace(_THOUSANDS, "", regex=True)
    if bool(cleaned.str.startswith("+").any()):
        cleaned = cleaned.str.replace(r"^\+", "", regex=True)
    integer_digits = max_digits - decimal_places
    pattern = (
        rf"-?\d{{1,{integer_digits}}}(?:\.\d{{0,{decimal_places}}})?"
        rf"|-?\.\d{{1,{decimal_places}}}"
    )
    well_formed_d = cleaned.str.fullmatch(pattern).fillna(False).astype(bool)
    number_d = pd.to_numeric(cleaned.where(well_formed_d), errors="coerce")
    parsable_d = pd.to_numeric(cleaned, errors="coerce").notna()
    empty = _back(cleaned == "", codes, raw.index)
    well_formed = _back(well_formed_d, codes, raw.index)
    number = _back(number_d, codes, raw.index)
    if required:
        flag_code(report, empty, column, "required")
    bad = ~empty & ~well_formed
    if bool(bad.any()):
        parsable = _back(parsable_d, codes, raw.index).astype(bool)
        digits = {"places": decimal_places, "digits": integer_digits}
        flag_value(report, bad & parsable, column, "too_many_digits", raw, digits)
        flag_value(report, bad & ~parsable, column, "not_number", raw)
    ok = ~empty & well_formed
    if min_value is not None:
        low = (number < min_value) if min_inclusive else (number <= min_value)
        low = low.fillna(False).astype(bool) & ok
        code = "below_min" if min_inclusive else "not_above_min"
        flag_value(report, low, column, code, raw, {"min": _limit_text(min_value)})
    if max_value is not None:
        high = (number > max_value).fillna(False).astype(bool) & ok
        flag_value(report, high, column, "above_max", raw, {"max": _limit_text(max_value)})
    return _back(cleaned, codes, raw.index).where(ok, "")


def integer(
    values: pd.Series,
    column: str,
    report: Report,
    *,
    required: bool = False,
    min_value: int | None = None,
    max_value: int | None = None,
) -> pd.Series:
    """Parse a whole number; returns a nullable Int64 Series."""
    raw = values.astype(str).str.strip()
    empty = raw == ""
    if required:
        flag_code(report, empty, column, "required")
    # "3.0" comes out of spreadsheets for 3: accept a zero fraction.
    well_formed = raw.str.fullmatch(r"-?\d{1,15}(?:\.0*)?").fillna(False).astype(bool)
    flag_value(report, ~empty & ~well_formed, column, "not_whole_number", raw)
    number = pd.to_numeric(raw.where(well_formed), errors="coerce").astype("Int64")
    if min_value is not None:
        low = (number < min_value).fillna(False).astype(bool)
        flag_value(report, low, column, "below_min", raw, {"min": str(min_value)})
    if max_value is not None:
        high = (number > max_value).fillna(False).astype(bool)
        flag_value(report, high, column, "above_max", raw, {"max": str(max_value)})
    return number


_DATE = re.compile(
    r"(?P<y>\d{4})[-/.年]?(?P<m>\d{1,2})[-/.月]?(?P<d>\d{1,2})日?"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:\.\d+)?)?)?"
)


def date(values: pd.Series, column: str, report: Report, *, required: bool = False) -> pd.Series:
    """Parse dates (2024-03-01, 2024/3/1, 20240301, 2024年3月1日, optional time).

    Returns datetime64 values (NaT where empty, invalid or outside the business dates of
    core.bounds, e.g. 0001-01-01); impossible dates such as 2024-02-30 are reported, not
    rolled over.
    """
    raw = values.astype(str).str.strip()
    empty = raw == ""
    if required:
        flag_code(report, empty, column, "required")
    # Dates repeat (every line of an order carries the order date): parse each distinct
    # text once, then map back, which makes a 1M-line file cost as much as its distinct dates.
    distinct = pd.Series(raw.unique())
    parts = distinct.str.extract(_DATE.pattern + "$")
    iso = (
        parts["y"]
        + "-"
        + parts["m"].str.zfill(2)
        + "-"
        + parts["d"].str.zfill(2)
        + " "
        + parts["H"].fillna("0").str.zfill(2)
        + ":"
        + parts["M"].fillna("00")
        + ":"
        + parts["S"].fillna("00")
    )
    parsed_distinct = pd.to_datetime(iso, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    positions = pd.Index(distinct).get_indexer(raw)
    parsed = pd.Series(parsed_distinct.to_numpy()[positions], index=raw.index)
    # The year decides first: 0001 or 9999 cannot even be held by the parsed values.
    years = pd.Series(pd.to_numeric(parts["y"], errors="coerce").to_numpy()[positions])
    years.index = raw.index
    limits = bounds.limits()
    first, last = pd.Timestamp(limits.min_date), pd.Timestamp(limits.max_date)
    early = ~empty & ((years < limits.min_date.year) | (parsed < first)).fillna(False)
    late = ~empty & ((years > limits.max_date.year) | (parsed >= last + pd.Timedelta(days=1)))
    late = late.fillna(False)
    bad = ~empty & parsed.isna() & ~early & ~late
    flag_value(report, bad, column, "not_date", raw)
    flag_value(report, early, column, "below_min", raw, {"min": limits.min_date.isoformat()})
    flag_value(report, late, column, "above_max", raw, {"max": limits.max_date.isoformat()})
    return parsed.where(~early & ~late)


def choice(
    values: pd.Series,
    column: str,
    report: Report,
    choices: Mapping[str, str],
    *,
    required: bool = False,
    default: str = "",
) -> pd.Series:
    """Map labels or codes (case-insensitive, Chinese labels welcome) to choice values."""
    raw = values.astype(str).str.strip()
    empty = raw == ""
    if required and not default:
        flag_code(report, empty, column, "required")
    lookup = {key.strip().lower(): value for key, value in choices.items()}
    codes, distinct = _distinct(raw)
    mapped = _back(distinct.str.lower().map(lookup), codes, raw.index)
    bad = ~empty & mapped.isna()
    values_allowed = sorted(set(choices.values()))
    params: dict[str, Any] = {"allowed": ", ".join(values_allowed)}
    labels = getattr(choices, "labels", None)
    if labels:  # worded in the reader's language by messages.render_issue
        params["allowed_labels"] = [labels.get(v, v) for v in values_allowed]
    flag_value(report, bad, column, "not_choice", raw, params)
    return mapped.where(~empty, default).fillna("")


def unique(values: pd.Series, column: str, report: Report, *, what: str) -> pd.Series:
    """Report repeats of a key within the file; returns a mask of first occurrences."""
    present = values != ""
    repeated = values.duplicated(keep="first") & present
    if bool(repeated.any()):
        first_row = pd.Series(values.index, index=values.index).groupby(values).transform("min")
        per_row = {"value": _quote(values[repeated]), "first": first_row[repeated].astype(int)}
        flag_code(report, repeated, column, "duplicate", {"what": what}, per_row)
    return ~repeated


def reference(
    values: pd.Series, column: str, report: Report, known: Iterable[str], *, what: str
) -> pd.Series:
    """Report values that are not among ``known`` keys; returns the mask of found ones."""
    known_index = pd.Index(list(known))
    present = values != ""
    found = values.isin(known_index)
    missing = present & ~found
    if bool(missing.any()):
        flag_value(report, missing, column, "unknown_reference", values, {"what": what})
    return found | ~present
