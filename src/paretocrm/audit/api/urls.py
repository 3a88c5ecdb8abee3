"""API routes of the audit log (read-only)."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from paretocrm.audit.api import views

router = SimpleRouter()
router.register("events", views.AuditEventViewSet, basename="auditevent")
router.register("changes", views.FieldChangeViewSet, basename="fieldchange")

urlpatterns = router.urls
