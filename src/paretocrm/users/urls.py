"""Sign-in and sign-out routes."""

from django.urls import path

from paretocrm.users import views

app_name = "users"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
]
