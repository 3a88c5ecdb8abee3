"""App configuration of the service app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    """Service cases with SLAs, customer care and satisfaction surveys."""

    name = "paretocrm.service"
    label = "service"
    verbose_name = _("Service")
