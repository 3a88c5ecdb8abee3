"""Routes of the sales pages."""

from django.urls import path

from paretocrm.sales import views

app_name = "sales"

urlpatterns = [path("", views.OrderListView.as_view(), name="orders")]
