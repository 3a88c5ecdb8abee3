"""API routes of the sales app."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from paretocrm.sales.api import views

router = SimpleRouter()
router.register("products", views.ProductViewSet, basename="product")
router.register("price-lists", views.PriceListViewSet, basename="pricelist")
router.register("opportunities", views.OpportunityViewSet, basename="opportunity")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("orders", views.OrderViewSet, basename="order")
router.register("invoices", views.InvoiceViewSet, basename="invoice")
router.register("payments", views.PaymentViewSet, basename="payment")

urlpatterns = router.urls
