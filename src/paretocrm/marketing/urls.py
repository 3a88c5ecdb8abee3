"""Routes of the marketing pages."""

from django.urls import path

from paretocrm.marketing import views

app_name = "marketing"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaigns"),
    path("concepts/", views.concept_list, name="concepts"),
    path("concepts/<int:pk>/", views.concept_detail, name="concept"),
    # Opened from the e-mailed link by the customer, who has no login: the token is the key.
    path("concepts/answer/<str:token>/", views.concept_answer, name="concept_answer"),
    path("new/", views.campaign_edit, name="campaign_new"),
    path("<int:pk>/", views.campaign_detail, name="campaign"),
    path("<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path("<int:pk>/archive/", views.campaign_archive, name="campaign_archive"),
    path("<int:pk>/audience/<str:file_format>/", views.audience_export, name="audience_export"),
    path("<int:pk>/<str:action>/", views.campaign_action, name="campaign_action"),
]
