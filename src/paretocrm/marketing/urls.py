"""Routes of the marketing pages."""

from django.urls import path

from paretocrm.marketing import views

app_name = "marketing"

urlpatterns = [path("", views.CampaignListView.as_view(), name="campaigns")]
