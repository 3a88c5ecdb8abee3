"""Routes of the customer pages."""

from django.urls import path

from paretocrm.customers import duplicate_views, merge_views, views

app_name = "customers"

urlpatterns = [
    path("", views.CustomerListView.as_view(), name="list"),
    path("duplicates/", duplicate_views.duplicates, name="duplicates"),
    path("views/", views.SaveViewView.as_view(), name="save_view"),
    path("views/<int:pk>/delete/", views.DeleteViewView.as_view(), name="delete_view"),
    path("export/<str:file_format>/", views.CustomerExportView.as_view(), name="export"),
    path("<int:pk>/", views.CustomerDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.CustomerEditView.as_view(), name="edit"),
    path("<int:pk>/merge/<int:other>/", merge_views.merge, name="merge"),
    path("<int:pk>/team/", views.AccountTeamAddView.as_view(), name="team_add"),
    path(
        "<int:pk>/team/<int:member_pk>/remove/",
        views.AccountTeamRemoveView.as_view(),
        name="team_remove",
    ),
    path("contacts/<int:pk>/unmask/", views.ContactUnmaskView.as_view(), name="contact_unmask"),
    path(
        "contacts/<int:pk>/personal-data.<str:file_format>",
        views.ContactPersonalDataView.as_view(),
        name="contact_personal_data",
    ),
    path("contacts/<int:pk>/erase/", views.ContactEraseView.as_view(), name="contact_erase"),
]
