"""API routes of the work app."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from paretocrm.work.api import views

router = SimpleRouter()
router.register("tasks", views.TaskViewSet, basename="task")
router.register("call-lists", views.CallListViewSet, basename="call-list")

urlpatterns = router.urls
