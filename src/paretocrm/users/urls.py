"""Sign-in and sign-out routes, and the user and team administration pages."""

from django.urls import path

from paretocrm.users import views

app_name = "users"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("account/settings/", views.PersonalSettingsView.as_view(), name="settings"),
    path("users/", views.UserListView.as_view(), name="users"),
    path("users/new/", views.UserCreateView.as_view(), name="user_new"),
    path("users/<int:pk>/", views.UserDetailView.as_view(), name="user"),
    path(
        "users/<int:pk>/deactivate/",
        views.UserActivationView.as_view(),
        {"action": "deactivate"},
        name="user_deactivate",
    ),
    path(
        "users/<int:pk>/reactivate/",
        views.UserActivationView.as_view(),
        {"action": "reactivate"},
        name="user_reactivate",
    ),
    path("users/<int:pk>/transfer/", views.UserTransferView.as_view(), name="user_transfer"),
    path("teams/", views.TeamListView.as_view(), name="teams"),
    path("teams/new/", views.TeamEditView.as_view(), name="team_new"),
    path("teams/<int:pk>/", views.TeamEditView.as_view(), name="team"),
]
