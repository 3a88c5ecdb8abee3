"""API routes of the insights app."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from paretocrm.insights.api import views

router = SimpleRouter()
router.register("score-runs", views.ScoreRunViewSet, basename="scorerun")
router.register("scores", views.CustomerScoreViewSet, basename="customerscore")

urlpatterns = router.urls
