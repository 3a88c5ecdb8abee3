"""The audit trail of imports: one ImportBatch row per run of an import."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    """Outcome of an import run."""

    RUNNING = "running", _("running")
    VALIDATED = "validated", _("validated (dry run)")
    COMMITTED = "committed", _("committed")
    REJECTED = "rejected", _("rejected (nothing written)")
    FAILED = "failed", _("failed (nothing written)")


class ImportBatch(models.Model):
    """One import run: what, from which file, by whom, when, and what it did.

    Written outside the import's own transaction, so a rejected or failed import still
    leaves its record (QUALITY.md AUD-3). ``report`` holds the row / column / message list.
    """

    kind = models.CharField(_("kind"), max_length=32)
    file_name = models.CharField(_("file name"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="import_batches",
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    skip_invalid = models.BooleanField(_("skip invalid rows"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.RUNNING
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rows read"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    skipped = models.PositiveIntegerField(_("skipped rows"), default=0)
    errors = models.PositiveIntegerField(_("errors"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    # Set by the web import page, which uploads first and runs the batch in the background.
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    encoding = models.CharField(_("encoding"), max_length=16, default="utf-8")
    stored_file = models.CharField(
        _("stored upload"),
        max_length=500,
        blank=True,
        help_text=_("Uploaded file kept in the data directory until it is committed."),
    )
    checked_batch = models.ForeignKey(
        "self",
        verbose_name=_("dry run committed"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commits",
    )

    class Meta:
        ordering = ("-started_at", "-id")
        verbose_name = _("import batch")
        verbose_name_plural = _("import batches")
        indexes = (models.Index(fields=("kind", "started_at"), name="imports_batch_kind_idx"),)

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"
