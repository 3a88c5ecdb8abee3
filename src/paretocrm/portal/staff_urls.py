"""Staff routes of the portal app (/portal-access/)."""

from django.urls import path

from paretocrm.portal import staff_views

app_name = "portal_access"

urlpatterns = [
    path("", staff_views.PortalAccessView.as_view(), name="list"),
    path("<int:pk>/deactivate/", staff_views.DeactivateView.as_view(), name="deactivate"),
    path("attachments/<int:pk>/", staff_views.StaffAttachmentView.as_view(), name="attachment"),
    path("triage/", staff_views.TriageView.as_view(), name="triage"),
]
