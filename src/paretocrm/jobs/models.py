"""State of the worker's schedule: when each periodic job is next due.

Kept in the database (not in the worker's memory) so a restarted worker neither repeats a
job nor forgets one it missed, and two workers never both enqueue the same occurrence.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduledJob(models.Model):
    """One periodic job of the registry and the next time it is due."""

    name = models.CharField(_("job"), max_length=80, unique=True)
    next_run_at = models.DateTimeField(_("next run at"))
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} @ {self.next_run_at:%Y-%m-%d %H:%M}"


class JobLease(models.Model):
    """A job being worked on, and until when its process has promised to be alive.

    The process doing the job renews ``expires_at`` every few seconds (a heartbeat thread).
    A lease whose process is gone (same host: its pid no longer runs; another host: the
    lease expired) is *lost*: ``services.sweep_lost_jobs`` marks the queue row and the job's
    record (import batch, score run) failed and queues a retry when the job allows one.
    """

    name = models.CharField(_("job"), max_length=80)
    task_id = models.CharField(_("queue row"), max_length=64, blank=True, db_index=True)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    record_id = models.BigIntegerField(_("record"), null=True, blank=True)
    host = models.CharField(_("host"), max_length=255)
    pid = models.PositiveIntegerField(_("process id"))
    pid_started = models.CharField(_("process start"), max_length=32, blank=True)
    started_at = models.DateTimeField(_("started at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("job lease")
        verbose_name_plural = _("job leases")
        ordering = ("started_at", "id")

    def __str__(self) -> str:
        return f"{self.name} @ {self.host}:{self.pid}"
