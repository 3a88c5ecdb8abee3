"""Routes of the audit log page."""

from django.urls import path

from paretocrm.audit import views

app_name = "audit"

urlpatterns = [path("", views.AuditLogView.as_view(), name="log")]
