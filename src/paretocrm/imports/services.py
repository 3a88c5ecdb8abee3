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
from django.utils.translation import gettext as _

from paretocrm.audit.choices import ChangeChannel, SecurityEventKind
from paretocrm.audit.context import audit_context
from paretocrm.audit.services import record_event
from paretocrm.core.exceptions import DomainError
from paretocrm.imports import validation as check
from paretocrm.imports.kinds import KINDS, ImportKind, WriteCounts
from paretocrm.imports.models import ImportBatch, ImportStatus
from paretocrm.imports.parsing import ImportFileError, Limits
from paretocrm.imports.permissions import check_permissions


class ImportRefused(DomainError):
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
    batch: ImportBatch | None = None,
) -> ImportResult:
    """Import ``path`` as ``kind_name``; see the module docstring for the guarantees.

    ``user`` is whom the import runs as: their scope, field permissions and audit trail
    (IMP-5). None is an unrestricted system import, audited as such; the command line
    only makes one when the operator says ``--as-system``.

    ``batch`` is an audit row created beforehand (the web page creates it at upload so its
    progress can be watched); without it a new one is written.
    """
    if kind_name not in KINDS:
        raise ImportRefused(f"unknown kind {kind_name!r}; choose from {', '.join(sorted(KINDS))}.")
    path = Path(path)
    hooks = hooks or ProgressHooks()
    kind = KINDS[kind_name](importer=user if getattr(user, "pk", None) else None)
    report = check.Report(path.name)
    if batch is None:
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
            check_permissions(kind, rows, report, user)
    except ImportFileError as exc:
        report.add(0, "", str(exc), code=exc.code, params=exc.params)
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
    for row, found in raw.malformed_rows:
        params = {"expected": len(raw.headers), "found": found}
        report.add_coded(row, "", "wrong_field_count", params)
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
        for row, key in zip(rows.index[victims.to_numpy()], keys[victims], strict=True):
            params = {"what": kind.key_label, "value": repr(key), "first": int(first_bad[key])}
            report.add_coded(int(row), kind.group_column, "skipped_with_group", params)


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
            detail={
                "kind": batch.kind,
                "file": batch.file_name,
                "status": status,
                # No user: an unrestricted system import (the operator's --as-system).
                "system": batch.user_id is None,
            },
        )
    return result


# --- The web import page: upload, dry run and commit as separate background runs ---------

UPLOAD_DIR = "imports"
WEB_ENCODINGS = ("utf-8", "gb18030")
#: Progress points: validation runs without hooks; writing fills the rest.
VALIDATING_AT, WRITING_FROM = 10, 40
PROGRESS_FILE = ".progress"


def upload_root() -> Path:
    """Where uploaded files wait for their dry run and commit (inside the data directory)."""
    from django.conf import settings

    return Path(settings.DATA_DIR) / UPLOAD_DIR


def store_upload(upload: Any, *, kind_name: str, encoding: str, user: Any) -> ImportBatch:
    """Keep an uploaded file and create its dry-run batch (not yet run).

    The file keeps its own name (inside a fresh directory) so the report names it as the
    user knows it. Raises ``ImportRefused`` naming the parameter for an unknown kind,
    encoding or file type.
    """
    from uuid import uuid4

    from django.utils.text import get_valid_filename

    from paretocrm.imports.parsing import SUPPORTED_EXTENSIONS

    if kind_name not in KINDS:
        text = _("unknown %(value)s; choose from %(allowed)s.")
        raise ImportRefused(
            "kind: " + text % {"value": repr(kind_name), "allowed": ", ".join(sorted(KINDS))}
        )
    if encoding not in WEB_ENCODINGS:
        text = _("%(value)s is not one of %(allowed)s.")
        raise ImportRefused(
            "encoding: " + text % {"value": repr(encoding), "allowed": ", ".join(WEB_ENCODINGS)}
        )
    name = get_valid_filename(Path(str(upload.name)).name) or "upload"
    if Path(name).suffix.lower() not in SUPPORTED_EXTENSIONS:
        raise ImportRefused("file: " + _("%(name)s is not a .csv or .xlsx file.") % {"name": name})
    folder = upload_root() / uuid4().hex
    folder.mkdir(parents=True)
    with (folder / name).open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return ImportBatch.objects.create(
        kind=kind_name,
        file_name=name[:255],
        user=user,
        dry_run=True,
        encoding=encoding,
        stored_file=str((folder / name).relative_to(upload_root())),
    )


@transaction.atomic
def prepare_commit(checked: ImportBatch, *, user: Any, skip_invalid: bool) -> ImportBatch:
    """The commit batch of a validated dry run (run it with ``run_batch``).

    Refused (``ImportRefused``) unless the dry run validated, its file is still there, it was
    not committed or started committing before, and errors are only accepted when the user
    chose to skip the invalid rows.
    """
    locked = ImportBatch.objects.select_for_update().get(pk=checked.pk)
    if not locked.dry_run or locked.status != ImportStatus.VALIDATED:
        raise ImportRefused(_("only a finished dry run can be committed."))
    if locked.commits.exclude(status__in=[ImportStatus.REJECTED, ImportStatus.FAILED]).exists():
        raise ImportRefused(_("this file was already committed (or is being committed)."))
    if locked.errors and not skip_invalid:
        raise ImportRefused(_("the file has errors: fix them, or choose to skip the invalid rows."))
    if not locked.stored_file or not (upload_root() / locked.stored_file).is_file():
        raise ImportRefused(_("the uploaded file is no longer available; upload it again."))
    return ImportBatch.objects.create(
        kind=locked.kind,
        file_name=locked.file_name,
        user=user,
        dry_run=False,
        skip_invalid=skip_invalid,
        encoding=locked.encoding,
        stored_file=locked.stored_file,
        checked_batch=locked,
    )


def run_batch(batch_id: int) -> ImportResult | None:
    """Run a prepared batch (dry run or commit) with progress; the one function to enqueue.

    Returns None when the batch is no longer waiting to run.
    """
    import shutil

    batch = ImportBatch.objects.select_related("user").get(pk=batch_id)
    if batch.status != ImportStatus.RUNNING or batch.finished_at is not None:
        return None
    path = upload_root() / batch.stored_file
    ImportBatch.objects.filter(pk=batch.pk).update(progress=VALIDATING_AT)
    try:
        result = run_import(
            batch.kind,
            path,
            dry_run=batch.dry_run,
            skip_invalid=batch.skip_invalid,
            encoding=batch.encoding,
            user=batch.user,
            batch=batch,
            hooks=_progress_hooks(batch.pk, path.parent / PROGRESS_FILE),
        )
    except Exception as error:
        message = f"the import stopped, nothing was written: {type(error).__name__}: {error}"
        issue = {"row": 0, "column": "", "message": message[:500], "severity": check.ERROR}
        ImportBatch.objects.filter(pk=batch.pk).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            errors=1,
            report={"source": batch.file_name, "errors": 1, "issues": [issue]},
        )
        raise
    ImportBatch.objects.filter(pk=batch.pk).update(progress=100)
    if result.status == ImportStatus.COMMITTED:
        shutil.rmtree(path.parent, ignore_errors=True)  # committed: the upload has served
    return result


def _progress_hooks(batch_id: int, progress_file: Path) -> ProgressHooks:
    """Report writing progress, at most once per percent point.

    Rows are written inside one transaction, so progress cannot go to the batch row (other
    connections would not see it before the commit, and SQLite would block on it); it goes
    to a small file beside the upload, which every web process can read.
    """
    state = {"total": 1, "done": 0, "shown": -1}

    def start(total: int, _label: str) -> None:
        state["total"] = max(total, 1)
        ImportBatch.objects.filter(pk=batch_id).update(progress=WRITING_FROM)

    def advance(count: int) -> None:
        state["done"] += count
        share = min(state["done"] / state["total"], 1.0)
        percent = int(WRITING_FROM + (99 - WRITING_FROM) * share)
        if percent > state["shown"]:
            state["shown"] = percent
            progress_file.write_text(str(percent), encoding="ascii")

    return ProgressHooks(start=start, advance=advance)


def batch_progress(batch: ImportBatch) -> int:
    """How far a batch is (0-100): the row, or the writing progress file when further."""
    if batch.finished_at is not None:
        return 100
    percent = batch.progress
    if batch.stored_file:
        try:
            text = (upload_root() / batch.stored_file).parent.joinpath(PROGRESS_FILE).read_text()
            percent = max(percent, int(text or 0))
        except (OSError, ValueError):
            pass  # not writing yet, or the file is being replaced: the row's value stands
    return min(percent, 100)
