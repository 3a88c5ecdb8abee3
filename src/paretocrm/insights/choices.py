"""Choices of the insights app; the values mirror the analytics engine's labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class RunErrorCode(models.TextChoices):
    """Why a run failed, for the failures the web app itself detects (worded at display)."""

    NO_ORDERS = "no_orders", _("no orders to score")
    WORKER_STOPPED = "worker_stopped", _("the worker stopped")


class RunSource(models.TextChoices):
    CLI = "cli", _("Command line")
    WEB = "web", _("Web")
    SCHEDULE = "schedule", _("Schedule")


class Tier(models.TextChoices):
    CORE = "core", _("Core customer")
    KEY = "key", _("Key customer")
    ORDINARY = "ordinary", _("Ordinary customer")
    POTENTIAL = "potential", _("Potential customer")
    LOW_VALUE = "low_value", _("Low-value customer")


class LifecycleStage(models.TextChoices):
    EXPLORATION = "exploration", _("Exploration")
    FORMATION = "formation", _("Formation")
    STABLE = "stable", _("Stable")
    DECLINE = "decline", _("Decline")


class WeightMethod(models.TextChoices):
    """How a saved set of rating weights was decided."""

    DIRECT = "direct", _("Set directly")
    AHP = "ahp", _("Pairwise comparison (AHP)")
