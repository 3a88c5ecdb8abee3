"""Routes of the insights pages."""

from django.urls import path

from paretocrm.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("core-customers/", views.CoreCustomersView.as_view(), name="core_customers"),
    path(
        "core-customers/export.xlsx",
        views.CoreCustomersExportView.as_view(),
        name="core_customers_export",
    ),
    path("rfm/", views.RfmBookView.as_view(), name="rfm"),
    path("settings/scoring/", views.ScoringView.as_view(), name="scoring"),
    path("settings/scoring/status/", views.ScoringStatusView.as_view(), name="scoring_status"),
    path("settings/rating/", views.RatingSettingsView.as_view(), name="rating_settings"),
    path("settings/rating/weights/", views.SaveWeightsView.as_view(), name="save_weights"),
    path("settings/rating/ahp/", views.AHPCheckView.as_view(), name="ahp_check"),
    path(
        "settings/rating/health/",
        views.SaveHealthWeightsView.as_view(),
        name="save_health_weights",
    ),
    path("settings/rating/ahp/save/", views.SaveAHPWeightsView.as_view(), name="save_ahp"),
]
