"""Routes of the marketing pages."""

from django.urls import path

from paretocrm.marketing import views

app_name = "marketing"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaigns"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/<str:action>/", views.campaign_action, name="campaign_action"),
]
