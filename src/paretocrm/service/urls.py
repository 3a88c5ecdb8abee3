"""Routes of the service pages."""

from django.urls import path

from paretocrm.service import sla_views, views

app_name = "service"

urlpatterns = [
    path("", views.CaseListView.as_view(), name="cases"),
    path("new/", views.new_case, name="case_new"),
    path("sla/", sla_views.policy_list, name="sla_policies"),
    path("sla/new/", sla_views.policy_edit, name="sla_policy_new"),
    path("sla/<int:pk>/", sla_views.policy_edit, name="sla_policy"),
    path("sla/<int:pk>/archive/", sla_views.policy_archive, name="sla_policy_archive"),
    path("<int:pk>/", views.case_detail, name="case"),
    path("<int:pk>/<str:action>/", views.case_action, name="case_action"),
    # Opened from the e-mailed link by the customer, who has no login: the token is the key.
    path("survey/<str:token>/", views.survey_answer, name="survey"),
]
