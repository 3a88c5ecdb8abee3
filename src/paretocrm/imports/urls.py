"""Routes of the import page."""

from django.urls import path

from paretocrm.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.ImportPageView.as_view(), name="page"),
    path("<int:pk>/", views.BatchView.as_view(), name="batch"),
    path("<int:pk>/status/", views.BatchStatusView.as_view(), name="batch_status"),
    path("<int:pk>/commit/", views.CommitView.as_view(), name="commit"),
    path(
        "template/<str:kind>/<str:fmt>/<str:language>/",
        views.TemplateDownloadView.as_view(),
        name="template",
    ),
]
