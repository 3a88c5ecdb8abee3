"""API routes of the knowledge app."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from paretocrm.knowledge.api import views

router = SimpleRouter()
router.register("articles", views.ArticleViewSet, basename="article")

urlpatterns = router.urls
