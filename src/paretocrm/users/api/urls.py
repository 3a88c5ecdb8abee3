"""API routes of the staff directory."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from paretocrm.users.api import views

router = SimpleRouter()
router.register("users", views.UserViewSet, basename="user")
router.register("teams", views.TeamViewSet, basename="team")

urlpatterns = router.urls
