"""App configuration of the shared kernel."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared kernel: base models, money, currencies, scoping."""

    name = "paretocrm.core"
    label = "core"
    verbose_name = _("Core")
