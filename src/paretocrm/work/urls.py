"""Routes of the work pages."""

from django.urls import path

from paretocrm.work import peak_views, plan_views, report_views, views

app_name = "work"

urlpatterns = [
    path("tasks/", views.my_tasks, name="tasks"),
    path(
        "tasks/<int:pk>/<str:action>/",
        views.task_action,
        name="task_action",
    ),
    path("call-lists/", views.call_lists, name="call_lists"),
    path("call-lists/<int:pk>/", views.call_list_detail, name="call_list"),
    path("call-lists/<int:pk>/export/", views.call_list_export, name="call_list_export"),
    path("call-lists/<int:pk>/outcomes/", views.call_list_outcomes, name="call_list_outcomes"),
    path("scorecards/", views.scorecard_page, name="scorecards"),
    path("scorecards/export.xlsx", views.scorecard_export, name="scorecards_export"),
    path("peak-season/", peak_views.peak_season, name="peak_season"),
    path("reports/", report_views.report_index, name="reports"),
    path("reports/concentration/", report_views.concentration_page, name="concentration"),
    path(
        "reports/concentration.xlsx",
        report_views.concentration_export,
        name="concentration_export",
    ),
    path("plans/", plan_views.plan_list, name="plans"),
    path("plans/new/<int:customer_pk>/", plan_views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan"),
    path("plans/<int:pk>/edit/", plan_views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/export.xlsx", plan_views.plan_export, name="plan_export"),
    path("plans/<int:pk>/add/<str:part>/", plan_views.plan_add, name="plan_add"),
    path(
        "plans/<int:pk>/actions/<int:action_pk>/status/",
        plan_views.plan_action_status,
        name="plan_action_status",
    ),
]
