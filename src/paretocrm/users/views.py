"""Sign-in and sign-out pages."""

from __future__ import annotations

from django.contrib.auth import views as auth_views


class SignInView(auth_views.LoginView):
    """Django's login view: one message for an unknown user and a wrong password.

    Django's ``AuthenticationForm`` already answers both cases with the same error, and
    the template shows a fixed sentence instead of the form's message, so the page never
    tells an attacker which user names exist.
    """

    template_name = "registration/login.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign out (POST only, with CSRF), then back to the sign-in page."""
