"""App configuration of the sales app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SalesConfig(AppConfig):
    """Products, prices, pipeline, contracts, orders, invoices, payments, receivables."""

    name = "paretocrm.sales"
    label = "sales"
    verbose_name = _("Sales")
