"""Routes of the work pages."""

from django.urls import path

from paretocrm.work import views

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
    path("scorecards/", views.scorecard_page, name="scorecards"),
]
