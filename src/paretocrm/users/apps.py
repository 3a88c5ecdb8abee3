"""App configuration of the users app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class UsersConfig(AppConfig):
    """Users, teams, roles and the staff directory."""

    name = "paretocrm.users"
    label = "users"
    verbose_name = _("Users and teams")
