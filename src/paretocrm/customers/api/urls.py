"""API routes of the customers app."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from paretocrm.customers.api import views

router = SimpleRouter()
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("contacts", views.ContactViewSet, basename="contact")
router.register("interactions", views.InteractionViewSet, basename="interaction")
router.register("account-plans", views.AccountPlanViewSet, basename="accountplan")
router.register(
    "account-team-members", views.AccountTeamMemberViewSet, basename="account-team-member"
)

urlpatterns = router.urls
