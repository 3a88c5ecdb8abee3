"""App configuration of the customers app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    """Customers, contacts, interactions, ownership history and account plans."""

    name = "paretocrm.customers"
    label = "customers"
    verbose_name = _("Customers")
