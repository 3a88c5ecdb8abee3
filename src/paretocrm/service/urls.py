"""Routes of the service pages."""

from django.urls import path

from paretocrm.service import views

app_name = "service"

urlpatterns = [path("", views.CaseListView.as_view(), name="cases")]
