"""API routes of the marketing app."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from paretocrm.marketing.api import views

router = SimpleRouter()
router.register("campaigns", views.CampaignViewSet, basename="campaign")

urlpatterns = router.urls
