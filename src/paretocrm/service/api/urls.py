"""API routes of the service app."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from paretocrm.service.api import views

router = SimpleRouter()
router.register("cases", views.CaseViewSet, basename="case")
router.register("care-records", views.CareRecordViewSet, basename="carerecord")
router.register("surveys", views.SurveyResponseViewSet, basename="surveyresponse")

urlpatterns = router.urls
