"""Running an import: read, validate every row, then commit all-or-nothing (IMP-1..IMP-4).

``run_import`` owns the transaction. The ImportBatch audit row is written outside it, so a
rejected or failed import still leaves its record while none of its data is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from paretocrm.audit.choices import ChangeChannel, SecurityEventKind
from paretocrm.audit.context import audit_context
from paretocrm.audit.services import record_event
from paretocrm.imports import validation as check
from paretocrm.imports.kinds import KINDS, ImportKind, WriteCounts
from paretocrm.imports.models import ImportBatch, ImportStatus
from paretocrm.imports.parsing import ImportFileError, Limits
from paretocrm.imports.permissions import check_permissions


class ImportError_(Exception):  # trailing _: the builtin ImportError means something else
    """An import request that cannot start (unknown kind, bad option)."""


@dataclass
class ImportResult:
    """What an import run found and did."""

    kind: str
    source: str
    status: str
    report: check.Report
    rows: int = 0
    counts: WriteCounts = field(default_factory=WriteCounts)
    related: dict[str, WriteCounts] = field(default_factory=dict)
    skipped_rows: list[int] = field(default_factory=list)
    batch_id: int | None = None

    @property
    def ok(self) -> bool:
        """True when the run did what was asked (validated clean, or committed)."""
        return self.status in (ImportStatus.VALIDATED, ImportStatus.COMMITTED) and not (
            self.status == ImportStatus.VALIDATED and self.report.has_errors
        )


@dataclass
class ProgressHooks:
    """Optional callbacks for a progress bar: ``start(total, label)`` then ``advance(n)``."""

    start: Callable[[int, str], None] = lambda total, label: None
    advance: Callable[[int], None] = lambda n: None


def run_import(
    kind_name: str,
    path: Path | str,
    *,
    dry_run: bool = False,
    skip_invalid: bool = False,
    encoding: str = "utf-8",
    sheet: str | None = None,
    user: Any = None,
    limits: Limits | None = None,
    hooks: ProgressHooks | None = None,
) -> ImportResult:
    """Import ``path`` as ``kind_name``; see the module docstring for the guarantees."""
    if kind_name not in KINDS:
        raise ImportError_(f"unknown kind {kind_name!r}; choose from {', '.join(sorted(KINDS))}.")
    path = Path(path)
    hooks = hooks or ProgressHooks()
    kind = KINDS[kind_name]()
    report = check.Report(path.name)
    batch = ImportBatch.objects.create(
        kind=kind_name,
        file_name=path.name[:255],
        user=user if getattr(user, "pk", None) else None,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )
    result = ImportResult(kind_name, path.name, ImportStatus.RUNNING, report, batch_id=batch.pk)
    try:
        rows = _validate(kind, path, report, encoding=encoding, sheet=sheet, limits=limits)
        if not report.file_error:
            check_permissions(kind_name, rows, report, user)
    except ImportFileError as exc:
        report.add(0, "", str(exc))
        return _finish(batch, result, ImportStatus.REJECTED)
    result.rows = len(rows)
    if report.file_error:
        return _finish(batch, result, ImportStatus.REJECTED)
    if dry_run:
        return _finish(batch, result, ImportStatus.VALIDATED)
    if report.has_errors and not skip_invalid:
        return _finish(batch, result, ImportStatus.REJECTED)
    valid = rows.drop(index=sorted(report.invalid_rows & set(rows.index)))
    result.skipped_rows = sorted(report.invalid_rows)
    try:
        hooks.start(len(valid), f"writing {kind_name}")
        with audit_context(ChangeChannel.IMPORT, user), transaction.atomic():
            result.counts = kind.write(valid, hooks.advance)
        result.related = dict(getattr(kind, "related_counts", {}))
    except (IntegrityError, DatabaseError) as exc:
        # Validation should have caught it; the transaction rolled back, so nothing is kept.
        report.add(0, "", f"the database refused the import, nothing was written: {exc}")
        return _finish(batch, result, ImportStatus.FAILED)
    return _finish(batch, result, ImportStatus.COMMITTED)


def _validate(
    kind: ImportKind,
    path: Path,
    report: check.Report,
    *,
    encoding: str,
    sheet: str | None,
    limits: Limits | None,
) -> pd.DataFrame:
    """Read and check every row; returns the prepared rows (invalid ones still included)."""
    raw = kind.load(path, encoding=encoding, sheet=sheet, limits=limits or Limits())
    for row, message in raw.malformed_rows:
        report.add(row, "", message)
    mapping = kind.map_headers(raw.headers, report)
    if report.file_error:
        return pd.DataFrame()
    frame = raw.table.select(list(mapping)).rename_columns(list(mapping.values())).to_pandas()
    frame.index = pd.Index(raw.row_numbers, name="row")
    rows = kind.prepare(frame, report)
    _spread_group_errors(kind, rows, report)
    return rows


def _spread_group_errors(kind: ImportKind, rows: pd.DataFrame, report: check.Report) -> None:
    """When one line of an order is invalid, the whole order is (never half an order)."""
    if kind.group_column is None or not report.invalid_rows:
        return
    keys = rows[kind.group_column]
    bad_rows = rows.index.isin(list(report.invalid_rows))
    bad_keys = set(keys[bad_rows]) - {""}
    victims = keys.isin(list(bad_keys)) & ~bad_rows
    if bool(victims.any()):
        first_bad = pd.Series(rows.index[bad_rows], index=keys[bad_rows]).groupby(level=0).min()
        messages = [
            f"skipped with its {kind.key_label} {k!r}: row {first_bad[k]} of it is invalid"
            for k in keys[victims]
        ]
        report.add_rows(rows.index[victims.to_numpy()], kind.group_column, messages)


def _finish(batch: ImportBatch, result: ImportResult, status: str) -> ImportResult:
    result.status = status
    batch.status = status
    batch.finished_at = timezone.now()
    batch.rows = result.rows
    batch.created = result.counts.created
    batch.updated = result.counts.updated
    batch.unchanged = result.counts.unchanged
    batch.skipped = len(result.skipped_rows) if status == ImportStatus.COMMITTED else 0
    batch.errors = result.report.error_count
    summary = result.report.as_dict()
    summary["related"] = {k: vars(v) for k, v in result.related.items()}
    batch.report = summary
    batch.save()
    if not batch.dry_run:
        record_event(
            SecurityEventKind.IMPORT,
            actor=batch.user,
            target=batch,
            channel=ChangeChannel.IMPORT,
            detail={"kind": batch.kind, "file": batch.file_name, "status": status},
        )
    return result
