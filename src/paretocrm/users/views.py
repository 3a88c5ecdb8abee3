"""Sign-in and sign-out pages, and the administration of users and teams."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from paretocrm.core.views import FunctionRequiredMixin
from paretocrm.users import services
from paretocrm.users.forms import (
    NewUserForm,
    PersonalSettingsForm,
    TeamForm,
    TransferForm,
    UserForm,
)
from paretocrm.users.models import Team, User
from paretocrm.users.permissions import Function, has_function


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


# --- Administration of users and teams (function USER_ADMIN) ------------------------------


class UserAdminRequiredMixin(FunctionRequiredMixin):
    """Pages of the role policy's USER_ADMIN function; others get 403."""

    required_function = Function.USER_ADMIN


class UserListView(UserAdminRequiredMixin, ListView):
    """Every user with role, team and status; search by name, filter active/inactive.

    Also the way to a user's transfer page for roles that transfer accounts without
    administering users (the general manager): the list is the company's staff directory,
    which every member of staff reads through the API anyway.
    """

    template_name = "users/user_list.html"
    paginate_by = 50

    def test_func(self) -> bool:
        user = self.request.user
        return has_function(user, Function.USER_ADMIN) or has_function(user, Function.TRANSFER)

    def get_queryset(self) -> QuerySet[User]:
        queryset = User.objects.select_related("team", "manager").order_by("username")
        term = self.request.GET.get("q", "").strip()
        if term:
            queryset = queryset.filter(
                Q(username__icontains=term)
                | Q(first_name__icontains=term)
                | Q(last_name__icontains=term)
                | Q(email__icontains=term)
            )
        state = self.request.GET.get("active", "")
        if state in ("0", "1"):
            queryset = queryset.filter(is_active=state == "1")
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            q=self.request.GET.get("q", ""),
            active=self.request.GET.get("active", ""),
            may_admin=has_function(self.request.user, Function.USER_ADMIN),
        )
        return context


class UserCreateView(UserAdminRequiredMixin, View):
    """Create a user with a first password (checked by the password validators)."""

    template_name = "users/user_form.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, self.template_name, {"form": NewUserForm(), "new": True})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = NewUserForm(request.POST)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "password"}
            try:
                user = services.create_user(
                    password=form.cleaned_data["password"], by=request.user, **fields
                )
            except ValidationError as error:
                _attach(form, error)
            else:
                messages.success(request, _("User %(name)s was created.") % {"name": user})
                return redirect("users:user", pk=user.pk)
        return render(request, self.template_name, {"form": form, "new": True}, status=400)


class UserDetailView(UserAdminRequiredMixin, View):
    """Edit one user's profile, role, team and manager; activation and transfer below."""

    template_name = "users/user_form.html"

    def _context(self, user: User, **extra: Any) -> dict[str, Any]:
        context = {
            "staff": user,
            "form": UserForm(instance=user),
            "transfer_form": TransferForm(from_user=user),
            "owned_customers": user.owned_customers.count(),
            "may_admin": has_function(self.request.user, Function.USER_ADMIN),
        }
        context.update(extra)
        return context

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, self.template_name, self._context(get_object_or_404(User, pk=pk)))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = get_object_or_404(User, pk=pk)
        form = UserForm(request.POST, instance=User.objects.get(pk=pk))
        if form.is_valid():
            try:
                changed = services.update_user(user, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                _attach(form, error)
            else:
                if changed:
                    messages.success(request, _("The user was saved."))
                else:
                    messages.info(request, _("Nothing changed."))
                return redirect("users:user", pk=user.pk)
        return render(request, self.template_name, self._context(user, form=form), status=400)


class UserActivationView(UserAdminRequiredMixin, View):
    """POST: deactivate (ends sessions and API tokens at once) or reactivate a user."""

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        user = get_object_or_404(User, pk=pk)
        if action == "deactivate":
            if user.pk == request.user.pk:
                messages.error(request, _("You cannot deactivate yourself."))
                return redirect("users:user", pk=user.pk)
            ended = services.deactivate_user(user, by=request.user)
            messages.success(
                request,
                _("%(name)s was deactivated; %(n)s session(s) ended.") % {"name": user, "n": ended},
            )
        elif action == "reactivate":
            services.reactivate_user(user, by=request.user)
            messages.success(request, _("%(name)s may sign in again.") % {"name": user})
        else:
            raise Http404("unknown action")
        return redirect("users:user", pk=user.pk)


class UserTransferView(UserDetailView):
    """Move everything the user owns to another user or a team (one transaction).

    The role policy's TRANSFER function, which the general manager has without administering
    users: GET shows the user's page with only the transfer form, POST transfers.
    """

    required_function = Function.TRANSFER

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = get_object_or_404(User, pk=pk)
        form = TransferForm(request.POST, from_user=user)
        if form.is_valid():
            try:
                result = services.transfer_accounts(
                    user, form.target(), by=request.user, reason=form.cleaned_data["reason"]
                )
            except services.TransferError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("%(n)s records moved (%(customers)s customers).")
                    % {"n": result.total, "customers": result.customers},
                )
                return redirect("users:user", pk=user.pk)
        return render(
            request, self.template_name, self._context(user, transfer_form=form), status=400
        )


class TeamListView(UserAdminRequiredMixin, ListView):
    """Teams with their parent and number of active members (one query)."""

    template_name = "users/team_list.html"
    paginate_by = 50

    def get_queryset(self) -> QuerySet[Team]:
        return (
            Team.objects.select_related("parent")
            .annotate(active_members=Count("members", filter=Q(members__is_active=True)))
            .order_by("name", "id")
        )


class TeamEditView(UserAdminRequiredMixin, View):
    """Create (no ``pk``) or edit a team."""

    template_name = "users/team_form.html"

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        team = get_object_or_404(Team, pk=pk) if pk else None
        return render(request, self.template_name, {"form": TeamForm(instance=team), "team": team})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        team = get_object_or_404(Team, pk=pk) if pk else None
        form = TeamForm(request.POST, instance=team)
        if form.is_valid():
            saved = form.save()
            messages.success(request, _("Team %(name)s was saved.") % {"name": saved.name})
            return redirect("users:teams")
        return render(request, self.template_name, {"form": form, "team": team}, status=400)


class PersonalSettingsView(LoginRequiredMixin, View):
    """The signed-in person's own settings: language of e-mails, daily digest on or off."""

    template_name = "users/personal_settings.html"

    def get(self, request: HttpRequest) -> HttpResponse:
        form = PersonalSettingsForm(instance=request.user)
        return render(request, self.template_name, {"form": form})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PersonalSettingsForm(request.POST, instance=request.user)
        if form.is_valid():
            form.save()
            messages.success(request, _("Your settings were saved."))
            return redirect("users:settings")
        return render(request, self.template_name, {"form": form}, status=400)


def _attach(form: Any, error: ValidationError) -> None:
    """Put a model or password ValidationError on the form, per field where it names one."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error("password" if "password" in form.fields else None, error)
