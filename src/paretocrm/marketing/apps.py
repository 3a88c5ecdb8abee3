"""App configuration of the marketing app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MarketingConfig(AppConfig):
    """Campaigns and promotions, members, responses, attributed orders and ROI."""

    name = "paretocrm.marketing"
    label = "marketing"
    verbose_name = _("Marketing")
