"""Routes of the sales pages (mounted at the site root by ``web_urls``)."""

from django.urls import path

from paretocrm.sales import views

app_name = "sales"

urlpatterns = [
    path("orders/", views.OrderListView.as_view(), name="orders"),
    path("contracts/", views.ContractListView.as_view(), name="contracts"),
    path("contracts/<int:pk>/", views.ContractDetailView.as_view(), name="contract"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoices"),
]
