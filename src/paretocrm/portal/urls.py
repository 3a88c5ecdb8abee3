"""Routes of the customer portal (/portal/): the only pages a portal user may reach."""

from django.urls import path

from paretocrm.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.OverviewView.as_view(), name="overview"),
    path("orders/", views.OrderListView.as_view(), name="orders"),
    path("orders/<int:pk>/", views.OrderDetailView.as_view(), name="order"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoices"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice"),
    path("cases/", views.CaseListView.as_view(), name="cases"),
    path("cases/new/", views.CaseCreateView.as_view(), name="case_new"),
    path("cases/<int:pk>/", views.CaseDetailView.as_view(), name="case"),
    path("attachments/<int:pk>/", views.PortalAttachmentView.as_view(), name="attachment"),
    path("surveys/", views.SurveyView.as_view(), name="surveys"),
    path("knowledge/", views.KnowledgeView.as_view(), name="knowledge"),
    path("knowledge/<int:pk>/", views.ArticleView.as_view(), name="article"),
    path("details/", views.DetailsView.as_view(), name="details"),
    path("invitation/<str:token>/", views.accept_invitation, name="invitation"),
]
