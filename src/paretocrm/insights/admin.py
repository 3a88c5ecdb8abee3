"""Back-office view of scoring runs (read-only: snapshots are written by runs only)."""

from django.contrib import admin

from paretocrm.core.admin import AppendOnlyAdmin
from paretocrm.insights.models import CustomerScore, HealthWeights, RatingWeights, ScoreRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(ScoreRun)
class ScoreRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "as_of", "status", "source", "customers_scored", "started_at")
    list_filter = ("status", "source")


@admin.register(CustomerScore)
class CustomerScoreAdmin(ReadOnlyAdmin):
    list_display = (
        "customer",
        "run",
        "tier",
        "rating",
        "p_alive",
        "health",
        "clv",
        "lifecycle_stage",
    )
    list_filter = ("tier", "lifecycle_stage", "run")
    search_fields = ("customer__name", "customer__code")
    list_select_related = ("customer", "run")


@admin.register(RatingWeights)
class RatingWeightsAdmin(AppendOnlyAdmin):
    list_display = ("id", "saved_at", "saved_by", "method", "consistency_ratio", "note")
    list_filter = ("method",)
    list_select_related = ("saved_by",)


@admin.register(HealthWeights)
class HealthWeightsAdmin(AppendOnlyAdmin):
    list_display = ("id", "saved_at", "saved_by", "note")
    list_select_related = ("saved_by",)
