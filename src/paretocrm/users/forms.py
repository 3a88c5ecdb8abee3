"""Forms of the user administration pages: users, teams and account transfer."""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.utils.translation import gettext_lazy as _

from paretocrm.users.models import Team, User

PROFILE_FIELDS = ("first_name", "last_name", "email", "title", "phone", "role", "team", "manager")


class UserForm(forms.ModelForm):
    """Profile, role, team and manager of a user (activation has its own buttons)."""

    class Meta:
        model = User
        fields = PROFILE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        managers = User.objects.assignable().order_by("username")
        if self.instance.pk:
            managers = managers.exclude(pk=self.instance.pk)
        self.fields["manager"].queryset = managers
        self.fields["team"].queryset = Team.objects.order_by("name", "id")


class NewUserForm(UserForm):
    """A new user: user name and a first password besides the profile."""

    password = forms.CharField(
        label=_("password"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("At least 10 characters, not a common password."),
    )

    class Meta(UserForm.Meta):
        fields = ("username", *PROFILE_FIELDS)


class TeamForm(forms.ModelForm):
    """A team: name, parent team and description."""

    class Meta:
        model = Team
        fields = ("name", "parent", "description")
        widgets: ClassVar[dict[str, forms.Widget]] = {
            "description": forms.Textarea(attrs={"rows": 3})
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parents = Team.objects.order_by("name", "id")
        if self.instance.pk:
            # Not itself nor a sub-team: that would make a cycle.
            parents = parents.exclude(pk__in=Team.objects.subtree([self.instance.pk]))
        self.fields["parent"].queryset = parents


class TransferForm(forms.Form):
    """Where a leaving user's accounts go: one user, or a team's active members."""

    to_user = forms.ModelChoiceField(
        label=_("to user"), queryset=User.objects.none(), required=False
    )
    to_team = forms.ModelChoiceField(
        label=_("or to team (shared among its members)"),
        queryset=Team.objects.order_by("name", "id"),
        required=False,
    )
    reason = forms.CharField(label=_("reason"), max_length=200)

    def __init__(self, *args: Any, from_user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to_user"].queryset = (
            User.objects.assignable().exclude(pk=from_user.pk).order_by("username")
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if bool(cleaned.get("to_user")) == bool(cleaned.get("to_team")):
            raise forms.ValidationError(
                _("Choose either a user or a team to receive the accounts.")
            )
        return cleaned

    def target(self) -> User | Team:
        """The chosen receiver."""
        return self.cleaned_data["to_user"] or self.cleaned_data["to_team"]


class PersonalSettingsForm(forms.ModelForm):
    """What every member of staff sets for themselves: e-mail language, the daily digest."""

    class Meta:
        model = User
        fields = ("language", "daily_digest")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [c for c in self.fields["language"].choices if c[0]]
        self.fields["language"].choices = [("", _("Site default")), *choices]
